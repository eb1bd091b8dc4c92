import Foundation

/// Which deployments a podform run answers for (`Specs/state.md`, "Scope").
///
/// Every resource podform creates records its scope in `PODFORM_SCOPE`: the repository-relative
/// directory its spec was applied from (`<repo>:<dir>`), or an explicit `--scope NAME`. A reconciler
/// prunes only resources whose recorded scope falls inside its own, so reconcilers of different
/// directories (or of the same directory with different selectors) never delete each other's work.
public struct Scope: Sendable, Hashable, CustomStringConvertible {
    /// What is recorded in `PODFORM_SCOPE`.
    public var id: String
    /// True for `--scope NAME`: only that exact id is inside. A directory scope also contains the
    /// scopes of its subdirectories (`repo:deploy` contains `repo:deploy/team-a`).
    public var explicit: Bool

    public init(id: String, explicit: Bool) {
        self.id = id
        self.explicit = explicit
    }

    public var description: String { id }

    /// Whether a resource that recorded `scope` belongs to this scope.
    public func contains(_ scope: String) -> Bool {
        if scope == id { return true }
        if explicit { return false }
        // Directory ids are `<repo>:<relative dir>`; "." is the repository root.
        guard let colon = id.firstIndex(of: ":") else { return false }
        let repo = id[..<colon], dir = id[id.index(after: colon)...]
        guard scope.hasPrefix(repo + ":") else { return false }
        let other = scope.dropFirst(repo.count + 1)
        return dir == "." || other.hasPrefix(dir + "/")
    }

    /// An explicit scope name as `--scope` takes it.
    public static func named(_ name: String) throws -> Scope {
        guard (1...200).contains(name.count),
            name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "._:/@-".unicodeScalars.contains($0) })
        else {
            throw ScopeError("--scope takes 1 to 200 characters of letters, digits and . _ : / @ -, e.g. --scope team-search")
        }
        return Scope(id: name, explicit: true)
    }

    /// The scope of a directory: `<repository>:<path from the repository root>` when the directory is
    /// inside a git checkout (the repository named by its `origin` remote, else by the checkout's
    /// folder name), otherwise `path:<absolute path>`. The same directory of the same repository has
    /// the same scope on every machine and in every CI checkout.
    public static func directory(_ path: String, fileManager: FileManager = .default) -> Scope {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        var root = absolute
        while true {
            if fileManager.fileExists(atPath: (root as NSString).appendingPathComponent(".git")) { break }
            let parent = (root as NSString).deletingLastPathComponent
            if parent == root || parent.isEmpty { return Scope(id: "path:\(absolute)", explicit: false) }
            root = parent
        }
        let repo = repositoryName(root: root, fileManager: fileManager)
        let relative = absolute == root ? "." : String(absolute.dropFirst(root.count + (root.hasSuffix("/") ? 0 : 1)))
        return Scope(id: "\(repo):\(relative)", explicit: false)
    }

    /// `host/owner/name` of the `origin` remote (`git@github.com:acme/deploy.git` and
    /// `https://github.com/acme/deploy` both give `github.com/acme/deploy`), else the folder name.
    static func repositoryName(root: String, fileManager: FileManager) -> String {
        let fallback = (root as NSString).lastPathComponent
        let gitPath = (root as NSString).appendingPathComponent(".git")
        var configPath = (gitPath as NSString).appendingPathComponent("config")
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: gitPath, isDirectory: &isDirectory), !isDirectory.boolValue,
            let text = readSmall(gitPath), let line = text.split(separator: "\n").first, line.hasPrefix("gitdir:")
        {
            // A worktree or submodule: `.git` is a file naming the real git directory.
            var dir = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
            if !dir.hasPrefix("/") { dir = (root as NSString).appendingPathComponent(dir) }
            let common = (dir as NSString).appendingPathComponent("commondir")
            if let c = readSmall(common)?.trimmingCharacters(in: .whitespacesAndNewlines), !c.isEmpty {
                dir = c.hasPrefix("/") ? c : (dir as NSString).appendingPathComponent(c)
            }
            configPath = (dir as NSString).appendingPathComponent("config")
        }
        guard let config = readSmall(configPath) else { return fallback }
        var inOrigin = false
        for raw in config.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { inOrigin = line == "[remote \"origin\"]"; continue }
            guard inOrigin, line.hasPrefix("url") else { continue }
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            return normalizedRemote(parts[1].trimmingCharacters(in: .whitespaces)) ?? fallback
        }
        return fallback
    }

    static func normalizedRemote(_ url: String) -> String? {
        var s = url
        for prefix in ["https://", "http://", "ssh://", "git://"] where s.hasPrefix(prefix) { s = String(s.dropFirst(prefix.count)) }
        if let at = s.firstIndex(of: "@"), !s[..<at].contains("/") { s = String(s[s.index(after: at)...]) }  // user@ or token@
        if !url.contains("://"), let colon = s.firstIndex(of: ":") { s.replaceSubrange(colon...colon, with: "/") }  // scp-like
        if s.hasSuffix(".git") { s = String(s.dropLast(4)) }
        while s.hasSuffix("/") { s = String(s.dropLast()) }
        if let colon = s.firstIndex(of: ":"), let slash = s.firstIndex(of: "/"), colon < slash { s.removeSubrange(colon..<slash) }  // port
        return s.isEmpty ? nil : s
    }

    static func readSmall(_ path: String) -> String? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue, size < 1_048_576,
            let data = FileManager.default.contents(atPath: path)
        else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

