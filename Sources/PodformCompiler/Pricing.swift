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
        let perf = architecture.performance(
            weights: precision, kv: kvFormat,
            gpu: c.gpu.performanceFacts,
            tp: c.tp, batch: batch, prompt: load.prompt, output: load.output, model: environment.performance,
            maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: c.gpu.cudaMemoryGiB, context: load.context))
        return perf.requestsPerSecond > 0 ? 1 / perf.requestsPerSecond : 0
    }

    /// Worker-seconds per day a serverless deployment is busy serving `requestsPerDay`.
    func busyWorkerSecondsPerDay(_ c: Candidate, load: Load) -> Double {
        guard load.requestsPerDay > 0 else { return 0 }
        let activeSeconds = max(load.activeHours, 0.1) * 3600
        // Mean concurrency while active (Little's law), capped at the replica's batch.
        let single = gpuSecondsPerRequest(c, load: load, batch: 1)
        let meanConcurrent = load.requestsPerDay / activeSeconds * single
        let batch = max(1, min(c.perReplicaConcurrency, Int(saturating: meanConcurrent.rounded(.up))))
        return load.requestsPerDay * gpuSecondsPerRequest(c, load: load, batch: batch)
    }

    /// Scale-ups per day: each pays a cold start and an idle timeout (`Specs/decisions.md`, D-COST-FLEX).
    func scaleUpsPerDay(_ load: Load) -> Double {
        switch load.pattern {
        case .bursty: return max(1, load.activeHours * 2)
        case .steady: return max(1, load.activeHours / 4)
        case .scheduled, .batch: return 1
        }
    }

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
                storageMonthlyUSD: diskMonthly, coldStartSeconds: nil,
                prices: [price]))
        }
        guard serverlessPossible(c.gpu), let flex = environment.gpus.flexPerSecond(c.gpu) else { return result }
        let location = weightsLocation
        // The bytes a worker downloads or reads are the checkpoint's on disk: the 16-bit one when vLLM
        // quantizes while loading (issue 16), not the smaller in-GPU weights.
        let cold = environment.coldStart.estimate(weightsBytes: downloadBytes, location: location,
                                                  flashboot: flashboot)
        let busy = busyWorkerSecondsPerDay(c, load: load)
        let idle = Double(idleTimeout(load))
        let overhead = scaleUpsPerDay(load) * (cold + idle)
        let volumeMonthly = Double(storage.networkVolumeGB ?? 0) * environment.gpus.storage.networkVolumePerGBMonth
        let coldOK = coldStartAllowsScaleToZero(cold)
        if allowed.contains("flex") && coldOK {
            let perDay = (busy + overhead) * gpus * flex.usd
            result.append(Option(
                candidate: c, mode: .serverless, workerMode: .flex, minWorkers: 0, maxWorkers: c.replicas,
                hourlyUSD: perDay / 24 + volumeMonthly / hoursPerMonth, computeMonthlyUSD: perDay * daysPerMonth,
                storageMonthlyUSD: volumeMonthly, coldStartSeconds: cold,
                prices: [flex]))
        }
        if allowed.contains("active"), let active = environment.gpus.activePerSecond(c.gpu) {
            // Active workers run all day; demand beyond them goes to flex workers.
            // With `cold_start: none` no worker may start cold: every worker is active.
            // With `sla.redundancy: n+1` one active worker may fail: at least two stay warm.
            var lowest = spec.sla.coldStart == ColdStart.none ? max(c.replicas, 1) : 1
            if spec.sla.redundancy == .nPlusOne { lowest = min(max(lowest, 2), max(c.replicas, 1)) }
            for minimum in lowest...max(c.replicas, 1) {
                let activeCost = Double(minimum) * gpus * active.usd * 86_400
                let covered = Double(minimum) * max(load.activeHours, 0.1) * 3600
                let overflow = max(0, busy - covered)
                let overflowCost = overflow > 0 ? (overflow + scaleUpsPerDay(load) * (cold + idle)) * gpus * flex.usd : 0
                let perDay = activeCost + overflowCost
                result.append(Option(
                    candidate: c, mode: .serverless, workerMode: .active, minWorkers: minimum, maxWorkers: c.replicas,
                    hourlyUSD: perDay / 24 + volumeMonthly / hoursPerMonth, computeMonthlyUSD: perDay * daysPerMonth,
                    storageMonthlyUSD: volumeMonthly, coldStartSeconds: cold,
                    prices: [active, flex]))
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
