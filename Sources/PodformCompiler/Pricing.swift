import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

/// A priced way to run a candidate: pod, serverless flex or serverless active.
struct Option {
    var candidate: Candidate
    var mode: DeploymentMode
    var workerMode: WorkerMode?
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

    /// The documented tie-break order (`Specs/decisions.md`, D-TIEBREAK): cheapest monthly cost
    /// (to the cent), then fewer GPUs, then pods before serverless, then more memory margin, then GPU id.
    static func isCheaper(_ a: Option, _ b: Option) -> Bool {
        let ca = (a.monthlyUSD * 100).rounded(), cb = (b.monthlyUSD * 100).rounded()
        if ca != cb { return ca < cb }
        if a.candidate.totalGPUs != b.candidate.totalGPUs { return a.candidate.totalGPUs < b.candidate.totalGPUs }
        if a.mode != b.mode { return a.mode == .pod }
        if a.workerMode != b.workerMode { return a.workerMode == .flex }
        if a.candidate.marginBytes != b.candidate.marginBytes { return a.candidate.marginBytes > b.candidate.marginBytes }
        return a.candidate.gpu.id < b.candidate.gpu.id
    }
}

/// Share of requests a p95 term may break (5%), as the analytic model must show it: 3.5%, its margin
/// for error against the simulation (`AnalyticVerdictTests`: slot queueing on pods reads within about
/// 0.8x-1.4x of the simulated share, flex fleets within 0.4x-1.5x, e.g. 3.2% analytic vs 4.2% simulated
/// for 3 flex RTX A6000 workers on examples/gpt-oss-agent.yaml).
let slaBreachShare = 0.035

extension Compiler {
    var cloudLabel: String {
        switch spec.constraints.cloud ?? .secure {
        case .secure: return "Secure Cloud"
        case .community: return "Community Cloud"
        case .any: return "Secure or Community Cloud"
        }
    }

    /// The pod price for the spec's cloud: secure (default), community, or the cheaper of both.
    func podPrice(_ gpu: GPUType) -> (PricePoint, String)? {
        // Network volumes exist only in Secure Cloud (NOTES §7): a pod that mounts one is a Secure pod.
        if weightsLocation == .networkVolume { return gpu.prices.podSecurePerHour.map { ($0, "SECURE") } }
        switch spec.constraints.cloud ?? .secure {
        case .secure: return gpu.prices.podSecurePerHour.map { ($0, "SECURE") }
        case .community: return gpu.prices.podCommunityPerHour.map { ($0, "COMMUNITY") }
        case .any:
            let options = [gpu.prices.podSecurePerHour.map { ($0, "SECURE") }, gpu.prices.podCommunityPerHour.map { ($0, "COMMUNITY") }]
                .compactMap { $0 }
            let stocked = options.filter { podCloudStocked(gpu, $0.1) }  // D-AVAILABILITY: the other cloud when one is out of stock
            return (stocked.isEmpty ? options : stocked).min { $0.0.usd < $1.0.usd }
        }
    }

    func serverlessPossible(_ gpu: GPUType) -> Bool {
        gpu.serverlessPool != nil && environment.gpus.flexPerSecond(gpu) != nil
    }

    /// Seconds one request occupies a replica at batch `b` (TTFT + output x step), divided by b.
    func gpuSecondsPerRequest(_ c: Candidate, load: Load, batch: Int) -> Double {
        let key = CompilerMemo.PerformanceKey(
            gpu: c.gpu.id, tp: c.tp, batch: batch, prompt: load.prompt, output: load.output,
            context: load.context)
        if let known = memo.secondsPerRequest[key] { return known }
        let perf = replicaPerformance(c.gpu, tp: c.tp, batch: batch, load: load)
        let seconds = perf.requestsPerSecond > 0 ? 1 / perf.requestsPerSecond : 0
        memo.secondsPerRequest[key] = seconds
        return seconds
    }

