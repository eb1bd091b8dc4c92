import Foundation

/// Achieved-vs-peak factors for one replica (what `decodeStep` and `prefill` run at).
public struct EfficiencyFactors: Sendable, Hashable, Codable {
    /// Fraction of peak memory bandwidth decode reaches.
    public var decodeBandwidth: Double
    /// Fraction of peak tensor FLOPS decode's GEMMs reach when compute bound.
    public var compute: Double
    /// Fraction of peak tensor FLOPS prefill reaches.
    public var prefillCompute: Double
    /// Fixed cost per layer per forward pass (kernel launches, routing, scheduling), seconds.
    public var layerOverheadSeconds: Double
    /// Fixed cost per request (HTTP, tokenization, scheduling, detokenization), seconds.
    public var requestSeconds: Double
    /// Latency of one all-reduce on this replica's link (fitted), seconds; nil: `LinkFigures`' figure.
    public var allReduceLatencySeconds: Double?
    /// Measured / predicted per-user speed over the calibration rows of this key: [low, high].
    public var speedRange: [Double]
    /// Measured / predicted TTFT over the calibration rows of this class: [low, high].
    public var ttftRange: [Double]
    /// Why the factors are not calibrated for this case (empty when they are).
    public var uncalibrated: [String]

    public init(decodeBandwidth: Double, compute: Double, prefillCompute: Double, layerOverheadSeconds: Double,
                requestSeconds: Double, allReduceLatencySeconds: Double? = nil, speedRange: [Double] = [0.7, 1.4],
                ttftRange: [Double] = [0.7, 1.4], uncalibrated: [String] = []) {
        self.allReduceLatencySeconds = allReduceLatencySeconds
        self.decodeBandwidth = decodeBandwidth
        self.compute = compute
        self.prefillCompute = prefillCompute
        self.layerOverheadSeconds = layerOverheadSeconds
        self.requestSeconds = requestSeconds
        self.speedRange = speedRange
        self.ttftRange = ttftRange
        self.uncalibrated = uncalibrated
    }
}

/// The fitted efficiency factors, each with the benchmark rows it came from (`Specs/performance.md` §2).
///
/// - decode bandwidth: per GPU architecture x kernel family ("Hopper/fp8", "Ampere/mxfp4", "CDNA3/fp8");
/// - per-layer overhead and prefill compute: per model class (dense, MoE, MLA);
/// - request overhead: one value.
/// A key without rows falls back to the median of its kernel family (then of everything) and says so.
public struct SpeedCalibration: Sendable, Hashable, Codable {
    public struct Factor: Sendable, Hashable, Codable {
        public var value: Double
        /// Measured / predicted ratio of the key's rows after the fit (per-user speed or TTFT): [min, max].
        public var spread: [Double]
        /// Row ids (`file:line`) the factor was fitted on.
        public var rows: [String]

        public init(value: Double, spread: [Double], rows: [String]) {
            self.value = value
            self.spread = spread
            self.rows = rows
        }
    }

    /// Decode bandwidth efficiency by "architecture/kernel family".
    public var decodeBandwidth: [String: Factor]
    /// Per-layer overhead seconds by model class.
    public var layerOverhead: [String: Factor]
    /// Prefill compute efficiency by model class.
    public var prefillCompute: [String: Factor]
    public var requestSeconds: Factor
    /// All-reduce latency seconds by the link the all-reduces take (`Interconnect` raw value).
    public var allReduceLatency: [String: Factor] = [:]
    /// Decode GEMM compute efficiency (not fitted: no row is decode-compute bound; seed 000's 0.65).
    public var decodeCompute: Double = 0.65

    public init(decodeBandwidth: [String: Factor], layerOverhead: [String: Factor], prefillCompute: [String: Factor],
                requestSeconds: Factor, allReduceLatency: [String: Factor] = [:]) {
        self.allReduceLatency = allReduceLatency
        self.decodeBandwidth = decodeBandwidth
        self.layerOverhead = layerOverhead
        self.prefillCompute = prefillCompute
        self.requestSeconds = requestSeconds
    }

    public static func key(architecture gpu: String, family: KernelFamily) -> String { "\(gpu)/\(family.rawValue)" }

