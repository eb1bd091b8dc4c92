import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

/// What the compiler's models say about a compiled serving deployment, as plain numbers: the traffic
/// (rates, window, lengths), the replica's speed (prefill, decode step by batch), the fleet (workers,
/// scaler, idle timeout, cold start) and the prices. The simulator (`PodformSimulate`) runs on this,
/// so a simulation and the plan it checks share one set of assumptions.
public struct ServingModel: Sendable, Hashable, Codable {
    // Traffic.
    public var requestsPerDay: Double
    /// Hours a run day's traffic arrives over, from `windowStartMinute` (local time of the schedule).
    public var activeHours: Double
    public var windowStartMinute: Int
    /// Days of the week traffic arrives on (0 = Sunday).
    public var runDays: [Int]
    public var profile: RateProfile
    public var promptTokens: Int
    public var outputTokens: Int
    public var context: Int
    // One replica, from the compiler's speed model (`Compiler.replicaPerformance`).
    /// Prefill forward-pass seconds (the GPU work prompts queue for, one after another) of a prompt of
    /// `i x prefillGridTokens` tokens (i = 0, 1, ...), interpolated between.
    public var prefillSecondsByGrid: [Double]
    public var prefillGridTokens: Int
    /// Fixed per-request seconds (HTTP, tokenization, scheduling, first sampling): latency every
    /// request adds to its TTFT, not GPU work other prompts wait behind.
    public var requestSeconds: Double
    /// Decode step seconds at batch `b` is element `b - 1` (b = 1...slots).
    public var stepSecondsByBatch: [Double]
    public var slots: Int
    public var gpusPerWorker: Int
    // The fleet.
    public var mode: DeploymentMode
    public var workerMode: WorkerMode?
    public var replicas: Int
    public var minWorkers: Int
    public var maxWorkers: Int
    public var scaler: String
    public var scalerValue: Double
    public var idleSeconds: Double
    public var coldStartSeconds: Double
    public var flashboot: Bool
    // Prices (per GPU).
    public var flexPerGPUSecond: Double
    public var activePerGPUSecond: Double
    public var podPerGPUHour: Double
    public var podHoursPerDay: Double
    public var storageMonthlyUSD: Double
    // The SLA (nil: not bounded). `coldStartLimit` 0 means `cold_start: none`.
    public var ttftLimit: Double?
    public var tokensPerSecondLimit: Double?
    public var coldStartLimit: Double?
    // What the plan claims.
    public var claimedMonthlyUSD: Double
    public var claimedSLAMet: Bool

    public init(
        requestsPerDay: Double, activeHours: Double, windowStartMinute: Int, runDays: [Int], profile: RateProfile, promptTokens: Int,
        outputTokens: Int, context: Int, prefillSecondsByGrid: [Double], prefillGridTokens: Int, requestSeconds: Double, stepSecondsByBatch: [Double],
        slots: Int, gpusPerWorker: Int, mode: DeploymentMode, workerMode: WorkerMode?, replicas: Int, minWorkers: Int, maxWorkers: Int,
        scaler: String, scalerValue: Double, idleSeconds: Double, coldStartSeconds: Double, flashboot: Bool, flexPerGPUSecond: Double,
        activePerGPUSecond: Double, podPerGPUHour: Double, podHoursPerDay: Double, storageMonthlyUSD: Double, ttftLimit: Double?,
        tokensPerSecondLimit: Double?, coldStartLimit: Double?, claimedMonthlyUSD: Double, claimedSLAMet: Bool
    ) {
        self.requestsPerDay = requestsPerDay
        self.activeHours = activeHours
        self.windowStartMinute = windowStartMinute
        self.runDays = runDays
        self.profile = profile
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.context = context
        self.prefillSecondsByGrid = prefillSecondsByGrid
        self.prefillGridTokens = prefillGridTokens
        self.requestSeconds = requestSeconds
        self.stepSecondsByBatch = stepSecondsByBatch
        self.slots = slots
        self.gpusPerWorker = gpusPerWorker
        self.mode = mode
        self.workerMode = workerMode
        self.replicas = replicas
        self.minWorkers = minWorkers
        self.maxWorkers = maxWorkers
        self.scaler = scaler
        self.scalerValue = scalerValue
        self.idleSeconds = idleSeconds
        self.coldStartSeconds = coldStartSeconds
        self.flashboot = flashboot
        self.flexPerGPUSecond = flexPerGPUSecond
        self.activePerGPUSecond = activePerGPUSecond
        self.podPerGPUHour = podPerGPUHour
        self.podHoursPerDay = podHoursPerDay
        self.storageMonthlyUSD = storageMonthlyUSD
        self.ttftLimit = ttftLimit
        self.tokensPerSecondLimit = tokensPerSecondLimit
        self.coldStartLimit = coldStartLimit
        self.claimedMonthlyUSD = claimedMonthlyUSD
        self.claimedSLAMet = claimedSLAMet
    }

