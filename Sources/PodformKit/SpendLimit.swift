import Foundation
import PodformCatalog
import PodformCompiler

/// RunPod's account spend limit: the most an account may be billed per hour across all its
/// resources, $80/hour by default, raised through support (RunPod serverless pricing docs,
/// https://docs.runpod.io/serverless/pricing). A deployment (or a directory of them) whose peak
/// hourly bill is above it cannot start or scale as planned: each plan says so (`spend-limit`).
public enum SpendLimit {
    public static let defaultUSDPerHour = 80.0
    public static let source = "https://docs.runpod.io/serverless/pricing"

    /// What a deployment bills per hour at its peak: a pod, cluster or training run its running rate;
    /// an endpoint every worker up (its active minimum at the active rate, the rest at flex).
    /// `activeDiscount`: the spec's `deploy.active_discount` (active workers at flex x (1 - it), as the compiler prices them).
    public static func peakHourlyUSD(_ d: Deployment, gpus: GPUCatalog, activeDiscount: Double? = nil) -> Double {
        guard d.mode == .serverless, let workers = d.workers, let gpu = gpus.gpu(named: d.gpu.id),
            let flex = gpus.flexPerSecond(gpu)
        else { return d.cost.hourlyUSD }
        let active = d.pricingModel == .serverlessActive ? min(workers.min, workers.max) : 0
        let activeRate = activeDiscount.map { flex.usd * (1 - $0) } ?? gpus.activePerSecond(gpu)?.usd ?? flex.usd
        let perSecond = (Double(active) * activeRate + Double(max(workers.max - active, 0)) * flex.usd) * Double(d.gpu.count)
        return perSecond * 3600
    }

    /// Adds a `spend-limit` warning to each deployment whose peak is over `limit`, and, when only
    /// their sum is, to every deployment of the plan. `stated`: the limit came from a flag or a spec
    /// (otherwise it is RunPod's default, and the message says how to state the account's own).
    public static func check(
        _ plan: inout Plan, limit: Double, stated: Bool, gpus: GPUCatalog,
        activeDiscounts: [String: Double] = [:]
    ) {
        guard limit > 0, !plan.deployments.isEmpty else { return }
        let peaks = plan.deployments.map { peakHourlyUSD($0, gpus: gpus, activeDiscount: activeDiscounts[$0.name]) }
        let whose =
            stated
            ? String(format: "the account's $%.2f/hour spend limit", limit)
            : String(
                format:
                    "RunPod's default spend limit of $%.0f/hour (%@; if your account's is higher, state it with constraints.account_spend_limit or --spend-limit)",
                limit, source)
        var anyAlone = false
        for i in plan.deployments.indices where peaks[i] > limit + 1e-9 {
            anyAlone = true
            plan.deployments[i].warnings.append(
                .init(
                    code: "spend-limit",
                    message: String(
                        format: "at its peak this deployment bills $%.2f/hour, over %@: RunPod will not start or scale it as planned", peaks[i], whose
                    )))
        }
        let total = peaks.reduce(0, +)
        guard !anyAlone, plan.deployments.count > 1, total > limit + 1e-9 else { return }
        for i in plan.deployments.indices {
            plan.deployments[i].warnings.append(
                .init(
                    code: "spend-limit",
                    message: String(
                        format:
                            "the %d deployments of this plan bill $%.2f/hour together at their peaks (this one $%.2f), over %@: they cannot all run or scale as planned at once",
                        plan.deployments.count, total, peaks[i], whose)))
        }
    }
}
