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
    /// Prompt and output lengths vary per request (a dataset such as ShareGPT, or random lengths without
    /// `--ignore-eos`): outputs are then taken as exponentially distributed around their mean.
    public var variableLengths: Bool = false
    /// The endpoint the benchmark client called (its per-request overhead differs).
    public var endpoint: Endpoint = .completions

    public init(
        id: String, label: String, engine: String, architecture: ModelArchitecture, weights: WeightFormat, kv: KVFormat,
        gpu: GPUPerformance, gpuFamily: String, tp: Int, prompt: Int, output: Int, load: Load, maxNumSeqs: Int,
        maxBatchedTokens: Int, kvCapacityTokens: Int?, tpotMs: Double?, ttftMs: Double?, outputTokensPerSecond: Double?
    ) {
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

    /// The factors this row is predicted with.
    public func factors(_ calibration: SpeedCalibration) -> EfficiencyFactors {
        calibration.factors(for: architecture, weights: weights, gpu: gpu, tp: tp, generation: generation, endpoint: endpoint)
    }

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
