import Foundation
import PodformCompiler
import RunPodAPI

/// One spec's outcome in a reconcile round.
public struct SpecOutcome: Sendable, Codable {
    public var spec: String
    public var changes: Int
    public var writes: Int
    public var result: String
    public var notes: [String]
    public var error: String?
}

/// One round of the GitOps loop: list live state once (4 calls, whatever the number of specs),
/// diff every spec, apply the differences with bounded concurrency, and prune owned resources of
/// specs that are gone when asked to.
public struct Reconciler: Sendable {
    public var client: RunPodClient
    public var prune: Bool
    public var allowDestroyVolumes: Bool
    public var concurrency: Int
    public var apply: ApplyOptions
    /// Per spec: restore idle scale-down (from the spec's deploy settings).
    public var restoreIdleScaleDown: [String: Bool]

    public init(client: RunPodClient, prune: Bool = false, allowDestroyVolumes: Bool = false, concurrency: Int = 4,
                apply: ApplyOptions = ApplyOptions(), restoreIdleScaleDown: [String: Bool] = [:]) {
        self.client = client
        self.prune = prune
        self.allowDestroyVolumes = allowDestroyVolumes
        self.concurrency = concurrency
        self.apply = apply
        self.restoreIdleScaleDown = restoreIdleScaleDown
    }

    /// The change sets for a set of deployments against one fetch of live state.
    public func changeSets(_ deployments: [Deployment], live: LiveState) -> [ChangeSet] {
        var sets = deployments.map {
            diff($0, live: live, options: DiffOptions(restoreIdleScaleDown: restoreIdleScaleDown[$0.name] ?? false,
                                                     allowDestroyVolumes: allowDestroyVolumes))
        }
        if prune {
            let wanted = Set(deployments.map(\.name))
            for spec in live.ownerSpecs().subtracting(wanted).sorted() {
                sets.append(destroyChanges(spec: spec, live: live, allowDestroyVolumes: allowDestroyVolumes))
            }
        }
        return sets
    }

    /// Runs one round.
    public func round(_ deployments: [Deployment]) async throws -> [SpecOutcome] {
        let live = try await LiveState.fetch(client)
        let sets = changeSets(deployments, live: live)
        return await withTaskGroup(of: SpecOutcome.self) { group in
            var outcomes: [SpecOutcome] = []
            var running = 0
            for set in sets {
                if running >= max(concurrency, 1), let done = await group.next() { outcomes.append(done); running -= 1 }
                running += 1
                group.addTask {
                    let changed = set.changes.filter { $0.action != .noop }.count
                    guard set.hasChanges else {
                        return SpecOutcome(spec: set.spec, changes: 0, writes: 0, result: "in sync", notes: set.notes, error: nil)
                    }
                    do {
                        let r = try await PodformApply.apply(set, client: client, options: apply)
                        return SpecOutcome(spec: set.spec, changes: changed, writes: r.writes, result: "applied", notes: set.notes, error: nil)
                    } catch {
                        return SpecOutcome(spec: set.spec, changes: changed, writes: 0, result: "failed", notes: set.notes, error: "\(error)")
                    }
                }
            }
            for await done in group { outcomes.append(done) }
            return outcomes.sorted { $0.spec < $1.spec }
        }
    }
}
