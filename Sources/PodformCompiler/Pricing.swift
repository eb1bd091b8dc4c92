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
    var priceSources: [String] { prices.map { $0.source + " (" + $0.asOf + ")" } }

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

/// Share of requests a p95 term may break (5%), as the analytic model must show it: 3.5%, because
/// against the simulation it has read up to ~1.5x low (3.6% analytic vs 5.2% simulated slot queueing on
/// examples/llama3-70b-int4.yaml).
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
            return options.min { $0.0.usd < $1.0.usd }
        }
    }

    func serverlessPossible(_ gpu: GPUType) -> Bool {
        gpu.serverlessPool != nil && environment.gpus.flexPerSecond(gpu) != nil
    }

    /// Seconds one request occupies a replica at batch `b` (TTFT + output x step), divided by b.
    func gpuSecondsPerRequest(_ c: Candidate, load: Load, batch: Int) -> Double {
        let perf = architecture.performance(
            weights: precision, kv: kvFormat,
            gpu: c.gpu.performanceFacts,
            tp: c.tp, batch: batch, prompt: load.prompt, output: load.output, model: environment.performance,
            maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: c.gpu.cudaMemoryGiB, context: load.context))
        return perf.requestsPerSecond > 0 ? 1 / perf.requestsPerSecond : 0
    }

    /// Expected flex worker-seconds up per run day beyond `minWorkers` active ones, idle tails and
    /// cold starts included (`ServerlessScaling`, D-COST-FLEX), averaged over the traffic's rate profile.
    func flexUpSecondsPerDay(_ c: Candidate, load: Load, minWorkers: Int, idle: Double, cold: Double) -> Double {
        guard load.requestsPerDay > 0 else { return 0 }
        let activeSeconds = max(load.activeHours, 0.1) * 3600
        let up = { (rate: Double) in
            ServerlessScaling.flexWorkers(rate: rate, holdSeconds: hold(c, load: load, rate: rate).seconds,
                                          scalerStep: max(c.perReplicaConcurrency, 1), minWorkers: minWorkers,
                                          maxWorkers: max(c.replicas, minWorkers), idleSeconds: idle, coldSeconds: cold).up
        }
        let profile = rateProfile(load)
        // An idle timeout as long as a block keeps the peak's workers up through the quieter blocks.
        if idle >= RateProfile.blockSeconds { return activeSeconds * (profile.states.map { up($0.rate) }.max() ?? 0) }
        return activeSeconds * ServerlessScaling.average(profile, up)
    }

    /// Share of a pod fleet's requests that wait past the TTFT SLA's budget for a slot (M/M/c).
    func podWaitShare(_ c: Candidate, load: Load) -> Double? {
        guard let ttft = spec.sla.ttftP95, let perf = c.performance, load.requestsPerDay > 0 else { return nil }
        let budget = max(ttft - perf.ttftP95Seconds, 0)
        return ServerlessScaling.average(rateProfile(load), requestWeighted: true) { rate in
            ServerlessScaling.queueWaitShare(rate: rate, holdSeconds: hold(c, load: load, rate: rate).seconds,
                                             servers: max(c.replicas, 1) * max(c.perReplicaConcurrency, 1), limit: budget)
        }
    }

    /// Share of requests (by request) that wait more than `limit` seconds for a worker: within each
    /// rate (`ServerlessScaling.coldWaitShare`), plus the start of every peak block, when the workers
    /// the lower rate kept are overloaded until new ones start (C) and the backlog drains.
    func waitShare(_ c: Candidate, load: Load, minWorkers: Int, idle: Double, cold: Double, limit: Double) -> Double {
        guard load.requestsPerDay > 0 else { return 0 }
        let profile = rateProfile(load)
        let slots = max(c.perReplicaConcurrency, 1), maxWorkers = max(c.replicas, minWorkers)
        var share = ServerlessScaling.average(profile, requestWeighted: true) { rate in
            ServerlessScaling.coldWaitShare(rate: rate, holdSeconds: hold(c, load: load, rate: rate).seconds,
                                            slots: slots, minWorkers: minWorkers,
                                            maxWorkers: maxWorkers, idleSeconds: idle, coldSeconds: cold, limit: limit)
        }
        let mean = profile.meanRate
        guard profile.states.count == 2, mean > 0, idle < RateProfile.blockSeconds else { return min(share, 1) }
        let peak = profile.states[0], base = profile.states[1]
        let need = { (rate: Double) in Int((rate * hold(c, load: load, rate: rate).seconds / Double(slots)).rounded(.up)) }
        let warm = max(minWorkers, min(need(base.rate), maxWorkers))
        let h = hold(c, load: load, rate: peak.rate).seconds
        let excess = peak.rate - Double(warm * slots) / h
        if excess > 0 {
            let drain = Double(min(max(need(peak.rate), warm), maxWorkers) * slots) / h - peak.rate
            let late = min(RateProfile.blockSeconds, drain > 0 ? cold + excess * cold / drain : RateProfile.blockSeconds)
            let transitionsPerSecond = peak.share * base.share / RateProfile.blockSeconds
            share += transitionsPerSecond * peak.rate * max(0, late - limit) / mean
        }
        return min(share, 1)
    }

    /// The SLA shares of a serverless option: cold-start waits over `sla.cold_start`, and waits for a
    /// worker longer than the TTFT SLA leaves after the prefill.
    func slaShares(_ c: Candidate, load: Load, minWorkers: Int, idle: Double, cold: Double) -> (cold: Double?, ttft: Double?) {
        var coldShare: Double?, ttftShare: Double?
        if case .seconds(let limit)? = spec.sla.coldStart, cold > 0 {
            coldShare = minWorkers >= max(c.replicas, 1) ? 0
                : cold <= limit && minWorkers >= 1 ? 0
                : waitShare(c, load: load, minWorkers: minWorkers, idle: idle, cold: cold, limit: limit)
        }
        if let ttft = spec.sla.ttftP95, let perf = c.performance {
            let budget = max(ttft - perf.ttftP95Seconds, 0)
            ttftShare = cold <= budget && minWorkers >= 1 ? 0
                : waitShare(c, load: load, minWorkers: minWorkers, idle: idle, cold: cold, limit: budget)
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
        let gpus = Double(c.tp)
        if allowed.contains("pod"), let (price, _) = podPrice(c.gpu) {
            let hourly = price.usd * gpus * Double(c.replicas)
            let hoursPerDay = podHoursPerDay
            let diskMonthly = Double(storage.podContainerDiskGB + (storage.podVolumeGB ?? 0)) * environment.gpus.storage.containerDiskPerGBMonth
                * Double(c.replicas) * hoursPerDay / 24
            result.append(Option(
                candidate: c, mode: .pod, workerMode: nil, minWorkers: c.replicas, maxWorkers: c.replicas,
                hourlyUSD: hourly + diskMonthly / hoursPerMonth, computeMonthlyUSD: hourly * hoursPerDay * daysPerMonth,
                storageMonthlyUSD: diskMonthly, coldStartSeconds: nil, ttftWaitShare: podWaitShare(c, load: load),
                prices: [price]))
        }
        guard serverlessPossible(c.gpu), let flex = environment.gpus.flexPerSecond(c.gpu) else { return result }
        let location = weightsLocation
        let cold = environment.coldStart.estimate(weightsBytes: c.memory.weightsBytes, location: location,
                                                  flashboot: flashboot)
        let defaultIdle = idleTimeout(load)
        let volumeMonthly = Double(storage.networkVolumeGB ?? 0) * environment.gpus.storage.networkVolumePerGBMonth
        let coldOK = coldStartAllowsScaleToZero(cold)
        let dayShare = runDayShare
        /// The cheapest idle timeout whose option meets the SLA (else the default's), for a minimum.
        func priced(minWorkers: Int, make: (Int, Double) -> Option) -> Option {
            var fallback: Option?
            for idle in [defaultIdle] + Self.longerIdleTimeouts.filter({ $0 > defaultIdle }) {
                var o = make(idle, flexUpSecondsPerDay(c, load: load, minWorkers: minWorkers, idle: Double(idle), cold: cold))
                let shares = slaShares(c, load: load, minWorkers: minWorkers, idle: Double(idle), cold: cold)
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
            result.append(priced(minWorkers: 0) { _, up in
                let perDay = up * dayShare * gpus * flex.usd
                return Option(
                    candidate: c, mode: .serverless, workerMode: .flex, minWorkers: 0, maxWorkers: c.replicas,
                    hourlyUSD: perDay / 24 + volumeMonthly / hoursPerMonth, computeMonthlyUSD: perDay * daysPerMonth,
                    storageMonthlyUSD: volumeMonthly, coldStartSeconds: cold,
                    prices: [flex])
            })
        }
        if allowed.contains("active"), let active = environment.gpus.activePerSecond(c.gpu) {
            // Active workers run all day; demand beyond them goes to flex workers, idle tails and cold starts billed.
            // With `cold_start: none` no worker may start cold: every worker is active.
            let lowest = spec.sla.coldStart == ColdStart.none ? max(c.replicas, 1) : 1
            for minimum in lowest...max(c.replicas, 1) {
                result.append(priced(minWorkers: minimum) { _, up in
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
