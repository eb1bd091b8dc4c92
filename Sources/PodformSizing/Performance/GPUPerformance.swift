/// The GPU facts the performance model needs (filled from the catalog by the caller).
public struct GPUPerformance: Sendable, Hashable {
    /// Peak memory bandwidth, GB/s.
    public var bandwidthGBps: Double
    /// Dense 16-bit tensor TFLOPS.
    public var tflops16: Double
    /// Dense FP8 tensor TFLOPS (nil when the chip has no FP8 tensor cores).
    public var tflops8: Double?
    /// NVLink/SXM (true) or PCIe (false) between GPUs of one pod.
    public var fastInterconnect: Bool
    /// The catalog's architecture ("Hopper", "Ampere", "Ada", "CDNA3"): keys the efficiency factors.
    public var architecture: String
    /// How the GPUs of one pod are linked.
    public var interconnect: Interconnect

    public init(
        bandwidthGBps: Double, tflops16: Double, tflops8: Double?, fastInterconnect: Bool,
        architecture: String = "", interconnect: Interconnect? = nil
    ) {
        self.bandwidthGBps = bandwidthGBps
        self.tflops16 = tflops16
        self.tflops8 = tflops8
        self.fastInterconnect = fastInterconnect
        self.architecture = architecture
        self.interconnect = interconnect ?? (fastInterconnect ? .nvswitch : .pcie)
    }
}

/// The speed model's settings: the fitted efficiency factors (`Specs/performance.md` §2).
public struct PerformanceModel: Sendable, Hashable, Codable {
    public var calibration: SpeedCalibration = .fitted
    /// p95 of the M/D/1 prefill queue wait as a multiple of its mean (about 3 at moderate load).
    public var p95WaitFactor: Double = 3

    public init() {}

    public static let standard = PerformanceModel()
}

/// Estimated latency and throughput of one replica at a load.
public struct PerformanceEstimate: Sendable, Hashable, Codable {
    /// Per-user output tokens per second at `batch` concurrent sequences.
    public var outputTokensPerSecondPerUser: Double
    public var outputTokensPerSecondPerUserRange: [Double]
    /// Aggregate output tokens per second of the replica at `batch`.
    public var outputTokensPerSecond: Double
    /// Time to first token of a request arriving into the batch (the step in flight, then its prefill), no queue.
    public var ttftSeconds: Double
    /// p95 TTFT including queueing behind other prefills at the peak rate.
    public var ttftP95Seconds: Double
    public var ttftP95SecondsRange: [Double]
    /// Decode step time, seconds.
    public var stepSeconds: Double
    /// Requests per second one replica sustains at `batch` (output-length bound).
    public var requestsPerSecond: Double
    public var batch: Int
    /// The decode step at `batch`, term by term.
    public var decode: DecodeStepBreakdown?
    /// The prefill of one prompt, term by term.
    public var prefill: PrefillBreakdown?
    /// Why the estimate is not calibrated for this model class or GPU (empty when it is).
    public var uncalibrated: [String] = []

    enum CodingKeys: String, CodingKey {
        case outputTokensPerSecondPerUser = "output_tokens_per_second_per_user"
        case outputTokensPerSecondPerUserRange = "output_tokens_per_second_per_user_range"
        case outputTokensPerSecond = "output_tokens_per_second", ttftSeconds = "ttft_seconds"
        case ttftP95Seconds = "ttft_p95_seconds", ttftP95SecondsRange = "ttft_p95_seconds_range"
        case stepSeconds = "step_seconds", requestsPerSecond = "requests_per_second", batch
        case decode, prefill, uncalibrated
    }
}

extension ModelArchitecture {
    /// Estimate for a replica of `tp` GPUs serving `batch` sequences of `prompt` prompt tokens and
    /// `output` output tokens (`Specs/performance.md` §1): the per-layer decode step at `batch`
    /// (weights actually read, KV per sequence, compute, all-reduces, fixed overheads) with the
    /// prompts' prefill riding in it (each sequence brings one prompt per `output` steps), and the TTFT of
    /// a request arriving into that batch: the step in flight, then its prompt's chunks (quadratic
    /// attention, `maxBatchedTokens` per step) beside the other decodes. p95 TTFT adds queueing behind
    /// other prefills at the arrival rate (M/D/1). Factors come from `model.calibration`, for the chat
    /// endpoint (what OpenAI clients call).
    public func performance(
        weights: WeightFormat, kv: KVFormat, gpu: GPUPerformance, tp: Int, batch: Int, prompt: Int, output: Int,
        arrivalRate: Double = 0, model: PerformanceModel = .standard, maxBatchedTokens: Int = 8192,
        factors given: EfficiencyFactors? = nil
    ) -> PerformanceEstimate {
        // `given`: what `model.calibration.factors(for: self, weights:, gpu:, tp:)` returns, computed once by a caller
        // that asks for many batches and prompts on one GPU.
        let factors = given ?? model.calibration.factors(for: self, weights: weights, gpu: gpu, tp: tp)
        let b = max(batch, 1)
        let out = Double(max(output, 1))
        let context = Double(prompt) + out / 2
        let pre = prefill(weights: weights, gpu: gpu, tp: tp, prompt: prompt, maxBatchedTokens: maxBatchedTokens, factors: factors)
        let step = decodeStep(
            weights: weights, kv: kv, gpu: gpu, tp: tp, batch: b, context: context, prefill: pre,
            prefillPerStep: output > 0 ? Double(b) / out : 0, maxBatchedTokens: maxBatchedTokens, factors: factors)
        let perUser = 1 / step.stepSeconds
        let arrival = arrivalTTFT(
            weights: weights, kv: kv, gpu: gpu, tp: tp, others: Double(b - 1), busy: b > 1 ? 1 : 0,
            context: context, prompt: prompt, maxBatchedTokens: maxBatchedTokens,
            stepSeconds: step.stepSeconds, factors: factors)
        let ttft = arrival.ttft
        let ttftP95 = ttft + model.p95WaitFactor * Self.prefillQueueWait(rate: arrivalRate, service: arrival.service)
        let requestTime = ttft + Double(output) * step.stepSeconds
        var estimate = PerformanceEstimate(
            outputTokensPerSecondPerUser: perUser,
            outputTokensPerSecondPerUserRange: [perUser * factors.speedRange[0], perUser * factors.speedRange[1]],
            outputTokensPerSecond: perUser * Double(b), ttftSeconds: ttft, ttftP95Seconds: ttftP95,
            ttftP95SecondsRange: [ttftP95 * factors.ttftRange[0], ttftP95 * factors.ttftRange[1]],
            stepSeconds: step.stepSeconds, requestsPerSecond: requestTime > 0 ? Double(b) / requestTime : 0, batch: b)
        estimate.decode = step
        estimate.prefill = pre
        estimate.uncalibrated = factors.uncalibrated
        return estimate
    }
}
