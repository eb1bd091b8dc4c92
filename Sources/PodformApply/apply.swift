import Foundation
import RunPodAPI

/// How apply runs.
public struct ApplyOptions: Sendable {
    /// How long to wait for a pod to reach RUNNING.
    public var waitTimeout: TimeInterval = 900
    public var pollInterval: TimeInterval = 5
    /// Progress lines ("creating pod podform-x ...").
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(waitTimeout: TimeInterval = 900, pollInterval: TimeInterval = 5, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.waitTimeout = waitTimeout
        self.pollInterval = pollInterval
        self.progress = progress
    }
}

/// What apply did for one spec.
public struct ApplyResult: Sendable, Codable {
    public var spec: String
    public var created: [String] = []
    public var updated: [String] = []
    public var deleted: [String] = []
    /// Where the deployment answers: the pod proxy URL or the endpoint's OpenAI-compatible URL.
    public var urls: [String] = []
    public var writes: Int = 0
}

public struct ApplyError: Error, CustomStringConvertible {
    public var spec: String
    public var step: String
    public var underlying: String
    /// False when running apply again cannot help (a name taken by a foreign resource).
    public var retryable = true
    public init(spec: String, step: String, underlying: String, retryable: Bool = true) {
        self.spec = spec
        self.step = step
        self.underlying = underlying
        self.retryable = retryable
    }
    public var description: String {
        "\(spec): \(step) failed: \(underlying)." + (retryable ? " Nothing is lost: run apply again to continue from here." : "")
    }
}

/// A pod that did not come up.
public struct PodWaitError: Error, CustomStringConvertible {
    public var pod: String
    public var status: String
    public var seconds: Int
    public var timedOut: Bool
    public var description: String {
        timedOut ? "pod \(pod) was still \(status) after \(seconds) s (--wait-timeout); it may still come up: check `podform status`"
            : "pod \(pod) is \(status) after \(seconds) s: its container stopped; see `podform logs` for why"
    }
}

func stringMap(_ value: JSONValue) -> [String: String]? {
    guard case .object(let o) = value else { return nil }
    return o.compactMapValues(\.stringValue)
}