    /// Decode step seconds at `batch` sequences (clamped to 1...slots).
    public func stepSeconds(batch: Int) -> Double {
        guard !stepSecondsByBatch.isEmpty else { return 0 }
        return stepSecondsByBatch[min(max(batch, 1), stepSecondsByBatch.count) - 1]
    }

    /// Time to first token of one prompt with no queue: its forward pass plus the request overhead.
    public func prefillSeconds(prompt: Int) -> Double { prefillForwardSeconds(prompt: prompt) + requestSeconds }

    /// Forward-pass seconds of one prompt, interpolated on the grid.
    public func prefillForwardSeconds(prompt: Int) -> Double {
        guard let last = prefillSecondsByGrid.last else { return 0 }
        let x = Double(max(prompt, 0)) / Double(max(prefillGridTokens, 1))
        let i = Int(x)
        guard i + 1 < prefillSecondsByGrid.count else { return last }
        let f = x - Double(i)
        return prefillSecondsByGrid[i] * (1 - f) + prefillSecondsByGrid[i + 1] * f
    }

    /// Log-space sigma of prompt and output lengths around their means: what the simulation draws, and
    /// what the compiler's TTFT budgets assume (`Specs/performance.md` §4-5).
    public static let lengthSigma = 0.5

    /// Squared coefficient of variation of a request's hold (output length x step): e^(sigma^2) - 1.
    public static var holdCV2: Double { exp(lengthSigma * lengthSigma) - 1 }

    /// Grid points the prefill table holds (the context split evenly).
    public static let prefillGridPoints = 64
}

extension Compiler {
    /// The decode batch a worker runs at when requests arrive at `rate` (Little's law, capped at the slots),
    /// and how long each request then holds a slot (TTFT + output x step).
    func hold(_ c: Candidate, load: Load, rate: Double) -> (batch: Int, seconds: Double) {
        // Little's law as a fixed point: the batch is the rate x the hold at that batch.
        var batch = 1
        for _ in 0..<6 {
            let seconds = Double(batch) * gpuSecondsPerRequest(c, load: load, batch: batch)
            let next = max(1, min(c.perReplicaConcurrency, Int(saturating: (rate * seconds).rounded(.up))))
            if next <= batch { break }
            batch = next
        }
        return (batch, Double(batch) * gpuSecondsPerRequest(c, load: load, batch: batch))
    }

    /// The share of days traffic arrives on (a schedule's days; every day without one).
    var runDayShare: Double { spec.traffic.schedule.map { Double(Set($0.days).count) / 7 } ?? 1 }

    /// The rate profile over the active hours.
    func rateProfile(_ load: Load) -> RateProfile {
        let mean = load.requestsPerDay / (max(load.activeHours, 0.1) * 3600)
        return RateProfile.make(mean: mean, peak: max(load.peakRPS, mean))
    }
}

/// How a fleet runs, as the simulation needs it: from a compiled deployment or a priced option.
struct FleetShape {
    var gpu: GPUType
    var tp: Int
    var slots: Int
    var replicas: Int
    var mode: DeploymentMode
    var workerMode: WorkerMode?
    var minWorkers: Int
    var maxWorkers: Int
    var scaler: String
    var scalerValue: Double
    var idleSeconds: Double
    var coldStartSeconds: Double
    var flashboot: Bool
    var storageMonthlyUSD: Double
}

