import Foundation
import PodformCompiler
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
    /// Capacity fallbacks taken, in order ("no capacity for 1 x NVIDIA H100 80GB HBM3 (pod): moved to ...").
    public var fallbacks: [String] = []
    /// What the deployment runs on after a capacity fallback ("2 x NVIDIA A100-SXM4-80GB (pod)").
    public var landedOn: String?
}

public struct ApplyError: Error, CustomStringConvertible {
    public var spec: String
    public var step: String
    public var underlying: String
    /// False when running apply again cannot help (a name taken by a foreign resource).
    public var retryable = true
    /// The GPU type RunPod had no capacity for, when a create failed for that reason.
    public var capacity: GPUAvailability.Use?
    /// What was done before the failure.
    public var partial: ApplyResult?
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
        timedOut
            ? "pod \(pod) was still \(status) after \(seconds) s (--wait-timeout); it may still come up: check `podform status`"
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
    var run = ApplyRun(set: set, client: client, options: options)
    do { try await run.all() } catch var error as ApplyError {
        error.partial = run.result
        throw error
    }
    return run.result
}

extension ApplyRun {
    /// Creates and updates in order, the wait for pods, then the deletes.
    mutating func all() async throws {
        for kind in ResourceKind.applyOrder {
            for change in set.changes where change.kind == kind { try await createOrUpdate(change) }
        }
        // Wait for pods to run before anything is deleted (create-before-destroy).
        for pod in toWait {
            let client = self.client, options = self.options
            options.progress("waiting for pod \(pod.name) to run")
            try await step("waiting for pod \(pod.name)") { try await waitRunning(pod.id, client: client, options: options) }
        }
        // And a new cluster's nodes: the old cluster of a replace is deleted only once they run.
        for cluster in clustersToWait {
            let client = self.client, options = self.options
            options.progress("waiting for cluster \(cluster.name)'s nodes to run")
            try await step("waiting for cluster \(cluster.name)") {
                try await waitClusterRunning(cluster.id, nodes: cluster.nodes, client: client, options: options)
            }
        }
        let deletes =
            replaced.map { Change(kind: $0.kind, name: $0.name, action: .delete, id: $0.id, fields: []) }
            + set.changes.filter { $0.action == .delete }
        for kind in ResourceKind.applyOrder.reversed() {
            for change in deletes where change.kind == kind { try await delete(change) }
        }
        collectURLs()
    }
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

/// Polls a cluster's member pods (`GET /v2/clusters/{id}/pods`) until there are as many as it has
/// nodes and every one is RUNNING; fails when one stops (ERROR/EXITED/TERMINATED) or after the timeout.
func waitClusterRunning(_ id: String, nodes requested: Int, client: RunPodClient, options: ApplyOptions) async throws {
    let started = Date()
    let timeout = options.waitTimeout.isFinite ? min(max(options.waitTimeout, 0), 7 * 86_400) : 900
    let deadline = started.addingTimeInterval(timeout)
    let nodes = max(requested, 1)
    var last = ""
    while true {
        let members = try await client.clusterPods(id)
        let statuses = members.map { $0.status ?? "?" }
        let summary = "\(statuses.filter { $0 == "RUNNING" }.count) of \(nodes) nodes running"
        if summary != last {
            options.progress("cluster \(id): \(summary) after \(Int(Date().timeIntervalSince(started))) s")
            last = summary
        }
        let elapsed = Int(min(Date().timeIntervalSince(started), 1e9))
        if let stopped = members.first(where: { ["ERROR", "EXITED", "TERMINATED"].contains($0.status ?? "") }) {
            throw PodWaitError(pod: stopped.name ?? stopped.id, status: stopped.status ?? "?", seconds: elapsed, timedOut: false)
        }
        if members.count >= nodes && !statuses.isEmpty && statuses.allSatisfy({ $0 == "RUNNING" }) { return }
        if Date() > deadline {
            throw PodWaitError(pod: "cluster \(id) (\(summary))", status: "starting", seconds: elapsed, timedOut: true)
        }
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
