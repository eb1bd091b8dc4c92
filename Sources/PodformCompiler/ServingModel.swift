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
    // One replica.
    public var prefillSecondsPerPromptToken: Double
    public var prefillOverheadSeconds: Double
    public var stepSecondsAtOne: Double
    public var stepSecondsAtSlots: Double
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

    public init(requestsPerDay: Double, activeHours: Double, windowStartMinute: Int, runDays: [Int], profile: RateProfile, promptTokens: Int, outputTokens: Int, context: Int, prefillSecondsPerPromptToken: Double, prefillOverheadSeconds: Double, stepSecondsAtOne: Double, stepSecondsAtSlots: Double, slots: Int, gpusPerWorker: Int, mode: DeploymentMode, workerMode: WorkerMode?, replicas: Int, minWorkers: Int, maxWorkers: Int, scaler: String, scalerValue: Double, idleSeconds: Double, coldStartSeconds: Double, flashboot: Bool, flexPerGPUSecond: Double, activePerGPUSecond: Double, podPerGPUHour: Double, podHoursPerDay: Double, storageMonthlyUSD: Double, ttftLimit: Double?, tokensPerSecondLimit: Double?, coldStartLimit: Double?, claimedMonthlyUSD: Double, claimedSLAMet: Bool) {
        self.requestsPerDay = requestsPerDay
        self.activeHours = activeHours
        self.windowStartMinute = windowStartMinute
        self.runDays = runDays
        self.profile = profile
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.context = context
        self.prefillSecondsPerPromptToken = prefillSecondsPerPromptToken
        self.prefillOverheadSeconds = prefillOverheadSeconds
        self.stepSecondsAtOne = stepSecondsAtOne
        self.stepSecondsAtSlots = stepSecondsAtSlots
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

    /// Decode step seconds at `batch` sequences (the roofline is linear in batch between 1 and the slots).
    public func stepSeconds(batch: Int) -> Double {
        guard slots > 1 else { return stepSecondsAtOne }
        let b = Double(min(max(batch, 1), slots))
        return stepSecondsAtOne + (stepSecondsAtSlots - stepSecondsAtOne) * (b - 1) / Double(slots - 1)
    }

    public func prefillSeconds(prompt: Int) -> Double {
        prefillOverheadSeconds + prefillSecondsPerPromptToken * Double(prompt)
    }
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

extension Spec {
    /// The numbers behind a compiled serving deployment (nil for training and fine-tuning).
    public func servingModel(deployment d: Deployment, architecture: ModelArchitecture,
                             environment: CompileEnvironment) -> ServingModel? {
        guard workload == .inference || workload == .batch, let vllm = d.vllm,
              let gpu = environment.gpus.gpu(named: d.gpu.id) else { return nil }
        let compiler = Compiler(spec: self, specFile: d.specFile, architecture: architecture, environment: environment)
        var trace = TraceBuilder()
        let load = compiler.load(&trace)
        let g = GPUPerformance(bandwidthGBps: gpu.memoryBandwidthGBps ?? 0, tflops16: gpu.bf16TFLOPS ?? gpu.fp16TFLOPS ?? 0,
                               tflops8: gpu.fp8 ? gpu.fp8TFLOPS : nil, fastInterconnect: gpu.fastInterconnect)
        func perf(_ batch: Int) -> PerformanceEstimate {
            architecture.performance(weights: compiler.precision, kv: compiler.kvFormat, gpu: g, tp: d.gpu.count, batch: batch,
                                     prompt: load.prompt, output: load.output, model: environment.performance)
        }
        let one = perf(1), full = perf(vllm.maxNumSeqs)
        let overhead = environment.performance.calibration.requestSeconds.value
        let schedule = traffic.schedule
        let runDays = schedule.map { s in Schedule.Day.allCases.indices.filter { s.days.contains(Schedule.Day.allCases[$0]) } }
            ?? Array(0..<7)
        let coldLimit: Double?
        switch sla.coldStart {
        case .none?: coldLimit = 0
        case .seconds(let s)?: coldLimit = s
        case nil: coldLimit = nil
        }
        return ServingModel(
            requestsPerDay: load.requestsPerDay, activeHours: load.activeHours,
            windowStartMinute: schedule?.startMinute ?? (load.activeHours >= 24 ? 0 : 8 * 60), runDays: runDays,
            profile: compiler.rateProfile(load), promptTokens: load.prompt, outputTokens: load.output, context: load.context,
            prefillSecondsPerPromptToken: load.prompt > 0 ? max(one.ttftSeconds - overhead, 0) / Double(load.prompt) : 0,
            prefillOverheadSeconds: overhead, stepSecondsAtOne: one.stepSeconds, stepSecondsAtSlots: full.stepSeconds,
            slots: max(vllm.maxNumSeqs, 1), gpusPerWorker: d.gpu.count,
            mode: d.mode, workerMode: d.workerMode, replicas: d.estimates?.replicas ?? 1,
            minWorkers: d.workers?.min ?? 0, maxWorkers: d.workers?.max ?? 0,
            scaler: d.serverless?.scaler ?? "REQUEST_COUNT", scalerValue: d.serverless?.scalerValue ?? Double(vllm.maxNumSeqs),
            idleSeconds: Double(d.serverless?.idleTimeoutSeconds ?? 0), coldStartSeconds: d.serverless?.coldStartSeconds ?? 0,
            flashboot: d.serverless?.flashboot != "OFF",
            flexPerGPUSecond: environment.gpus.flexPerSecond(gpu)?.usd ?? 0,
            activePerGPUSecond: environment.gpus.activePerSecond(gpu)?.usd ?? 0,
            podPerGPUHour: compiler.podPrice(gpu)?.0.usd ?? 0,
            podHoursPerDay: compiler.podHoursPerDay, storageMonthlyUSD: d.cost.storageMonthlyUSD,
            ttftLimit: sla.ttftP95, tokensPerSecondLimit: sla.outputTokensPerSecond, coldStartLimit: coldLimit,
            claimedMonthlyUSD: d.cost.monthlyUSD, claimedSLAMet: d.estimates?.slaMet ?? true)
    }
}
