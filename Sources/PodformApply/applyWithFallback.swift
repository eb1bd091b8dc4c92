import Foundation
import PodformCatalog
import PodformCompiler
import RunPodAPI

/// How apply moves down a plan's fallbacks when RunPod has no capacity for a GPU type
/// (`Specs/state.md`, "Capacity"): the caller re-plans the deployment from its spec with the
/// refused types out of stock, which picks the plan's next fallback.
public struct CapacityFallback: Sendable {
    /// Re-plans `deployment` against `live` with `refused` out of stock (the types `live` already
    /// runs held); nil when nothing else is feasible.
    public var replan: @Sendable (_ deployment: Deployment, _ live: LiveState, _ refused: Set<GPUAvailability.Use>) async -> Deployment?
    /// At most this many moves in one apply.
    public var maxMoves: Int
    /// Where refusals are remembered across applies (a reconcile loop's rounds), if anywhere.
    public var memory: RefusalMemory?

    public init(
        maxMoves: Int = 3, memory: RefusalMemory? = nil,
        replan: @escaping @Sendable (_ deployment: Deployment, _ live: LiveState, _ refused: Set<GPUAvailability.Use>) async -> Deployment?
    ) {
        self.replan = replan
        self.maxMoves = maxMoves
        self.memory = memory
    }
}

/// GPU types RunPod recently refused to create for lack of capacity, per spec, remembered for
/// `ttl` seconds (10 minutes by default): a reconcile loop plans around them instead of trying,
/// and failing, the same create every round while the catalog still lists stock.
public final class RefusalMemory: @unchecked Sendable {
    public let ttl: TimeInterval
    let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var refused: [String: [GPUAvailability.Use: Date]] = [:]

    public init(ttl: TimeInterval = 600, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.ttl = ttl
        self.clock = clock
    }

    public func record(_ use: GPUAvailability.Use, spec: String) {
        lock.lock()
        refused[spec, default: [:]][use] = clock()
        lock.unlock()
    }

    /// The refusals of the last `ttl` seconds, by spec.
    public func current() -> [String: Set<GPUAvailability.Use>] {
        let now = clock()
        lock.lock()
        defer { lock.unlock() }
        return refused.mapValues { Set($0.filter { now.timeIntervalSince($0.value) < ttl }.keys) }.filter { !$0.value.isEmpty }
    }
}

/// Applies one deployment's change set; when a create fails because RunPod has no capacity for
/// its GPU type, re-plans without that type (`fallback`), lists live state again (what the first
/// attempt made is kept: the template is updated, a pod already created on the refused type is
/// replaced, create-before-destroy), and applies the new change set, at most `maxMoves` times.
/// Creates stay create-once, so no move leaves a duplicate.
///
/// - Returns: what was done over every attempt; `fallbacks` and `landedOn` say where it moved.
public func apply(
    _ deployment: Deployment, _ set: ChangeSet, client: RunPodClient, options: ApplyOptions = ApplyOptions(),
    diffOptions: DiffOptions = DiffOptions(), fallback: CapacityFallback?
) async throws -> ApplyResult {
    var d = deployment, set = set
    var refused: Set<GPUAvailability.Use> = []
    var total = ApplyResult(spec: set.spec)
    while true {
        do {
            let r = try await apply(set, client: client, options: options)
            total.merge(r)
            if !total.fallbacks.isEmpty { total.landedOn = describe(d) }
            return total
        } catch let error as ApplyError {
            if let partial = error.partial { total.merge(partial) }
            guard let use = error.capacity, let fallback, total.fallbacks.count < fallback.maxMoves else { throw error }
            refused.insert(use)
            fallback.memory?.record(use, spec: set.spec)
            let live = try await LiveState.fetch(client)
            guard let next = await fallback.replan(d, live, refused) else {
                throw ApplyError(
                    spec: set.spec, step: error.step,
                    underlying: error.underlying + "; no fallback is left within the spec's constraints, budget and SLA")
            }
            let move = "no capacity for \(describe(d)); moved to \(describe(next))"
            options.progress(move)
            total.fallbacks.append(move)
            d = next
            set = diff(next, live: live, options: diffOptions)
        }
    }
}

/// "2 x NVIDIA A100-SXM4-80GB (pod)", "2 nodes x 8 x NVIDIA H100 80GB HBM3 (cluster)".
func describe(_ d: Deployment) -> String {
    if let c = d.cluster { return "\(c.nodes) nodes x \(d.gpu.count) x \(d.gpu.id) (cluster)" }
    return "\(d.gpu.count) x \(d.gpu.id) (\(d.mode == .pod ? "pod" : "serverless"))"
}

extension ApplyResult {
    mutating func merge(_ other: ApplyResult) {
        created += other.created
        updated += other.updated
        deleted += other.deleted
        urls = other.urls.isEmpty ? urls : other.urls
        writes += other.writes
    }
}

extension LiveState {
    /// The GPU types a spec's live resources already run on: its pods' types, its cluster's, and
    /// every type of the pools its endpoint lists. A deployment holding a type needs no new stock to keep it.
    public func heldGPUs(spec: String, scope: String?, gpus: GPUCatalog) -> Set<GPUAvailability.Use> {
        let owned = ownedResources(spec: spec, scope: scope)
        var held: Set<GPUAvailability.Use> = []
        for p in owned.pods where p.status != "TERMINATED" {
            if let id = p.gpuTypeID { held.insert(GPUAvailability.Use(.pod, gpu: id)) }
        }
        for c in owned.clusters { held.insert(GPUAvailability.Use(.cluster, gpu: c.cluster.compute.gpuTypeId)) }
        for e in owned.endpoints {
            guard case .array(let pools)? = e.gpu?["pools"] else { continue }
            let names = Set(pools.compactMap(\.stringValue))
            for g in gpus.gpus where g.serverlessPool.map(names.contains) == true { held.insert(GPUAvailability.Use(.serverless, gpu: g.id)) }
        }
        return held
    }
}