public struct ScopeError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The ownership markers podform writes into templates, endpoints and pods, and reads back.
public struct OwnerMarks: Sendable, Hashable {
    public var spec: String
    /// Nil on resources applied before scopes were recorded.
    public var scope: String?
    /// The spec's labels (recorded on the template only: changing a label must not restart pods).
    public var labels: [String: String]?

    public init(spec: String, scope: String?, labels: [String: String]?) {
        self.spec = spec
        self.scope = scope
        self.labels = labels
    }

    /// `PODFORM_LABELS`: `key=value` pairs sorted by key, comma-separated.
    public static func encodeLabels(_ labels: [String: String]) -> String {
        labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    public static func decodeLabels(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return out
    }
}

/// Why prune keeps or deletes one deployment's resources (the scope rule; `Specs/state.md`).
public enum PruneVerdict: Sendable, Hashable {
    case delete
    case keep(String)

    public var deletes: Bool { self == .delete }
}

/// What a reconcile round knows when it decides whether an owned deployment is an orphan.
public struct PruneContext: Sendable {
    public var scope: Scope
    public var selector: LabelSelector
    /// Every spec name found in the directory this round, whatever became of it (invalid,
    /// failed to compile, skipped, locked elsewhere): none of them is an orphan.
    public var presentSpecs: Set<String>
    /// Set when the round cannot know every spec's name (a file that did not parse, a directory
    /// that could not be read): nothing is pruned.
    public var blocked: String?

    public init(scope: Scope, selector: LabelSelector, presentSpecs: Set<String>, blocked: String? = nil) {
        self.scope = scope
        self.selector = selector
        self.presentSpecs = presentSpecs
        self.blocked = blocked
    }

    /// The scope rule: a deployment is deleted only when its markers put it inside this
    /// reconciler's scope and selector, and no spec of that name is in the directory.
    public func verdict(_ marks: OwnerMarks) -> PruneVerdict {
        if let blocked { return .keep("prune is off this round: \(blocked)") }
        guard let scope = marks.scope else {
            return .keep("applied before podform recorded scopes (no \(Marker.scope)); apply its spec once, or delete it with `podform destroy`")
        }
        guard self.scope.contains(scope) else { return .keep("scope \(scope) is outside this reconciler's scope \(self.scope.id)") }
        if presentSpecs.contains(marks.spec) { return .keep("its spec is in the directory") }
        if !selector.isEmpty {
            guard let labels = marks.labels else {
                return .keep("its labels are unknown (no template with \(Marker.labels)); the selector cannot match it")
            }
            guard selector.matches(labels) else { return .keep("its labels do not match the selector \(selector.text)") }
        }
        return .delete
    }
}
