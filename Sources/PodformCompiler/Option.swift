import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

/// A priced way to run a candidate: the candidate in one pricing model (pod, serverless flex or
/// serverless active at a minimum of workers).
struct Option {
    var candidate: Candidate
    var model: PricingModel
    var minWorkers: Int
    var maxWorkers: Int
    var hourlyUSD: Double
    var computeMonthlyUSD: Double
    var storageMonthlyUSD: Double
    var coldStartSeconds: Double?
    /// The serverless idle timeout the price assumes.
    var idleSeconds: Int = 0
    /// Share of requests that wait longer than `sla.cold_start` for a worker (serverless, analytic).
    var coldWaitShare: Double?
    /// Share of requests that wait past the TTFT SLA's budget for a worker to start (serverless, analytic).
    var ttftWaitShare: Double?
    /// True when the analytic model says the spec's percentiles hold, cold starts included (p95: at most
    /// 5% of requests may break a term).
    var meetsSLA: Bool { (coldWaitShare ?? 0) <= slaBreachShare && (ttftWaitShare ?? 0) <= slaBreachShare }
    /// The prices used, for the plan's sources (formatted only for the chosen option).
    var prices: [PricePoint]
    var priceSources: [String] { prices.map(\.citation) }

    var monthlyUSD: Double { computeMonthlyUSD + storageMonthlyUSD }
    var mode: DeploymentMode { model.mode }
    var workerMode: WorkerMode? { model.workerMode }

    /// The documented tie-break order (`Specs/decisions.md`, D-TIEBREAK): cheapest monthly cost
    /// (to the cent), then fewer GPUs, then pods before serverless and flex before active, then more memory
    /// margin, then GPU id.
    static func isCheaper(_ a: Option, _ b: Option) -> Bool {
        let ca = (a.monthlyUSD * 100).rounded(), cb = (b.monthlyUSD * 100).rounded()
        if ca != cb { return ca < cb }
        if a.candidate.totalGPUs != b.candidate.totalGPUs { return a.candidate.totalGPUs < b.candidate.totalGPUs }
        if a.model != b.model { return a.model.tieBreakRank < b.model.tieBreakRank }
        if a.candidate.marginBytes != b.candidate.marginBytes { return a.candidate.marginBytes > b.candidate.marginBytes }
        return a.candidate.gpu.id < b.candidate.gpu.id
    }
}

/// Share of requests a p95 term may break (5%), as the analytic model must show it: 3.5%, its margin
/// for error against the simulation (`AnalyticVerdictTests`: slot queueing on pods reads within about
/// 0.8x-1.4x of the simulated share, flex fleets within 0.4x-1.5x, e.g. 3.2% analytic vs 4.2% simulated
/// for 3 flex RTX A6000 workers on examples/gpt-oss-agent.yaml).
let slaBreachShare = 0.035
