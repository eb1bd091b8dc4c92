import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// Share of a pod fleet's requests that wait past their TTFT budget for a slot
    /// (`ServerlessScaling.slotWaitShare`).
    func podWaitShare(load: Load, inputs: PricingInputs) -> Double? {
        guard spec.sla.ttftP95 != nil, load.requestsPerDay > 0 else { return nil }
        let weights = inputs.profile.states.map { $0.share > 0 ? $0.share * $0.rate : 0 }
        let total = weights.reduce(0, +)
        return TTFTBudget.share(inputs.budgets) { limit in
            var share = 0.0
            for (i, state) in inputs.profile.states.enumerated() where weights[i] > 0 {
                share +=
                    weights[i]
                    * ServerlessScaling.slotWaitShare(
                        inputs.demand[i], rate: state.rate, limit: limit,
                        serviceCV2: ServingModel.holdCV2)
            }
            return total > 0 ? share / total : 0
        }
    }

    /// Share of requests (by request) that wait past their limit for a slot on a ready worker: within
    /// each rate (`ServerlessFleet`), plus the start of every peak block, which finds the workers the
    /// lower rate kept: overloaded until new ones start (scaler delay + C) and the backlog drains, or,
    /// when they cope on average, the first worker stopped as often as the quiet rate lets it go.
    func waitShare(
        _ c: Candidate, load: Load, inputs: PricingInputs, minWorkers: Int, idle: Double, cold: Double,
        limits: [TTFTBudget]
    ) -> Double {
        waits(c, load: load, inputs: inputs, minWorkers: minWorkers, idle: idle, cold: cold).share(limits)
    }

    /// The fleets and peak starts `waitShare` reads, built once for every set of limits asked of them.
    func waits(_ c: Candidate, load: Load, inputs: PricingInputs, minWorkers: Int, idle: Double, cold: Double) -> FleetWaits {
        guard load.requestsPerDay > 0 else {
            return FleetWaits(fleets: [], extra: [], weights: [], totalWeight: 0, overloadSeconds: 0, overloadWeight: 0)
        }
        let profile = inputs.profile, holds = inputs.holds
        let slots = max(c.perReplicaConcurrency, 1), maxWorkers = max(c.replicas, minWorkers)
        let delay = scaler(idle: Int(idle), load: load, slots: slots).delay
        let fleets = profile.states.indices.map {
            ServerlessFleet(
                rate: profile.states[$0].rate, holdSeconds: holds[$0], slots: slots, minWorkers: minWorkers,
                maxWorkers: maxWorkers, idleSeconds: idle, coldSeconds: cold, scalerDelay: delay, curve: inputs.curve,
                demand: maxWorkers == max(c.replicas, 1) ? inputs.demand[$0] : nil)
        }
        let start = peakStart(
            profile, fleets: fleets, holds: holds, slots: slots, minWorkers: minWorkers,
            maxWorkers: maxWorkers, idle: idle, cold: cold, delay: delay)
        var extra = [Double](repeating: 0, count: fleets.count)
        if !extra.isEmpty { extra[0] = start.firstWorkerStarts }
        // By request: each rate weighs its share of time x its rate.
        let weights = profile.states.map { $0.share > 0 ? $0.share * $0.rate : 0 }
        return FleetWaits(
            fleets: fleets, extra: extra, weights: weights, totalWeight: weights.reduce(0, +),
            overloadSeconds: start.overloadSeconds, overloadWeight: start.overloadWeight)
    }

    /// What the start of a peak run costs in waits: per second of peak, the runs that start with the
    /// workers the quiet blocks let go (the block before was quiet, and no peak came within the idle
    /// timeout before it). If those workers cannot carry the peak, arrivals wait until new ones start
    /// (scaler delay + C) and the backlog drains: `overloadSeconds` of late arrivals, weighted by
    /// request; otherwise the first worker is found stopped as often as the quiet rate lets it go.
    func peakStart(
        _ profile: RateProfile, fleets: [ServerlessFleet], holds: [Double], slots: Int, minWorkers: Int,
        maxWorkers: Int, idle: Double, cold: Double, delay: Double
    )
        -> (overloadSeconds: Double, overloadWeight: Double, firstWorkerStarts: Double)
    {
        let mean = profile.meanRate
        guard fleets.count == 2, mean > 0,
            let run = PeakRun(profile, holds: holds, slots: slots, minWorkers: minWorkers, maxWorkers: maxWorkers, idle: idle)
        else { return (0, 0, 0) }
        let peak = run.peak
        let excess = peak.rate - Double(run.warm * slots) / holds[0]
        if excess > 0 {
            let drain = Double(min(max(run.needPeak, run.warm), maxWorkers) * slots) / holds[0] - peak.rate
            let late = drain > 0 ? min(RateProfile.blockSeconds, cold + delay + excess * (cold + delay) / drain) : RateProfile.blockSeconds
            return (late, peak.share * run.runsPerSecond * peak.rate / mean, 0)
        }
        let p = fleets[0].upShares.first ?? 0, b = fleets[1].upShares.first ?? 0
        return (0, 0, max(0, p - b) * run.runsPerSecond)
    }

    /// The TTFT budgets a wait for a slot may use, over the prompt lengths the traffic draws (log-normal
    /// around the mean, `ServingModel.lengthSigma`, in strata): the SLA minus that prompt's prefill and the
    /// p95 prefill queue at the peak rate. Long prompts leave less (or nothing: those requests break the
    /// SLA however short the wait).
    func ttftBudgets(_ c: Candidate, load: Load) -> [TTFTBudget] {
        guard let ttft = spec.sla.ttftP95, let perf = c.performance else { return [] }
        let queue = max(perf.ttftP95Seconds - perf.ttftSeconds, 0)
        let sigma = ServingModel.lengthSigma
        return TTFTBudget.strata.map { weight, z in
            let prompt = Double(load.prompt) * exp(-sigma * sigma / 2 + sigma * z)
            let p = min(max(Int(prompt.rounded()), 1), max(load.context - 1, 1))
            let prefill = replicaPrefillSeconds(c.gpu, tp: c.tp, load: load, prompt: p)
            return TTFTBudget(weight: weight, limit: ttft - prefill - queue)
        }
    }

    /// The SLA shares of a serverless option: cold-start waits over `sla.cold_start`, and waits for a
    /// slot or a worker longer than the TTFT SLA leaves after each prompt's prefill.
    func slaShares(
        _ c: Candidate, load: Load, inputs: PricingInputs, minWorkers: Int, idle: Double,
        cold: Double
    ) -> (cold: Double?, ttft: Double?) {
        var coldShare: Double?, ttftShare: Double?
        // Both shares read the same fleets: built at most once.
        var built: FleetWaits?
        func fleetWaits() -> FleetWaits {
            if let built { return built }
            let w = waits(c, load: load, inputs: inputs, minWorkers: minWorkers, idle: idle, cold: cold)
            built = w
            return w
        }
        if case .seconds(let limit)? = spec.sla.coldStart, cold > 0 {
            coldShare =
                minWorkers >= max(c.replicas, 1)
                ? 0
                : cold <= limit && minWorkers >= 1
                    ? 0
                    : fleetWaits().share([TTFTBudget(weight: 1, limit: limit)])
        }
        if !inputs.budgets.isEmpty {
            ttftShare = fleetWaits().share(inputs.budgets)
        }
        return (coldShare, ttftShare)
    }

}
