import Foundation
import PodformCatalog
import PodformCompiler
import RunPodAPI

/// What the resources a spec owns cost now, per month, at the catalog's list prices: pods at their
/// GPU-hour price around the clock; endpoints at their always-on (active) workers, plus the plan's
/// usage-based (flex) part when the endpoint runs the planned GPU pool and count. An estimate for
/// the PR comment's "vs live" column, not a bill (`podform status` shows actual spend).
public func liveMonthlyCost(_ d: Deployment, live: LiveState, gpus: GPUCatalog) -> Double? {
    let owned = live.ownedResources(spec: d.name)
    if owned.pods.isEmpty && owned.endpoints.isEmpty && owned.clusters.isEmpty { return nil }
    var total = 0.0
    for c in owned.clusters {
        // Every node's GPUs around the clock, at the Secure Cloud pod rate (D-CLUSTER).
        let price = gpus.gpu(named: c.cluster.compute.gpuTypeId)?.prices.podSecurePerHour?.usd ?? 0
        total += price * Double(c.cluster.compute.gpuCountPerPod * c.cluster.compute.podCount) * BillingMonth.hours
    }
    for pod in owned.pods where pod.status != "EXITED" {
        guard let id = pod.gpuTypeID, let gpu = gpus.gpu(named: id) else { continue }
        var count = 1
        if case .int(let c)? = pod.gpu?["count"] { count = c }
        let price = pod.cloud == "COMMUNITY" ? gpu.prices.podCommunityPerHour : gpu.prices.podSecurePerHour
        total += (price?.usd ?? 0) * Double(count) * BillingMonth.hours
    }
    for endpoint in owned.endpoints {
        var pools: [String] = []
        if case .array(let a)? = endpoint.gpu?["pools"] { pools = a.compactMap(\.stringValue) }
        var count = 1, minWorkers = 0
        if case .int(let c)? = endpoint.gpu?["count"] { count = c }
        if case .int(let m)? = endpoint.workers?["min"] { minWorkers = m }
        let gpu = gpus.gpus.first { pools.contains($0.serverlessPool ?? "") }
        let active = gpu.flatMap { gpus.activePerSecond($0) ?? gpus.flexPerSecond($0) }?.usd ?? 0
        total += Double(minWorkers * count) * active * 3600 * BillingMonth.hours
        if d.mode == .serverless, pools == d.serverless?.pools, count == d.gpu.count {
            let plannedActive = Double((d.workers?.min ?? 0) * d.gpu.count) * active * 3600 * BillingMonth.hours
            total += max(d.cost.computeMonthlyUSD - plannedActive, 0) + d.cost.storageMonthlyUSD
        }
    }
    return (total * 100).rounded() / 100
}
