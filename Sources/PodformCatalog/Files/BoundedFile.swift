import Foundation

/// Reads a file the user pointed podform at (a model's config.json, a cached Hub config, the
/// catalog overlay, a saved plan) only after checking it is a regular file of sane size: a 5 GB
/// sparse file, `/dev/zero` or a FIFO is refused at once instead of filling memory or blocking.
public enum BoundedFile {
    /// The most bytes of a model's config.json (real ones are under 100 KB).
    public static let configLimit = 16 * 1_048_576
    /// The most bytes of the catalog overlay (44 GPUs are about 30 KB).
    public static let overlayLimit = 16 * 1_048_576
    /// The most bytes of a saved plan.json (`apply plan.json`).
    public static let planLimit = 64 * 1_048_576

    /// Why a file was not read.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case missing(String)
        case notRegular(String)
        case tooLarge(String, size: Int64, limit: Int)
        case unreadable(String)

        public var description: String {
            switch self {
            case .missing(let path): return "cannot read `\(path)`: no such file"
            case .notRegular(let path): return "cannot read `\(path)`: not a regular file"
            case .tooLarge(let path, let size, let limit):
                return "`\(path)` is \(size) bytes, over the limit of \(limit) bytes; is this the right file?"
            case .unreadable(let path): return "cannot read `\(path)` (permissions?)"
            }
        }
    }

    /// The file's bytes, or a `Failure` saying why not; never reads more than `limit` + 1 bytes
    /// (so a file that grows after the size check is refused too).
    public static func read(_ path: String, limit: Int) throws -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw errno == ENOENT || errno == ENOTDIR ? Failure.missing(path) : Failure.unreadable(path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Failure.notRegular(path) }
        guard info.st_size <= Int64(limit) else { throw Failure.tooLarge(path, size: Int64(info.st_size), limit: limit) }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure.unreadable(path) }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: limit + 1) else { return Data() }
        guard data.count <= limit else { throw Failure.tooLarge(path, size: Int64(data.count), limit: limit) }
        return data
    }

    /// The bytes of the file if it exists; nil when it does not; throws when it exists but is
    /// refused (too large, not a regular file, unreadable).
    public static func readIfPresent(_ path: String, limit: Int) throws -> Data? {
        do { return try read(path, limit: limit) } catch Failure.missing { return nil }
    }
}