/// Carries out a change set: creates and updates in order (network volume, template, endpoint or
/// pods), waits for pods to run, then deletes what was replaced or is no longer planned. Creates
/// are looked up by name before any retry (`createOnce`), so an interrupted apply converges when
/// run again, with no duplicates.
public func apply(_ set: ChangeSet, client: RunPodClient, options: ApplyOptions = ApplyOptions()) async throws -> ApplyResult {
    guard set.errors.isEmpty else {
        throw ApplyError(spec: set.spec, step: "planning", underlying: set.errors.joined(separator: "; "), retryable: false)
    }
    var result = ApplyResult(spec: set.spec)
    var ids: [String: String] = [:]
    for c in set.changes where c.action != .create { if let id = c.id { ids["\(c.kind.rawValue).\(c.name)"] = id } }
    let order: [ResourceKind] = [.networkVolume, .template, .endpoint, .pod]
    var toWait: [(name: String, id: String)] = []
    var replacedOld: [Change] = []

    func step<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw ApplyError(spec: set.spec, step: what, underlying: "\(error)") }
    }

    for kind in order {
        for c in set.changes where c.kind == kind {
            let key = "\(kind.rawValue).\(c.name)"
            switch c.action {
            case .create, .replace:
                let body = resolve(c.body ?? .object([:]), ids)
                options.progress("\(c.action == .replace ? "replacing" : "creating") \(kind.rawValue) \(c.name)")
                let excluding: Set<String> = c.action == .replace ? Set(set.changes.filter { $0.kind == kind && $0.name == c.name }.compactMap(\.id)) : []
                let marks = Marker.marks(body["env"].flatMap(stringMap))
                let created = try await step("creating \(kind.rawValue) \(c.name)") {
                    // After a failed create, only a resource carrying this spec's markers is the one it made.
                    try await client.createOnce(kind, name: c.name, body: body, excluding: excluding) { env in
                        guard let marks else { return kind == .networkVolume }
                        guard let found = Marker.marks(env) else { return false }
                        return found.spec == marks.spec && found.scope == marks.scope
                    }
                }
                ids[key] = created.id
                result.created.append("\(kind.rawValue) \(c.name) (\(created.id))\(created.found ? " (found after an interrupted create)" : "")")
                result.writes += 1
                if kind == .pod { toWait.append((c.name, created.id)) }
                if c.action == .replace { replacedOld.append(c) }
            case .update:
                guard let id = c.id, let patch = c.patch else { continue }
                options.progress("updating \(kind.rawValue) \(c.name)")
                try await step("updating \(kind.rawValue) \(c.name)") {
                    let body = resolve(patch, ids)
                    switch kind {
                    case .networkVolume: _ = try await client.updateNetworkVolume(id, body)
                    case .template: _ = try await client.updateTemplate(id, body)
                    case .endpoint: _ = try await client.updateEndpoint(id, body)
                    case .pod: _ = try await client.updatePod(id, body)
                    }
                }
                result.updated.append("\(kind.rawValue) \(c.name) (\(id))")
                result.writes += 1
                if kind == .pod { toWait.append((c.name, id)) }
            case .start, .stop:
                guard let id = c.id else { continue }
                let action = c.action.rawValue
                options.progress("\(action == "start" ? "starting" : "stopping") pod \(c.name)")
                try await step("\(action == "start" ? "starting" : "stopping") pod \(c.name)") { try await client.podAction(id, action) }
                result.updated.append("pod \(c.name) (\(id)): \(action)")
                result.writes += 1
                if c.action == .start { toWait.append((c.name, id)) }
            case .delete, .noop:
                continue
            }
        }
    }

    // Wait for pods to run before anything is deleted (create-before-destroy).
    for pod in toWait {
        options.progress("waiting for pod \(pod.name) to run")
        try await step("waiting for pod \(pod.name)") { try await waitRunning(pod.id, client: client, options: options) }
    }

    let deletes = replacedOld.map { Change(kind: $0.kind, name: $0.name, action: .delete, id: $0.id, fields: []) }
        + set.changes.filter { $0.action == .delete }
    for kind in order.reversed() {
        for c in deletes where c.kind == kind {
            guard let id = c.id else { continue }
            options.progress("deleting \(kind.rawValue) \(c.name)")
            try await step("deleting \(kind.rawValue) \(c.name)") {
                do {
                    switch kind {
                    case .networkVolume: try await client.deleteNetworkVolume(id)
                    case .template: try await client.deleteTemplate(id)
                    case .endpoint: try await client.deleteEndpoint(id)
                    case .pod: try await client.deletePod(id)
                    }
                } catch RunPodError.notFound(_) {
                    // Already gone (an earlier, interrupted apply deleted it): the goal holds.
                }
            }
            result.deleted.append("\(kind.rawValue) \(c.name) (\(id))")
            result.writes += 1
        }
    }

    for c in set.changes where c.action != .delete {
        guard let id = ids["\(c.kind.rawValue).\(c.name)"] else { continue }
        switch c.kind {
        case .endpoint: result.urls.append("https://api.runpod.ai/v2/\(id)/openai/v1")
        case .pod:
            let port = (c.body?["ports"]).flatMap { v -> String? in
                if case .array(let a) = v { return a.compactMap(\.stringValue).first { $0.hasSuffix("/http") }?.components(separatedBy: "/").first }
                return nil
            } ?? "8000"
            result.urls.append("https://\(id)-\(port).proxy.runpod.net")
        default: break
        }
    }
    return result
}

/// Polls a pod until it is RUNNING; fails on ERROR/EXITED or after the timeout.
func waitRunning(_ id: String, client: RunPodClient, options: ApplyOptions) async throws {
    let started = Date()
    // A timeout that is not a finite, non-negative number of seconds would never end the wait.
    let timeout = options.waitTimeout.isFinite ? min(max(options.waitTimeout, 0), 7 * 86_400) : 900
    let deadline = started.addingTimeInterval(timeout)
    var last = ""
    while true {
        let pod = try await client.getPod(id)
        let status = pod.status ?? "?"
        if status != last {
            options.progress("pod \(pod.name ?? id) is \(status) after \(Int(Date().timeIntervalSince(started))) s")
            last = status
        }
        let elapsed = Int(min(Date().timeIntervalSince(started), 1e9))
        switch pod.status ?? "" {
        case "RUNNING": return
        case "ERROR", "EXITED", "TERMINATED": throw PodWaitError(pod: pod.name ?? id, status: status, seconds: elapsed, timedOut: false)
        default: break
        }
        if Date() > deadline { throw PodWaitError(pod: pod.name ?? id, status: status, seconds: elapsed, timedOut: true) }
        try await Task.sleep(nanoseconds: UInt64(min(max(options.pollInterval, 0.01), 3600) * 1e9))
    }
}

/// Replaces `${kind.name.id}` references with ids created or found earlier in this apply.
func resolve(_ value: JSONValue, _ ids: [String: String]) -> JSONValue {
    switch value {
    case .string(let s) where s.hasPrefix("${") && s.hasSuffix(".id}"):
        let key = String(s.dropFirst(2).dropLast(4))
        return ids[key].map { .string($0) } ?? value
    case .array(let a): return .array(a.map { resolve($0, ids) })
    case .object(let o): return .object(o.mapValues { resolve($0, ids) })
    default: return value
    }
}
