import Foundation

/// Writes podform's own output files (`plan --out`, `catalog refresh`): never through or over a
/// symlink and never over a file that is not podform's output unless `--force`; the new bytes go
/// to a private temporary file in the same directory that is renamed over the path (a symlink at
/// the path is replaced, never followed).
enum OwnedFile {
    struct Refusal: Error, CustomStringConvertible { let description: String }

    /// The largest existing file read to decide whether it is podform's (plans and overlays are KBs).
    static let maxInspectBytes = 32 * 1_048_576

    /// Writes `data` to `path` with `permissions`; `isOwn` says whether existing bytes are podform's
    /// own output of this kind (they must parse as it, with its format marker).
    static func write(
        _ data: Data, to path: String, permissions: Int, force: Bool, what: String,
        isOwn: (Data) -> Bool
    ) throws {
        let fm = FileManager.default
        if !force {
            if (try? fm.destinationOfSymbolicLink(atPath: path)) != nil {
                throw Refusal(description: "\(path) is a symbolic link; not writing through or over it (use --force to replace the link)")
            }
            if let attributes = try? fm.attributesOfItem(atPath: path) {
                let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
                let regular = (attributes[.type] as? FileAttributeType) == .typeRegular
                guard regular, size <= maxInspectBytes, let existing = fm.contents(atPath: path), isOwn(existing) else {
                    throw Refusal(description: "\(path) exists and is not \(what); not overwriting it (use --force)")
                }
            }
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).podform-\(UUID().uuidString)")
        guard fm.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: permissions]) else {
            throw Refusal(description: "cannot write \(path)")
        }
        do {
            try fm.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.close()
            guard rename(temporary.path, path) == 0 else { throw Refusal(description: "cannot write \(path)") }
        } catch {
            try? fm.removeItem(at: temporary)
            throw error as? Refusal ?? Refusal(description: "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
