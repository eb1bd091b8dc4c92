import Foundation

/// One measured serving run, resolved to an architecture and GPU (a row of
/// `serving_benchmarks.csv` or `throughput_calibration.csv`).
public struct SpeedObservation: Sendable, Hashable {
    /// How the benchmark loaded the server.
    public enum Load: Sendable, Hashable {
        /// A closed loop of `concurrency` clients. `synchronized`: fixed-length random prompts and
        /// outputs, so the clients start and finish together and every round is a burst of prefills.
        case concurrency(Int, synchronized: Bool)
        /// Poisson arrivals at `rate` requests/s, no concurrency cap.
        case rate(Double)
        /// `requests` prompts sent at once (offline / saturation): TTFT is mostly queueing.
        case burst(Int)
    }

    public var id: String
    public var label: String
    public var engine: String
    public var architecture: ModelArchitecture
    public var weights: WeightFormat
    public var kv: KVFormat
    public var gpu: GPUPerformance
    /// GPU family for reports ("H100 SXM", "RTX 4090").
    public var gpuFamily: String
    public var tp: Int
    public var prompt: Int
    public var output: Int
    public var load: Load
    public var maxNumSeqs: Int
    public var maxBatchedTokens: Int
    /// KV cache capacity in tokens per replica (from the sizing model), when known.
    public var kvCapacityTokens: Int?
    public var tpotMs: Double?
    public var ttftMs: Double?
    public var outputTokensPerSecond: Double?
    /// vLLM engine generation: "v0" (before 0.8) or "v1".
    public var generation: String = "v1"
    /// Requests in the run, when stated (a finite Poisson run's throughput includes its ramp and drain).
    public var requests: Int?

    public init(id: String, label: String, engine: String, architecture: ModelArchitecture, weights: WeightFormat, kv: KVFormat,
                gpu: GPUPerformance, gpuFamily: String, tp: Int, prompt: Int, output: Int, load: Load, maxNumSeqs: Int,
                maxBatchedTokens: Int, kvCapacityTokens: Int?, tpotMs: Double?, ttftMs: Double?, outputTokensPerSecond: Double?) {
        self.id = id
        self.label = label
        self.engine = engine
        self.architecture = architecture
        self.weights = weights
        self.kv = kv
        self.gpu = gpu
        self.gpuFamily = gpuFamily
        self.tp = tp
        self.prompt = prompt
        self.output = output
        self.load = load
        self.maxNumSeqs = maxNumSeqs
        self.maxBatchedTokens = maxBatchedTokens
        self.kvCapacityTokens = kvCapacityTokens
        self.tpotMs = tpotMs
        self.ttftMs = ttftMs
        self.outputTokensPerSecond = outputTokensPerSecond
    }

    public var modelClass: ModelClass { .of(architecture) }
    public var family: KernelFamily { .of(weights, architecture: architecture) }
    public var bandwidthKey: String { SpeedCalibration.key(architecture: gpu.architecture, family: family) }
    public var classKey: String { SpeedCalibration.classKey(modelClass, generation: generation) }
    /// The link the all-reduces take (nil at tp 1).
    public var linkKey: String? { tp > 1 ? LinkFigures.of(gpu, tp: tp).kind.rawValue : nil }

    /// A measured TTFT below what the prompt's linear-layer FLOPs take at 100% of peak is not physical
    /// for this configuration (a cached prefix, a mislabelled GPU or length): not scored, not fitted.
    public var ttftPlausible: Bool {
        guard let ttft = ttftMs else { return false }
        let flops = 2 * Double(architecture.parameterCount.active) * Double(prompt) / Double(max(tp, 1))
        return ttft / 1000 >= flops / (architecture.peakFLOPS(weights, gpu: gpu))
    }

    /// Sequences the load asks to run at once (before engine limits).
    public var requestedConcurrency: Double {
        switch load {
        case .concurrency(let c, _): return Double(c)
        case .rate(let r): return r  // resolved by the fixed point in `predict`
        case .burst(let n): return Double(n)
        }
    }
}

/// What the speed model predicts for an observation.
public struct SpeedPrediction: Sendable, Hashable {
    public var batch: Int
    public var tpotMs: Double
    public var ttftMs: Double
    /// TTFT is scored only where it is not queueing behind a saturated engine.
    public var ttftScored: Bool
    public var outputTokensPerSecond: Double
    /// Per-user tokens/s range the plan would quote.
    public var perUserRange: [Double]
    public var decode: DecodeStepBreakdown
    public var prefill: PrefillBreakdown
    public var uncalibrated: [String]
}

