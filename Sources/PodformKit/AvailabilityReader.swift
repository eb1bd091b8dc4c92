import Foundation
import PodformApply
import PodformCompiler
import RunPodAPI

/// Reads GPU stock from RunPod's catalog (`GET /v2/catalog/gpus?include=AVAILABILITY&product=...`)
/// for live plans, one read per product and cloud, each kept for `ttl` seconds (60 by default), so
/// a reconcile loop or an apply that falls back does not ask again within a minute.
public final class AvailabilityReader: @unchecked Sendable {
    /// A product context and cloud podform reads.
    public struct Context: Sendable, Hashable {
        public var product: GPUAvailability.Product
        public var cloud: String
        public init(_ product: GPUAvailability.Product, cloud: String = "SECURE") {
            self.product = product
            self.cloud = cloud
        }
    }

    /// What a plan reads: pods in both clouds, serverless pools, clusters.
    public static let planContexts: [Context] = [Context(.pod), Context(.pod, cloud: "COMMUNITY"), Context(.serverless), Context(.cluster)]

    public let client: RunPodClient
    public let ttl: TimeInterval
    let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var cache: [Context: (at: Date, stock: [String: GPUAvailability.Stock])] = [:]

    public init(client: RunPodClient, ttl: TimeInterval = 60, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.ttl = ttl
        self.clock = clock
    }

    /// The stock of every context, from the cache when fresh.
    ///
    /// - Throws: the first `RunPodError` a read meets (callers plan without stock then, and say so).
    public func read(_ contexts: [Context] = AvailabilityReader.planContexts) async throws -> GPUAvailability {
        var availability = GPUAvailability()
        for context in contexts {
            availability.record(context.product, cloud: context.cloud, try await stock(context))
        }
        return availability
    }

    func stock(_ context: Context) async throws -> [String: GPUAvailability.Stock] {
        let now = clock()
        if let hit = cached(context), now.timeIntervalSince(hit.at) < ttl { return hit.stock }
        let cloud = context.product == .serverless ? nil : context.cloud
        let types = try await client.gpuAvailability(product: context.product.rawValue, cloud: cloud)
        var stock: [String: GPUAvailability.Stock] = [:]
        for t in types {
            guard let level = t.availability.flatMap(GPUAvailability.Level.init(rawValue:)) else { continue }
            var byDC: [String: GPUAvailability.Level] = [:]
            for dc in t.dataCenters ?? [] { byDC[dc.id] = GPUAvailability.Level(rawValue: dc.availability) ?? GPUAvailability.Level.none }
            stock[t.id] = GPUAvailability.Stock(level: level, dataCenters: byDC)
        }
        store(context, now, stock)
        return stock
    }

    private func cached(_ context: Context) -> (at: Date, stock: [String: GPUAvailability.Stock])? {
        lock.lock()
        defer { lock.unlock() }
        return cache[context]
    }

    private func store(_ context: Context, _ at: Date, _ stock: [String: GPUAvailability.Stock]) {
        lock.lock()
        cache[context] = (at, stock)
        lock.unlock()
    }

    /// Forgets every reading (the next read asks RunPod again).
    public func invalidate() {
        lock.lock()
        cache = [:]
        lock.unlock()
    }
}

extension PlanPipeline {
    /// The capacity fallback `apply` and `reconcile` use: re-plans one deployment from its spec
    /// file with the refused GPU types out of stock and the types its live resources run on held
    /// (`Specs/state.md`, "Capacity").
    public func capacityFallback(
        availability: GPUAvailability?, memory: RefusalMemory? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> CapacityFallback {
        let pipeline = self
        return CapacityFallback(memory: memory) { d, live, refused in
            var a = availability ?? GPUAvailability()
            a.refused[d.name, default: []].formUnion(refused.union(memory?.current()[d.name] ?? []))
            a.held[d.name] = live.heldGPUs(spec: d.name, scope: d.scope, gpus: pipeline.catalogs.gpus)
            return pipeline.run([d.specFile], now: now(), availability: a).plan.deployments.first { $0.name == d.name }
        }
    }

    /// Availability with what each deployment's live resources already run on held.
    public func holding(_ availability: GPUAvailability, live: LiveState, for deployments: [Deployment]) -> GPUAvailability {
        var a = availability
        for d in deployments { a.held[d.name] = live.heldGPUs(spec: d.name, scope: d.scope, gpus: catalogs.gpus) }
        return a
    }
}