    /// Per-class keys carry the vLLM engine generation: "mla" for V1 (vLLM >= 0.8, what podform
    /// deploys), "mla/v0" for V0-era rows, whose kernels and scheduler differ.
    public static func classKey(_ c: ModelClass, generation: String) -> String { generation == "v0" ? "\(c.rawValue)/v0" : c.rawValue }

    /// Ranges: the key's measured spread, at least +-15%; at least [0.6, 1.5] on fewer than 3 rows;
    /// [0.5, 2] without data.
    static func range(_ factor: Factor?) -> [Double] {
        guard let factor, !factor.rows.isEmpty else { return [0.5, 2.0] }
        let floor: [Double] = factor.rows.count < 3 ? [0.6, 1.5] : [0.85, 1.15]
        return [min(factor.spread[0], floor[0]), max(factor.spread[1], floor[1])]
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The factors for a model in `weights` on `tp` x `gpu`, with fallbacks named.
    public func factors(for architecture: ModelArchitecture, weights: WeightFormat, gpu: GPUPerformance, tp: Int = 1,
                        generation: String = "v1") -> EfficiencyFactors {
        let family = KernelFamily.of(weights, architecture: architecture)
        let modelClass = ModelClass.of(architecture)
        let cls = Self.classKey(modelClass, generation: generation)
        let key = Self.key(architecture: gpu.architecture, family: family)
        var notes: [String] = []
        var bandwidth = decodeBandwidth[key]
        if bandwidth == nil {
            let sameFamily = decodeBandwidth.filter { $0.key.hasSuffix("/\(family.rawValue)") }.map(\.value.value)
            let sameGPU = decodeBandwidth.filter { $0.key.hasPrefix("\(gpu.architecture)/") }.map(\.value.value)
            let value = Self.median(sameFamily) ?? Self.median(sameGPU) ?? Self.median(decodeBandwidth.values.map(\.value)) ?? 0.7
            bandwidth = Factor(value: value, spread: [1, 1], rows: [])
            notes.append("no speed calibration data for \(family.rawValue) kernels on \(gpu.architecture.isEmpty ? "this GPU" : gpu.architecture) GPUs")
        }
        // A class without rows of this generation borrows the other generation's factor, then the median.
        func lookup(_ table: [String: Factor], _ fallback: Double) -> Factor? {
            if let f = table[cls] { return f }
            let other = generation == "v0" ? modelClass.rawValue : "\(modelClass.rawValue)/v0"
            if let f = table[other] { return Factor(value: f.value, spread: f.spread, rows: []) }
            return nil
        }
        var overhead = lookup(layerOverhead, 0)
        if overhead == nil || overhead!.rows.isEmpty {
            if overhead == nil {
                overhead = Factor(value: Self.median(layerOverhead.values.map(\.value)) ?? 0, spread: [1, 1], rows: [])
                notes.append("no speed calibration data for \(modelClass.rawValue) models")
            } else {
                notes.append("\(modelClass.rawValue) models are calibrated on vLLM \(generation == "v0" ? "V1" : "V0") rows only")
            }
        }
        var prefill = lookup(prefillCompute, 0.5)
        if prefill == nil {
            prefill = Factor(value: Self.median(prefillCompute.values.map(\.value)) ?? 0.5, spread: [1, 1], rows: [])
            if !notes.contains(where: { $0.contains("\(modelClass.rawValue) models") }) {
                notes.append("no prefill calibration data for \(modelClass.rawValue) models")
            }
        }
        var latency: Double?
        if tp > 1 {
            let link = LinkFigures.of(gpu, tp: tp).kind.rawValue
            latency = allReduceLatency[link]?.value
            if latency == nil {
                notes.append("no speed calibration data for tensor parallelism over \(link)")
            }
        }
        var speed = Self.range(bandwidth)
        if overhead!.rows.isEmpty { speed = [min(speed[0], 0.6), max(speed[1], 1.5)] }
        if tp > 1, latency == nil { speed = [min(speed[0], 0.5), max(speed[1], 2.0)] }
        return EfficiencyFactors(
            decodeBandwidth: bandwidth!.value, compute: decodeCompute, prefillCompute: prefill!.value,
            layerOverheadSeconds: overhead!.value, requestSeconds: requestSeconds.value, allReduceLatencySeconds: latency,
            speedRange: speed, ttftRange: Self.range(prefill), uncalibrated: notes)
    }
}