extension SpeedObservation {
    /// Predicts the run (`Specs/performance.md` §1.4: how each load shape maps to a decode batch).
    public func predict(_ calibration: SpeedCalibration) -> SpeedPrediction {
        predict(calibration.factors(for: architecture, weights: weights, gpu: gpu, tp: tp, generation: generation))
    }

    public func predict(_ f: EfficiencyFactors) -> SpeedPrediction {
        let a = architecture
        let out = Double(max(output, 1))
        let context = Double(prompt) + out / 2
        // KV pages a sequence holds: its whole length when fixed-length clients grow in step, else its
        // mean occupancy (prompt + output / 2) in steady state.
        var occupancy = prompt + output
        if case .concurrency(_, synchronized: false) = load { occupancy = prompt + output / 2 }
        if case .rate = load { occupancy = prompt + output / 2 }
        let capacity = kvCapacityTokens.map { max(1, $0 / max(occupancy, 1)) } ?? Int.max
        let limit = max(1, min(maxNumSeqs, capacity))
        let pre = a.prefill(weights: weights, gpu: gpu, tp: tp, prompt: prompt, maxBatchedTokens: maxBatchedTokens, factors: f)
        let forward = pre.totalSeconds - pre.requestSeconds
        func step(_ b: Int, perStep: Double) -> DecodeStepBreakdown {
            a.decodeStep(weights: weights, kv: kv, gpu: gpu, tp: tp, batch: b, context: context, prefill: pre,
                         prefillPerStep: perStep, factors: f)
        }
        let batch: Int, decode: DecodeStepBreakdown, ttft: Double, throughput: Double
        var scored = true
        switch load {
        case let .concurrency(c, synchronized):
            batch = min(max(c, 1), limit)
            scored = c <= limit
            if synchronized {
                // Every round: `batch` prefills back to back, then decode. A request's TPOT absorbs the
                // prefills queued after its own first token: (batch - 1) / 2 of them over `output` steps.
                decode = step(batch, perStep: Double(batch - 1) / 2 / out)
                ttft = pre.requestSeconds + forward * Double(batch + 1) / 2
            } else {
                decode = step(batch, perStep: Double(batch) / out)
                ttft = pre.totalSeconds + decode.stepSeconds / 2
            }
            throughput = Double(batch) * out / (ttft + (out - 1) * decode.stepSeconds)
        case let .rate(r):
            // Little's law fixed point: batch = rate x (TTFT + output x step).
            var b = 1.0
            var s = step(1, perStep: 1 / out)
            for _ in 0..<40 {
                s = step(max(1, Int(b.rounded())), perStep: b / out)
                let next = min(Double(limit), max(1, r * (pre.totalSeconds + out * s.stepSeconds)))
                if abs(next - b) < 0.01 { b = next; break }
                b = (b + next) / 2
            }
            batch = max(1, Int(b.rounded()))
            decode = step(batch, perStep: b / out)
            let full = step(limit, perStep: Double(limit) / out)
            let capacityRate = Double(limit) / (pre.totalSeconds + out * full.stepSeconds)
            let served = min(r, capacityRate)
            scored = r < capacityRate * 0.9
            // M/D/1 wait behind other prefills.
            let rho = min(served * forward, 0.95)
            ttft = pre.totalSeconds + (rho > 0 ? rho * forward / (2 * (1 - rho)) : 0) + decode.stepSeconds / 2
            // A finite run of n requests lasts n / rate plus one request's latency (ramp and drain).
            if let n = requests, n > 0 {
                let latency = ttft + out * (served < r ? full.stepSeconds : decode.stepSeconds)
                throughput = Double(n) * out / (Double(n) / served + latency)
            } else {
                throughput = served * out
            }
        case let .burst(n):
            batch = min(max(n, 1), limit)
            decode = step(batch, perStep: Double(batch) / out)
            scored = false
            let waves = Double(n) / Double(batch)
            // The first wave prefills before anything decodes; later prefills are interleaved (in the step).
            let makespan = forward * Double(batch) + waves * out * decode.stepSeconds
            throughput = Double(n) * out / makespan
            ttft = pre.requestSeconds + forward * Double(batch + 1) / 2
        }
        let perUser = 1 / decode.stepSeconds
        return SpeedPrediction(batch: batch, tpotMs: decode.stepSeconds * 1000, ttftMs: ttft * 1000, ttftScored: scored,
                               outputTokensPerSecond: throughput,
                               perUserRange: [perUser * f.speedRange[0], perUser * f.speedRange[1]],
                               decode: decode, prefill: pre, uncalibrated: f.uncalibrated)
    }
}
