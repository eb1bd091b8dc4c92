import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

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

    /// The scaler an endpoint runs with (D-SERVERLESS): realtime traffic at the default idle tail scales on
    /// REQUEST_COUNT at the per-worker slots; a longer idle timeout (the lever that keeps a worker warm
    /// between requests) needs QUEUE_DELAY, since RunPod takes no idle timeout with REQUEST_COUNT, and so
    /// does batch traffic. QUEUE_DELAY adds a worker only once the oldest request has waited `value`
    /// seconds: that delay is `delay` (0 for REQUEST_COUNT, which scales as requests arrive).
    func scaler(idle: Int, load: Load, slots: Int) -> (type: String, value: Double, delay: Double) {
        let realtime = spec.workload == .inference && load.pattern != .batch
        return realtime && idle <= idleTimeout(load) ? ("REQUEST_COUNT", Double(max(slots, 1)), 0) : ("QUEUE_DELAY", 4, 4)
    }

    /// Idle timeouts tried when the default lets too many requests meet a cold start: a longer idle
    /// tail keeps a worker warm between requests, and is billed.
    static let longerIdleTimeouts = [30, 60, 120, 300, 600, 1800, 3600]

    /// Prices every allowed way of running a feasible candidate (D-PRICING): each allowed pricing model
    /// the candidate can run in.
    func options(for c: Candidate, load: Load, allowed: Set<PricingModel>) -> [Option] {
        var result: [Option] = []
        let storage = storagePlan
        let inputs = pricingInputs(c, load: load)
        if allowed.contains(.pod), let pod = podOption(c, load: load, storage: storage, inputs: inputs) { result.append(pod) }
        guard serverlessPossible(c.gpu), let flex = environment.gpus.flexPerSecond(c.gpu) else { return result }
        // The bytes a worker downloads or reads are the checkpoint's on disk: the 16-bit one when vLLM
        // quantizes while loading (issue 16), not the smaller in-GPU weights.
        let cold = environment.coldStart.estimate(weightsBytes: downloadBytes, location: weightsLocation, flashboot: flashboot)
        let basis = ServerlessBasis(
            candidate: c, load: load, inputs: inputs, flex: flex, coldSeconds: cold,
            volumeMonthlyUSD: Double(storage.networkVolumeGB ?? 0) * environment.gpus.storage.networkVolumePerGBMonth)
        if allowed.contains(.serverlessFlex) && coldStartAllowsScaleToZero(cold) { result.append(flexOption(basis)) }
        if allowed.contains(.serverlessActive), let active = activePrice(c.gpu) { result += activeOptions(basis, active: active) }
        return result
    }

    /// D-COST-POD: every replica's GPUs and disks for the hours a day the pod runs.
    func podOption(_ c: Candidate, load: Load, storage: StoragePlan, inputs: PricingInputs) -> Option? {
        guard let (price, _) = podPrice(c.gpu) else { return nil }
        let hourly = price.usd * Double(c.tp) * Double(c.replicas)
        let hoursPerDay = podHoursPerDay
        let diskMonthly =
            Double(storage.podContainerDiskGB + (storage.podVolumeGB ?? 0)) * environment.gpus.storage.containerDiskPerGBMonth
            * Double(c.replicas) * hoursPerDay / 24
        return Option(
            candidate: c, model: .pod, minWorkers: c.replicas, maxWorkers: c.replicas,
            hourlyUSD: hourly + diskMonthly / hoursPerMonth, computeMonthlyUSD: hourly * hoursPerDay * daysPerMonth,
            storageMonthlyUSD: diskMonthly, coldStartSeconds: nil, ttftWaitShare: podWaitShare(load: load, inputs: inputs),
            prices: [price])
    }

    /// D-COST-FLEX: flex workers billed per second while up (`flexUpSecondsPerDay`), scaled to zero.
    func flexOption(_ b: ServerlessBasis) -> Option {
        let gpus = Double(b.candidate.tp), dayShare = runDayShare
        return serverlessOption(b, .serverlessFlex, minWorkers: 0, prices: [b.flex]) { up in up * dayShare * gpus * b.flex.usd }
    }

    /// D-COST-ACTIVE: one option per minimum of active workers. Active workers run all day; demand
    /// beyond them goes to flex workers, idle tails and cold starts billed. With `cold_start: none` no
    /// worker may start cold: every worker is active. With `sla.redundancy: n+1` one active worker may
    /// fail: at least two stay warm.
    func activeOptions(_ b: ServerlessBasis, active: PricePoint) -> [Option] {
        let c = b.candidate, gpus = Double(c.tp), dayShare = runDayShare
        var lowest = spec.sla.coldStart == ColdStart.none ? max(c.replicas, 1) : 1
        if spec.sla.redundancy == .nPlusOne { lowest = min(max(lowest, 2), max(c.replicas, 1)) }
        return (lowest...max(c.replicas, 1)).map { minimum in
            serverlessOption(b, .serverlessActive, minWorkers: minimum, prices: [active, b.flex]) { up in
                Double(minimum) * gpus * active.usd * 86_400 + up * dayShare * gpus * b.flex.usd
            }
        }
    }

    /// A serverless option at the cheapest idle timeout that meets the SLA (else at the default's):
    /// `perDay` is its compute cost per run day, given the flex worker-seconds up beyond the minimum.
    func serverlessOption(
        _ b: ServerlessBasis, _ model: PricingModel, minWorkers: Int, prices: [PricePoint], perDay: (_ upSeconds: Double) -> Double
    ) -> Option {
        let c = b.candidate, defaultIdle = idleTimeout(b.load)
        var fallback: Option?
        for idle in [defaultIdle] + Self.longerIdleTimeouts.filter({ $0 > defaultIdle }) {
            let daily = perDay(
                flexUpSecondsPerDay(c, load: b.load, inputs: b.inputs, minWorkers: minWorkers, idle: Double(idle), cold: b.coldSeconds))
            let shares = slaShares(c, load: b.load, inputs: b.inputs, minWorkers: minWorkers, idle: Double(idle), cold: b.coldSeconds)
            let o = Option(
                candidate: c, model: model, minWorkers: minWorkers, maxWorkers: c.replicas,
                hourlyUSD: daily / 24 + b.volumeMonthlyUSD / hoursPerMonth, computeMonthlyUSD: daily * daysPerMonth,
                storageMonthlyUSD: b.volumeMonthlyUSD, coldStartSeconds: b.coldSeconds, idleSeconds: idle,
                coldWaitShare: shares.cold, ttftWaitShare: shares.ttft, prices: prices)
            if fallback == nil { fallback = o }
            if o.meetsSLA { return o }
            // Past one worker per active hour, a longer tail cannot help: the rate is the problem.
            if minWorkers >= max(c.replicas, 1) { break }
        }
        return fallback!
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

/// What every serverless option of a candidate shares: its load and pricing inputs, the flex rate,
/// the estimated cold start and the network volume's monthly cost.
struct ServerlessBasis {
    var candidate: Candidate
    var load: Load
    var inputs: PricingInputs
    var flex: PricePoint
    var coldSeconds: Double
    var volumeMonthlyUSD: Double
}
