import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// D-PRICING: the cheapest pricing model, with the others' monthly cost and the pod/flex break-even.
    func pricing(_ best: Option, load: Load, allOptions: [Option], _ trace: inout TraceBuilder)
        -> (comparison: [String: Double], breakEven: Double?)
    {
        let c = best.candidate
        let gpu = c.gpu
        let modeText = best.model.label
        var comparison: [String: Double] = [:]
        for o in allOptions where o.candidate.gpu.id == gpu.id && o.candidate.tp == c.tp && o.candidate.replicas == c.replicas {
            comparison[o.model.comparisonKey(minWorkers: o.minWorkers)] = (o.monthlyUSD * 100).rounded() / 100
        }
        var breakEven: Double?
        if let pod = comparison[PricingModel.pod.comparisonKey(minWorkers: c.replicas)],
            let flex = comparison[PricingModel.serverlessFlex.comparisonKey(minWorkers: 0)], load.requestsPerDay > 0, flex > 0
        {
            let storage = Double(storagePlan.networkVolumeGB ?? 0) * environment.gpus.storage.networkVolumePerGBMonth
            let perRequest = max(flex - storage, 0.0001) / load.requestsPerDay
            breakEven = ((pod - storage) / perRequest).rounded()
        }
        trace.add(
            .pricing, "Which pricing model is cheapest at this traffic?",
            inputs: comparison.mapValues { fmt("$%.2f/month", $0) }.merging(
                [
                    "requests_per_day": fmt("%.0f", load.requestsPerDay),
                    "break_even_requests_per_day": breakEven.map { fmt("%.0f", $0) } ?? "n/a"
                ], uniquingKeysWith: { a, _ in a }),
            outcome: fmt("%@ at $%.2f/month", modeText, best.monthlyUSD), source: Source.seed002)
        return (comparison, breakEven)
    }

    /// The plan's cost: rounded to cents (hourly to 1/100 cent), with the comparison and break-even.
    func cost(_ best: Option, load: Load, comparison: [String: Double], breakEven: Double?) -> Deployment.Cost {
        let monthlyTokens = load.requestsPerDay * daysPerMonth * Double(load.output)
        return Deployment.Cost(
            hourlyUSD: (best.hourlyUSD * 10_000).rounded() / 10_000, monthlyUSD: (best.monthlyUSD * 100).rounded() / 100,
            perMillionOutputTokensUSD: monthlyTokens > 0 ? (best.monthlyUSD / monthlyTokens * 1e6 * 1000).rounded() / 1000 : nil,
            computeMonthlyUSD: (best.computeMonthlyUSD * 100).rounded() / 100, storageMonthlyUSD: (best.storageMonthlyUSD * 100).rounded() / 100,
            comparison: comparison, breakEvenRequestsPerDay: breakEven, priceSources: best.priceSources)
    }
}
