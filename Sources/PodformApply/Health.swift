import Foundation
import PodformCompiler
import RunPodAPI

/// How a deployment is doing, from RunPod's own state (`Specs/state.md`, "Health").
public struct Health: Sendable, Codable, Hashable, CustomStringConvertible {
    public enum State: String, Sendable, Codable, Hashable {
        /// Everything planned exists and serves (or, for a scale-to-zero endpoint, can serve).
        case healthy = "Healthy"
        /// Starting, rolling to new settings, or just changed.
        case progressing = "Progressing"
        /// Missing, stopped, failing, or waiting on capacity.
        case degraded = "Degraded"
    }
    public var state: State
    public var detail: String
    public var description: String { "\(state.rawValue) (\(detail))" }

    public init(_ state: State, _ detail: String) {
        self.state = state
        self.detail = detail
    }
}

/// The health of one deployment. `workers` holds `GET /v2/serverless/{id}/workers` answers by
/// endpoint id; an endpoint without one is judged by its existence only. `stoppedOnSchedule`:
/// pods deliberately stopped outside their schedule's hours.
public func health(_ d: Deployment, live: LiveState, workers: [String: WorkerList], stoppedOnSchedule: Bool = false) -> Health {
    if d.cluster != nil { return clusterHealth(live.ownedResources(spec: d.name, scope: d.scope)) }
    return health(
        mode: d.mode, plannedPods: RunPodResources.podNames(d),
        owned: live.ownedResources(spec: d.name, scope: d.scope), workers: workers, stoppedOnSchedule: stoppedOnSchedule)
}

/// The health of what a spec owns, when its plan is not at hand (`podform status`): the mode is
/// the one that exists, and every owned pod is a planned one.
public func health(owned: OwnedResources, workers: [String: WorkerList]) -> Health? {
    if !owned.endpoints.isEmpty { return health(mode: .serverless, plannedPods: [], owned: owned, workers: workers) }
    if !owned.pods.isEmpty { return health(mode: .pod, plannedPods: owned.pods.compactMap(\.name), owned: owned, workers: workers) }
    if !owned.clusters.isEmpty { return clusterHealth(owned) }
    return nil
}

func health(
    mode: DeploymentMode, plannedPods planned: [String], owned: OwnedResources, workers: [String: WorkerList],
    stoppedOnSchedule: Bool = false
) -> Health {
    switch mode {
    case .serverless:
        guard let e = owned.endpoints.first else { return Health(.degraded, "endpoint missing") }
        guard let list = workers[e.id] else { return Health(.healthy, "endpoint exists; workers not checked") }
        let minimum = e.workers?["min"].flatMap { v -> Int? in if case .int(let i) = v { return i } else { return nil } } ?? 0
        var count: [String: Int] = [:]
        for w in list.workers { count[w.status, default: 0] += 1 }
        let ready = (count["RUNNING"] ?? 0) + (count["IDLE"] ?? 0)
        let stale = list.workers.filter(\.isStale).count
        let summary = ["RUNNING", "IDLE", "INITIALIZING", "THROTTLED", "UNHEALTHY"].compactMap { s in
            count[s].map { "\($0) \(s.lowercased())" }
        }.joined(separator: ", ")
        let text = summary.isEmpty ? "no workers" : summary
        if let unhealthy = count["UNHEALTHY"], unhealthy > 0 { return Health(.degraded, "\(text): \(unhealthy) failing health checks") }
        if ready < minimum {
            if (count["INITIALIZING"] ?? 0) > 0 { return Health(.progressing, "\(text); \(minimum) wanted warm") }
            if (count["THROTTLED"] ?? 0) > 0 { return Health(.degraded, "\(text): waiting on GPU capacity; \(minimum) wanted warm") }
            return Health(.degraded, "\(text); \(minimum) wanted warm")
        }
        if stale > 0 { return Health(.progressing, "\(text); \(stale) on older settings (rolling)") }
        if (count["INITIALIZING"] ?? 0) > 0 { return Health(.progressing, text) }
        if (count["THROTTLED"] ?? 0) > 0 && ready == 0 { return Health(.degraded, "\(text): waiting on GPU capacity") }
        return Health(.healthy, minimum == 0 && list.workers.isEmpty ? "scaled to zero; workers start on demand" : text)
    case .pod:
        var missing: [String] = [], down: [String] = [], starting: [String] = []
        for name in planned {
            guard let pod = owned.pods.first(where: { $0.name == name }) else { missing.append(name); continue }
            switch pod.status ?? "" {
            case "RUNNING": continue
            case "PROVISIONING", "STARTING", "CREATED", "": starting.append("\(name) \(pod.status ?? "starting")")
            default: down.append("\(name) \(pod.status ?? "?")")
            }
        }
        if stoppedOnSchedule && down.allSatisfy({ !$0.hasSuffix("ERROR") }) { return Health(.healthy, "stopped outside its schedule") }
        if !missing.isEmpty { return Health(.degraded, "missing: " + missing.joined(separator: ", ")) }
        if !down.isEmpty { return Health(.degraded, down.joined(separator: ", ")) }
        if !starting.isEmpty { return Health(.progressing, starting.joined(separator: ", ")) }
        return Health(.healthy, planned.count == 1 ? "pod running" : "\(planned.count) pods running")
    }
}
