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

    public init(bandwidthGBps: Double, tflops16: Double, tflops8: Double?, fastInterconnect: Bool) {
        self.bandwidthGBps = bandwidthGBps
        self.tflops16 = tflops16
        self.tflops8 = tflops8
        self.fastInterconnect = fastInterconnect
    }
}

/// Achieved fractions of peak and link figures (`Specs/performance.md` §2).
public struct PerformanceModel: Sendable, Hashable, Codable {
    /// Fraction of peak bandwidth decode achieves. Single-stream vLLM logs: Llama 3.1 8B on H100
    /// 6.48 ms/token (0.74 of peak), Qwen2.5-7B on RTX 4090 17.1 ms (0.88), Qwen2.5-72B on 2 x H100
    /// 30.9 ms (0.70) -> 0.75.
    public var bandwidthEfficiency: Double = 0.75
    /// Fraction of peak dense FLOPS prefill achieves (Qwen2.5-72B, 2 x H100: 0.56 at 8k prompt,
    /// ~1.0 at 2k) -> 0.65, the conservative side.
    public var computeEfficiency: Double = 0.65
    /// Per all-reduce latency, seconds (assumed: NVLink ~5 us, PCIe ~15 us).
    public var allReduceLatencyNVLink: Double = 5e-6
    public var allReduceLatencyPCIe: Double = 15e-6
    /// One-way link bandwidth, GB/s: NVLink 4 = 900 GB/s bidirectional (seed 000) -> 450;
    /// PCIe 4.0 x16 = 64 GB/s bidirectional (seed 000) -> 32.
    public var linkGBpsNVLink: Double = 450
    public var linkGBpsPCIe: Double = 32
    /// Fixed per-request scheduling and tokenization overhead, seconds.
    public var requestOverhead: Double = 0.010
    /// The estimate's uncertainty: results are reported as [value x low, value x high].
    public var rangeLow: Double = 0.7
    public var rangeHigh: Double = 1.4

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
    /// Time to first token for one prompt of the given length, with no queue.
    public var ttftSeconds: Double
    /// p95 TTFT including queueing behind other prefills at the peak rate.
    public var ttftP95Seconds: Double
    public var ttftP95SecondsRange: [Double]
    /// Decode step time, seconds.
    public var stepSeconds: Double
    /// Requests per second one replica sustains at `batch` (output-length bound).
    public var requestsPerSecond: Double
    public var batch: Int

    enum CodingKeys: String, CodingKey {
        case outputTokensPerSecondPerUser = "output_tokens_per_second_per_user"
        case outputTokensPerSecondPerUserRange = "output_tokens_per_second_per_user_range"
        case outputTokensPerSecond = "output_tokens_per_second", ttftSeconds = "ttft_seconds"
        case ttftP95Seconds = "ttft_p95_seconds", ttftP95SecondsRange = "ttft_p95_seconds_range"
        case stepSeconds = "step_seconds", requestsPerSecond = "requests_per_second", batch
    }
}

extension ModelArchitecture {
    /// Roofline estimate for a replica of `tp` GPUs serving `batch` sequences of `prompt` prompt
    /// tokens and `output` output tokens (`Specs/performance.md` §1).
    ///
    /// - Decode step = (active weight bytes + batch x mean context x KV bytes per token) / tp
    ///   / (bandwidth x efficiency) + the prefill work interleaved per step (each sequence brings
    ///   `prompt / output` prompt tokens per output token) at 2 x active params FLOPs per token
    ///   + tensor-parallel all-reduces (2 per layer).
    /// - TTFT = max(2 x active params x prompt / tp / (FLOPS x efficiency), one weight read) + overhead;
    ///   p95 adds queueing behind other prefills at the arrival rate (M/D/1, utilisation rho).
    public func performance(
        weights: WeightFormat, kv: KVFormat, gpu: GPUPerformance, tp: Int, batch: Int, prompt: Int, output: Int,
        arrivalRate: Double = 0, model: PerformanceModel = .standard
    ) -> PerformanceEstimate {
        let tpD = Double(max(tp, 1))
        let b = Double(max(batch, 1))
        let activeParams = Double(parameterCount.active)
        let weightBytes = Double(activeWeightBytes(weights))
        let meanContext = Double(prompt) + Double(output) / 2
        let kvRead = b * meanContext * Double(kvBytesPerToken(kv, weights: weights))
        let bandwidth = gpu.bandwidthGBps * 1e9 * model.bandwidthEfficiency
        let memoryTime = (weightBytes + kvRead) / tpD / bandwidth
        let useFP8 = (weights == .fp8) && gpu.tflops8 != nil
        let flops = (useFP8 ? gpu.tflops8! : gpu.tflops16) * 1e12 * model.computeEfficiency
        let prefillPerStep = output > 0 ? b * Double(prompt) / Double(output) : 0
        let computeTime = 2 * activeParams * (b + prefillPerStep) / tpD / flops
        var commTime = 0.0
        if tp > 1 {
            let latency = gpu.fastInterconnect ? model.allReduceLatencyNVLink : model.allReduceLatencyPCIe
            let link = (gpu.fastInterconnect ? model.linkGBpsNVLink : model.linkGBpsPCIe) * 1e9
            let bytes = b * Double(hidden) * 2 * 2 * (tpD - 1) / tpD
            commTime = Double(layers) * 2 * (latency + bytes / link)
        }
        // Decode is bandwidth bound; the interleaved prefill's compute only adds where it exceeds
        // what overlaps with the weight read.
        let step = max(memoryTime, computeTime * 0.5) + computeTime * 0.5 + commTime
        let perUser = 1 / step

        let prefillCompute = 2 * activeParams * Double(prompt) / tpD / flops
        var prefillComm = 0.0
        if tp > 1 {
            let link = (gpu.fastInterconnect ? model.linkGBpsNVLink : model.linkGBpsPCIe) * 1e9
            prefillComm = Double(layers) * 2 * Double(prompt) * Double(hidden) * 2 * 2 * (tpD - 1) / tpD / link
        }
        let ttft = max(prefillCompute, weightBytes / tpD / bandwidth) + prefillComm + model.requestOverhead
        // Queueing: prefills arrive at `arrivalRate`, each occupying the GPU for `prefillCompute`.
        let rho = min(arrivalRate * (prefillCompute + prefillComm), 0.95)
        let waitMean = rho > 0 ? rho * (prefillCompute + prefillComm) / (2 * (1 - rho)) : 0
        let ttftP95 = ttft + 3 * waitMean  // p95 of the M/D/1 wait is about 3x its mean at moderate load
        let requestTime = ttft + Double(output) * step
        return PerformanceEstimate(
            outputTokensPerSecondPerUser: perUser,
            outputTokensPerSecondPerUserRange: [perUser / model.rangeHigh, perUser / model.rangeLow],
            outputTokensPerSecond: perUser * b, ttftSeconds: ttft, ttftP95Seconds: ttftP95,
            ttftP95SecondsRange: [ttftP95 * model.rangeLow, ttftP95 * model.rangeHigh],
            stepSeconds: step, requestsPerSecond: requestTime > 0 ? b / requestTime : 0, batch: max(batch, 1))
    }
}