    /// Expected flex worker-seconds up per run day beyond `minWorkers` active ones, idle tails and
    /// cold starts included (D-COST-FLEX): worker k's up share at each rate of the profile
    /// (`ServerlessScaling.worker` on the `InFlight` demand), carried across blocks by the idle timeout,
    /// plus the idle tail of the workers still up when the active hours end.
    ///
    /// Blocks are drawn independently, a peak with its share p. An idle timeout shorter than a block:
    /// each rate's up share, and after a peak run its workers stay up through the quiet blocks for
    /// n = idle / block blocks unless a peak returns first, covering 1 - (1 - p)^n of the quiet time. A
    /// longer one: a worker is up in a block when it was demanded in it or in the n before (each block
    /// demands it with probability D, from the demand at the block's start and the rate its excursions
    /// begin at): 1 - (1 - D)^(n + 1). Under QUEUE_DELAY only the excursions that outlast the delay
    /// start a worker (`ServerlessScaling.startShare`).
    func flexUpSecondsPerDay(_ c: Candidate, load: Load, inputs: PricingInputs, minWorkers: Int, idle: Double, cold: Double) -> Double {
        let maxWorkers = max(c.replicas, minWorkers)
        guard maxWorkers > minWorkers else { return 0 }
        let activeSeconds = max(load.activeHours, 0.1) * 3600
        guard load.requestsPerDay > 0 else { return load.rateGiven ? 0 : Double(maxWorkers - minWorkers) * activeSeconds }
        let profile = inputs.profile, curve = inputs.curve, slots = max(c.perReplicaConcurrency, 1)
        let block = RateProfile.blockSeconds
        let delay = scaler(idle: Int(idle), load: load, slots: slots).delay
        // Per rate: each worker's (up share, probability a block demands it).
        let perRate = profile.states.indices.map { i -> [(up: Double, demanded: Double)] in
            let state = profile.states[i], demand = inputs.demand[i], hold = inputs.holds[i]
            return ((minWorkers + 1)...maxWorkers).map { k in
                let starts = ServerlessScaling.startShare(k, rate: state.rate, curve: curve, delay: delay)
                let w = ServerlessScaling.worker(
                    k, rate: state.rate, holdSeconds: hold, scalerStep: slots, idleSeconds: idle,
                    coldSeconds: cold, demand: demand, startShare: starts)
                let m = (k - 1) * slots
                let demanded =
                    demand.overloaded
                    ? 1
                    : 1 - (1 - demand.tail(m) * starts) * exp(-state.rate * demand.pmf(m) * starts * block)
                return (w.upShare, demanded)
            }
        }
        var up = 0.0
        for k in perRate[0].indices {
            if profile.states.count != 2 {
                up += zip(profile.states, perRate).reduce(0) { $0 + $1.0.share * $1.1[k].up }
            } else if idle < block {
                let p = profile.states[0].share, peak = perRate[0][k].up, base = perRate[1][k].up
                let carried = 1 - pow(1 - p, idle / block)
                up += p * peak + (1 - p) * (base + max(peak - base, 0) * carried)
            } else {
                let d = zip(profile.states, perRate).reduce(0) { $0 + $1.0.share * $1.1[k].demanded }
                up += 1 - pow(1 - min(d, 1), idle / block + 1)
            }
        }
        let closed = max(24 - load.activeHours, 0) * 3600
        return activeSeconds * up + up * min(idle, closed)
    }

    /// Seconds a request holds a slot on a replica at each batch (`HoldCurve`).
    func holdCurve(_ c: Candidate, load: Load) -> HoldCurve {
        HoldCurve(
            points: HoldCurve.batches(slots: max(c.perReplicaConcurrency, 1)).map {
                ($0, Double($0) * gpuSecondsPerRequest(c, load: load, batch: $0))
            })
    }

