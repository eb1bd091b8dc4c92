import Foundation

/// Per-spec `flock`s in a directory, so two podform processes on one machine never apply the same
/// spec at once. Re-entrant within one `SpecLocks`: a reconcile loop that already holds a spec's
/// lock holds it again, and `releaseAll` at the end of each round gives every lock back. It does
/// not reach across machines (`Specs/state.md`, "Locks").
public final class SpecLocks: @unchecked Sendable {
    public enum Outcome: Sendable, Equatable {
        case acquired
        /// Another process holds it.
        case heldElsewhere
        /// The lock could not be taken at all (an unwritable directory, too many open files).
        case failed(String)
    }

    public let directory: URL
    private let mutex = NSLock()
    private var held: [String: Int32] = [:]

    public init(directory: URL) {
        self.directory = directory
    }

    public func acquire(_ spec: String) -> Outcome {
        mutex.lock(); defer { mutex.unlock() }
        if held[spec] != nil { return .acquired }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            return .failed("cannot create the lock directory \(directory.path): \(error.localizedDescription)")
        }
        // Spec names are [a-z0-9-]; anything else is refused rather than turned into a path.
        guard !spec.isEmpty, spec.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }) else {
            return .failed("spec name \(spec.debugDescription) cannot name a lock file")
        }
        let path = directory.appendingPathComponent("\(spec).lock").path
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .failed("cannot open \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            return code == EWOULDBLOCK ? .heldElsewhere : .failed("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        held[spec] = fd
        return .acquired
    }

    public func release(_ spec: String) {
        mutex.lock(); defer { mutex.unlock() }
        guard let fd = held.removeValue(forKey: spec) else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }

    public func releaseAll() {
        mutex.lock()
        let fds = held
        held = [:]
        mutex.unlock()
        for fd in fds.values { flock(fd, LOCK_UN); close(fd) }
    }

    public var heldSpecs: Set<String> { mutex.lock(); defer { mutex.unlock() }; return Set(held.keys) }

    deinit { for fd in held.values { flock(fd, LOCK_UN); close(fd) } }
}