extension Compiler {
    /// The numbers the simulation runs on for `fleet` under this spec's traffic, with what is claimed.
    func servingModel(_ fleet: FleetShape, load: Load, claimedMonthlyUSD: Double, claimedSLAMet: Bool) -> ServingModel {
        // The compiler's own speed model, at every batch the worker can run and over the prompt lengths
        // the traffic can draw: the simulation times requests exactly as the plan's estimates do.
        let gpu = fleet.gpu, slots = max(fleet.slots, 1)
        let steps = (1...slots).map { replicaPerformance(gpu, tp: fleet.tp, batch: $0, load: load).stepSeconds }
        let grid = max(load.context / ServingModel.prefillGridPoints, 1)
        let prefills = (0...(load.context + grid - 1) / grid).map {
            replicaPerformance(gpu, tp: fleet.tp, batch: 1, load: load, prompt: $0 * grid).prefill
        }
        let requestSeconds = prefills.first??.requestSeconds ?? 0
        let prefill = prefills.map { ($0?.totalSeconds ?? 0) - ($0?.requestSeconds ?? 0) }
        let schedule = spec.traffic.schedule
        let runDays =
            schedule.map { s in Schedule.Day.allCases.indices.filter { s.days.contains(Schedule.Day.allCases[$0]) } }
            ?? Array(0..<7)
        let coldLimit: Double?
        switch spec.sla.coldStart {
        case .none?: coldLimit = 0
        case .seconds(let s)?: coldLimit = s
        case nil: coldLimit = nil
        }
        return ServingModel(
            requestsPerDay: load.requestsPerDay, activeHours: load.activeHours,
            windowStartMinute: schedule?.startMinute ?? (load.activeHours >= 24 ? 0 : 8 * 60), runDays: runDays,
            profile: rateProfile(load), promptTokens: load.prompt, outputTokens: load.output, context: load.context,
            prefillSecondsByGrid: prefill, prefillGridTokens: grid, requestSeconds: requestSeconds, stepSecondsByBatch: steps,
            slots: slots, gpusPerWorker: fleet.tp,
            mode: fleet.mode, workerMode: fleet.workerMode, replicas: fleet.replicas,
            minWorkers: fleet.minWorkers, maxWorkers: fleet.maxWorkers, scaler: fleet.scaler, scalerValue: fleet.scalerValue,
            idleSeconds: fleet.idleSeconds, coldStartSeconds: fleet.coldStartSeconds, flashboot: fleet.flashboot,
            flexPerGPUSecond: environment.gpus.flexPerSecond(gpu)?.usd ?? 0,
            activePerGPUSecond: activePrice(gpu)?.usd ?? 0,
            podPerGPUHour: podPrice(gpu)?.0.usd ?? 0,
            podHoursPerDay: podHoursPerDay, storageMonthlyUSD: fleet.storageMonthlyUSD,
            ttftLimit: spec.sla.ttftP95, tokensPerSecondLimit: spec.sla.outputTokensPerSecond, coldStartLimit: coldLimit,
            claimedMonthlyUSD: claimedMonthlyUSD, claimedSLAMet: claimedSLAMet)
    }

    /// The numbers the simulation runs on for a priced option (what the plan would claim for it).
    func servingModel(_ o: Option, load: Load) -> ServingModel {
        let c = o.candidate
        let scaler = self.scaler(idle: o.idleSeconds, load: load, slots: c.perReplicaConcurrency)
        let fleet = FleetShape(
            gpu: c.gpu, tp: c.tp, slots: c.perReplicaConcurrency, replicas: c.replicas, mode: o.mode, workerMode: o.workerMode,
            minWorkers: o.mode == .pod ? 0 : o.minWorkers, maxWorkers: o.mode == .pod ? 0 : o.maxWorkers,
            scaler: scaler.type, scalerValue: scaler.value, idleSeconds: Double(o.idleSeconds),
            coldStartSeconds: (o.coldStartSeconds ?? 0).rounded(), flashboot: flashboot, storageMonthlyUSD: o.storageMonthlyUSD)
        return servingModel(fleet, load: load, claimedMonthlyUSD: o.monthlyUSD, claimedSLAMet: o.meetsSLA)
    }
}

extension Spec {
    /// The numbers behind a compiled serving deployment (nil for training and fine-tuning).
    public func servingModel(
        deployment d: Deployment, architecture: ModelArchitecture,
        environment: CompileEnvironment
    ) -> ServingModel? {
        guard workload == .inference || workload == .batch, let vllm = d.vllm,
            let gpu = environment.gpus.gpu(named: d.gpu.id)
        else { return nil }
        let compiler = Compiler(spec: self, specFile: d.specFile, architecture: architecture, environment: environment)
        var trace = TraceBuilder()
        let load = compiler.load(&trace)
        let fleet = FleetShape(
            gpu: gpu, tp: d.gpu.count, slots: vllm.maxNumSeqs, replicas: d.estimates?.replicas ?? 1, mode: d.mode,
            workerMode: d.workerMode, minWorkers: d.workers?.min ?? 0, maxWorkers: d.workers?.max ?? 0,
            scaler: d.serverless?.scaler ?? "REQUEST_COUNT", scalerValue: d.serverless?.scalerValue ?? Double(vllm.maxNumSeqs),
            idleSeconds: Double(d.serverless?.idleTimeoutSeconds ?? 0), coldStartSeconds: d.serverless?.coldStartSeconds ?? 0,
            flashboot: d.serverless?.flashboot != "OFF", storageMonthlyUSD: d.cost.storageMonthlyUSD)
        return compiler.servingModel(
            fleet, load: load, claimedMonthlyUSD: d.cost.monthlyUSD,
            claimedSLAMet: d.estimates?.slaMet ?? true)
    }
}