    /// Share of a pod fleet's requests that wait past their TTFT budget for a slot
    /// (`ServerlessScaling.slotWaitShare`).
    func podWaitShare(_ c: Candidate, load: Load, inputs: PricingInputs) -> Double? {
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
        guard profile.states.count == 2, fleets.count == 2, mean > 0 else { return (0, 0, 0) }
        let peak = profile.states[0], base = profile.states[1]
        let runsPerSecond = pow(base.share, max(1, idle / RateProfile.blockSeconds)) / RateProfile.blockSeconds
        let needPeak = Int((peak.rate * holds[0] / Double(slots)).rounded(.up))
        let needBase = Int((base.rate * holds[1] / Double(slots)).rounded(.up))
        let warm = max(minWorkers, min(needBase, maxWorkers))
        let excess = peak.rate - Double(warm * slots) / holds[0]
        if excess > 0 {
            let drain = Double(min(max(needPeak, warm), maxWorkers) * slots) / holds[0] - peak.rate
            let late = drain > 0 ? min(RateProfile.blockSeconds, cold + delay + excess * (cold + delay) / drain) : RateProfile.blockSeconds
            return (late, peak.share * runsPerSecond * peak.rate / mean, 0)
        }
        let p = fleets[0].upShares.first ?? 0, b = fleets[1].upShares.first ?? 0
        return (0, 0, max(0, p - b) * runsPerSecond)
    }

