import Foundation

/// The spec files of a directory: every `.yaml`/`.yml` below it, sorted; hidden folders skipped.
public enum SpecDirectory {
    public struct Unreadable: Error, LocalizedError {
        public var path: String
        public var errorDescription: String? { "cannot list \(path)" }
    }

    public static func files(_ directory: String) throws -> [String] {
        let url = URL(fileURLWithPath: directory)
        guard (try? FileManager.default.contentsOfDirectory(atPath: directory)) != nil else { throw Unreadable(path: directory) }
        // A folder that cannot be listed hides specs: that is an error, never a shorter list.
        final class Failure: @unchecked Sendable { var path: String? }
        let failure = Failure()
        guard
            let e = FileManager.default.enumerator(
                at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles],
                errorHandler: { at, _ in
                    failure.path = at.path; return false
                })
        else {
            throw Unreadable(path: directory)
        }
        var out: [String] = []
        let root = url.standardizedFileURL.path
        for case let file as URL in e where file.pathExtension == "yaml" || file.pathExtension == "yml" {
            let relative = String(file.standardizedFileURL.path.dropFirst(root.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            out.append((directory as NSString).appendingPathComponent(relative))
        }
        if let path = failure.path { throw Unreadable(path: path) }
        return out.sorted()
    }
}
