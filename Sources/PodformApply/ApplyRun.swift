import Foundation
import PodformCompiler
import RunPodAPI

/// One change set being applied: the ids known so far (for `${kind.name.id}` references), the
/// pods to wait for, what was replaced, and the result.
struct ApplyRun {
    let set: ChangeSet
    let client: RunPodClient
    let options: ApplyOptions
    var result: ApplyResult
    var ids: [String: String] = [:]
    var toWait: [(name: String, id: String)] = []
    /// Clusters created in this apply: their member pods must run before anything is deleted.
    var clustersToWait: [(name: String, id: String, nodes: Int)] = []
    /// Replaced resources, deleted once their replacements run.
    var replaced: [Change] = []

    init(set: ChangeSet, client: RunPodClient, options: ApplyOptions) {
        self.set = set
        self.client = client
        self.options = options
        result = ApplyResult(spec: set.spec)
        for c in set.changes where c.action != .create { if let id = c.id { ids[key(c)] = id } }
    }

    func key(_ c: Change) -> String { "\(c.kind.rawValue).\(c.name)" }

    /// Runs one step; a failure names it. `gpu`: the GPU type a create asks for, recorded when
    /// RunPod answers that it has no capacity (apply's fallback moves on from it).
    func step<T>(_ what: String, gpu: GPUAvailability.Use? = nil, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch {
            var failure = ApplyError(spec: set.spec, step: what, underlying: "\(error)")
            if case RunPodError.capacity = error { failure.capacity = gpu }
            throw failure
        }
    }

    mutating func createOrUpdate(_ c: Change) async throws {
        switch c.action {
        case .create, .replace: try await create(c)
        case .update:
            guard let id = c.id, let patch = c.patch else { return }
            options.progress("updating \(c.kind.rawValue) \(c.name)")
            let body = resolve(patch, ids)
            try await step("updating \(c.kind.rawValue) \(c.name)") { try await c.kind.adapter.update(id, body, client: client) }
            result.updated.append("\(c.kind.rawValue) \(c.name) (\(id))")
            result.writes += 1
            // A rename alone restarts nothing: there is nothing to wait for.
            if c.kind == .pod, case .object(let o) = patch, o.keys.contains(where: { $0 != "name" }) { toWait.append((c.name, id)) }
        case .start, .stop:
            guard let id = c.id else { return }
            if let patch = c.patch {  // a renamed pod gets its name back first
                try await step("renaming pod \(c.name)") { try await c.kind.adapter.update(id, patch, client: client) }
                result.writes += 1
            }
            let action = c.action.rawValue
            options.progress("\(action == "start" ? "starting" : "stopping") pod \(c.name)")
            try await step("\(action == "start" ? "starting" : "stopping") pod \(c.name)") { try await client.podAction(id, action) }
            result.updated.append("pod \(c.name) (\(id)): \(action)")
            result.writes += 1
            if c.action == .start { toWait.append((c.name, id)) }
        case .delete, .noop:
            return
        }
    }

    /// Creates (or, after an interrupted create, finds) the resource; a replacement excludes the
    /// same-named resource it replaces.
    mutating func create(_ c: Change) async throws {
        let kind = c.kind
        let body = resolve(c.request?.body ?? .object([:]), ids)
        options.progress("\(c.action == .replace ? "replacing" : "creating") \(kind.rawValue) \(c.name)")
        let excluding: Set<String> = c.action == .replace ? Set(set.changes.filter { $0.kind == kind && $0.name == c.name }.compactMap(\.id)) : []
        let marks = Marker.marks(body["env"].flatMap(stringMap))
        let created = try await step("creating \(kind.rawValue) \(c.name)", gpu: c.request?.gpuUse) {
            // After a failed create, only a resource carrying this spec's markers is the one it made.
            try await client.createOnce(kind, name: c.name, body: body, excluding: excluding) { env in
                guard let marks else { return kind == .networkVolume }
                guard let found = Marker.marks(env) else { return false }
                return found.spec == marks.spec && found.scope == marks.scope
            }
        }
        ids[key(c)] = created.id
        result.created.append("\(kind.rawValue) \(c.name) (\(created.id))\(created.found ? " (found after an interrupted create)" : "")")
        result.writes += 1
        if kind == .pod { toWait.append((c.name, created.id)) }
        if kind == .cluster {
            // The node count the create asked for: the wait does not depend on reading the cluster back.
            var nodes = 1
            if case .int(let n)? = body["compute"]?["podCount"] { nodes = max(n, 1) }
            clustersToWait.append((c.name, created.id, nodes))
        }
        if c.action == .replace { replaced.append(c) }
    }

    mutating func delete(_ c: Change) async throws {
        guard let id = c.id else { return }
        options.progress("deleting \(c.kind.rawValue) \(c.name)")
        try await step("deleting \(c.kind.rawValue) \(c.name)") {
            do {
                try await c.kind.adapter.delete(id, client: client)
            } catch RunPodError.notFound(_) {
                // Already gone (an earlier, interrupted apply deleted it): the goal holds.
            }
        }
        result.deleted.append("\(c.kind.rawValue) \(c.name) (\(id))")
        result.writes += 1
    }

    /// Where the deployment answers: the endpoint's OpenAI-compatible URL, or each pod's proxy URL.
    mutating func collectURLs() {
        for c in set.changes where c.action != .delete {
            guard let id = ids[key(c)] else { continue }
            switch c.kind {
            case .endpoint: result.urls.append("https://api.runpod.ai/v2/\(id)/openai/v1")
            case .pod:
                var ports: [String] = []
                if case .pod(let pod)? = c.request { ports = pod.ports }
                let port = ports.first { $0.hasSuffix("/http") }?.components(separatedBy: "/").first ?? "8000"
                result.urls.append("https://\(id)-\(port).proxy.runpod.net")
            default: break
            }
        }
    }
}