    /// The scaler an endpoint runs with (D-SERVERLESS): realtime traffic at the default idle tail scales on
    /// REQUEST_COUNT at the per-worker slots; a longer idle timeout (the lever that keeps a worker warm
    /// between requests) needs QUEUE_DELAY, since RunPod takes no idle timeout with REQUEST_COUNT, and so
    /// does batch traffic. QUEUE_DELAY adds a worker only once the oldest request has waited `value`
    /// seconds: that delay is `delay` (0 for REQUEST_COUNT, which scales as requests arrive).
    func scaler(idle: Int, load: Load, slots: Int) -> (type: String, value: Double, delay: Double) {
        let realtime = spec.workload == .inference && load.pattern != .batch
        return realtime && idle <= idleTimeout(load) ? ("REQUEST_COUNT", Double(max(slots, 1)), 0) : ("QUEUE_DELAY", 4, 4)
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

    /// Idle timeouts tried when the default lets too many requests meet a cold start: a longer idle
    /// tail keeps a worker warm between requests, and is billed.
    static let longerIdleTimeouts = [30, 60, 120, 300, 600, 1800, 3600]

    /// Prices every allowed way of running a feasible candidate.
    func options(for c: Candidate, load: Load, allowed: Set<String>) -> [Option] {
        var result: [Option] = []
        let storage = storagePlan(c)
        let inputs = pricingInputs(c, load: load)
        let gpus = Double(c.tp)
        if allowed.contains("pod"), let (price, _) = podPrice(c.gpu) {
            let hourly = price.usd * gpus * Double(c.replicas)
            let hoursPerDay = podHoursPerDay
            let diskMonthly =
                Double(storage.podContainerDiskGB + (storage.podVolumeGB ?? 0)) * environment.gpus.storage.containerDiskPerGBMonth
                * Double(c.replicas) * hoursPerDay / 24
            result.append(
                Option(
                    candidate: c, mode: .pod, workerMode: nil, minWorkers: c.replicas, maxWorkers: c.replicas,
                    hourlyUSD: hourly + diskMonthly / hoursPerMonth, computeMonthlyUSD: hourly * hoursPerDay * daysPerMonth,
                    storageMonthlyUSD: diskMonthly, coldStartSeconds: nil, ttftWaitShare: podWaitShare(c, load: load, inputs: inputs),
                    prices: [price]))
        }
        guard serverlessPossible(c.gpu), let flex = environment.gpus.flexPerSecond(c.gpu) else { return result }
        let location = weightsLocation
        // The bytes a worker downloads or reads are the checkpoint's on disk: the 16-bit one when vLLM
        // quantizes while loading (issue 16), not the smaller in-GPU weights.
        let cold = environment.coldStart.estimate(
            weightsBytes: downloadBytes, location: location,
            flashboot: flashboot)
        let defaultIdle = idleTimeout(load)
        let volumeMonthly = Double(storage.networkVolumeGB ?? 0) * environment.gpus.storage.networkVolumePerGBMonth
        let coldOK = coldStartAllowsScaleToZero(cold)
        let dayShare = runDayShare
        /// The cheapest idle timeout whose option meets the SLA (else the default's), for a minimum.
        func priced(minWorkers: Int, make: (Int, Double) -> Option) -> Option {
            var fallback: Option?
            for idle in [defaultIdle] + Self.longerIdleTimeouts.filter({ $0 > defaultIdle }) {
                var o = make(idle, flexUpSecondsPerDay(c, load: load, inputs: inputs, minWorkers: minWorkers, idle: Double(idle), cold: cold))
                let shares = slaShares(c, load: load, inputs: inputs, minWorkers: minWorkers, idle: Double(idle), cold: cold)
                o.idleSeconds = idle
                o.coldWaitShare = shares.cold
                o.ttftWaitShare = shares.ttft
                if fallback == nil { fallback = o }
                if o.meetsSLA { return o }
                // Past one worker per active hour, a longer tail cannot help: the rate is the problem.
                if minWorkers >= max(c.replicas, 1) { break }
            }
            return fallback!
        }
        if allowed.contains("flex") && coldOK {
            result.append(
                priced(minWorkers: 0) { _, up in
                    let perDay = up * dayShare * gpus * flex.usd
                    return Option(
                        candidate: c, mode: .serverless, workerMode: .flex, minWorkers: 0, maxWorkers: c.replicas,
                        hourlyUSD: perDay / 24 + volumeMonthly / hoursPerMonth, computeMonthlyUSD: perDay * daysPerMonth,
                        storageMonthlyUSD: volumeMonthly, coldStartSeconds: cold,
                        prices: [flex])
                })
        }
        if allowed.contains("active"), let active = activePrice(c.gpu) {
            // Active workers run all day; demand beyond them goes to flex workers, idle tails and cold starts billed.
            // With `cold_start: none` no worker may start cold: every worker is active.
            // With `sla.redundancy: n+1` one active worker may fail: at least two stay warm.
            var lowest = spec.sla.coldStart == ColdStart.none ? max(c.replicas, 1) : 1
            if spec.sla.redundancy == .nPlusOne { lowest = min(max(lowest, 2), max(c.replicas, 1)) }
            for minimum in lowest...max(c.replicas, 1) {
                result.append(
                    priced(minWorkers: minimum) { _, up in
                        let perDay = Double(minimum) * gpus * active.usd * 86_400 + up * dayShare * gpus * flex.usd
                        return Option(
                            candidate: c, mode: .serverless, workerMode: .active, minWorkers: minimum, maxWorkers: c.replicas,
                            hourlyUSD: perDay / 24 + volumeMonthly / hoursPerMonth, computeMonthlyUSD: perDay * daysPerMonth,
                            storageMonthlyUSD: volumeMonthly, coldStartSeconds: cold,
                            prices: [active, flex])
                    })
            }
        }
        return result
    }

    /// True when a cold start of `seconds` is within the SLA (or no SLA bounds it).
    func coldStartAllowsScaleToZero(_ seconds: Double) -> Bool {
        switch spec.sla.coldStart {
        case .none?: return false
        case .seconds(let limit)?: return seconds <= limit
        case nil: return true
        }
    }

    /// Hours a day a pod bills: all day, unless `traffic.schedule` says when it runs, because then
    /// `podform reconcile` stops it outside those hours. Nothing else stops a pod, so nothing else
    /// prices it for less (`Specs/state.md`, "Lifecycle").
    var podHoursPerDay: Double { spec.traffic.schedule?.averageHoursPerDay ?? 24 }

    func idleTimeout(_ load: Load) -> Int {
        switch load.pattern {
        case .bursty: return 5
        case .steady: return 60
        case .scheduled, .batch: return 10
        }
    }
}
