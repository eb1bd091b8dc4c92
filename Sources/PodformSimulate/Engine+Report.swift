import Foundation
import PodformCompiler

extension Engine {
    func report() -> SimulationReport {
        let served = arrival.indices.filter { !firstToken[$0].isNaN }
        let ttft = served.map { firstToken[$0] - arrival[$0] }
        let wait = served.map { start[$0] - arrival[$0] }
        let speeds = served.compactMap { r -> Double? in
            guard output[r] > 1, !finish[r].isNaN, finish[r] > firstToken[r] else { return nil }
            return Double(output[r] - 1) / (finish[r] - firstToken[r])
        }.sorted()
        let n = Double(max(served.count, 1))
        var terms: [SimulationReport.Term] = []
        let ttftP = SimulationReport.Percentiles.of(ttft)
        if let limit = model.ttftLimit {
            let share = Double(ttft.filter { $0 > limit }.count) / n
            terms.append(.init(term: "ttft_p95", limit: limit, breachShare: share, met: ttftP.p95 <= limit))
        }
        if let limit = model.tokensPerSecondLimit {
            let share = Double(speeds.filter { $0 < limit }.count) / Double(max(speeds.count, 1))
            terms.append(.init(term: "output_tokens_per_second", limit: limit, breachShare: share, met: share <= slaBreachAllowance))
        }
        if let limit = model.coldStartLimit {
            let share: Double
            if limit == 0 {
                share = Double(served.filter { cold[$0] }.count) / n
                terms.append(.init(term: "cold_start", limit: 0, breachShare: share, met: share == 0))
            } else {
                share = Double(served.filter { cold[$0] && start[$0] - arrival[$0] > limit }.count) / n
                terms.append(.init(term: "cold_start", limit: limit, breachShare: share, met: share <= slaBreachAllowance))
            }
        }
        let days = Double(max(options.days, 1))
        let gpus = Double(model.gpusPerWorker)
        let activeWorkers = workers.filter { $0.kind == .active }.count
        let podWorkers = workers.filter { $0.kind == .pod }.count
        let flexGPU = flexSeconds * gpus
        let activeGPU = Double(activeWorkers) * horizon * gpus
        let podGPU = Double(podWorkers) * model.podHoursPerDay * 3600 * days * gpus
        let perDay =
            (flexGPU * model.flexPerGPUSecond + activeGPU * model.activePerGPUSecond
                + podGPU * model.podPerGPUHour / 3600) / days
        let compute = perDay * 30.4167
        var ttftBuckets = [[Double]](repeating: [], count: 48)
        for (i, r) in served.enumerated() {
            ttftBuckets[min(Int(arrival[r].truncatingRemainder(dividingBy: 86_400) / 1800), 47)].append(ttft[i])
        }
        let runDays = options.arrivals == nil ? Double((0..<max(options.days, 1)).filter { model.runDays.contains(($0 + 1) % 7) }.count) : days
        let activeSeconds = max(runDays * model.activeHours * 3600, 1)
        return SimulationReport(
            days: options.days, seed: options.seed, requests: served.count, events: processed,
            ttftSeconds: ttftP, waitSeconds: .of(wait),
            tokensPerSecondP5: speeds.isEmpty ? 0 : speeds[min(speeds.count - 1, Int(Double(speeds.count) * 0.05))],
            coldHitShare: Double(served.filter { cold[$0] }.count) / n, coldStarts: coldStarts,
            terms: terms, slaMet: terms.allSatisfy(\.met),
            flexGPUSeconds: flexGPU, activeGPUSeconds: activeGPU, podGPUSeconds: podGPU,
            meanFlexWorkersUp: flexUpSeconds / activeSeconds, peakWorkers: peakLive,
            computeMonthlyUSD: compute, storageMonthlyUSD: model.storageMonthlyUSD, monthlyUSD: compute + model.storageMonthlyUSD,
            claimedMonthlyUSD: model.claimedMonthlyUSD, claimedSLAMet: model.claimedSLAMet,
            workersByTimeOfDay: buckets.map { $0 / 300 / days },
            ttftP95ByTimeOfDay: ttftBuckets.map { $0.isEmpty ? nil : SimulationReport.Percentiles.of($0).p95 })
    }
}
