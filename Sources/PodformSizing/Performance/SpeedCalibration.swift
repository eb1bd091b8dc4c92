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
    /// Measured / predicted per-user speed over the calibration rows of this key: [low, high].
    public var speedRange: [Double]
    /// Measured / predicted TTFT over the calibration rows of this class: [low, high].
    public var ttftRange: [Double]
    /// Why the factors are not calibrated for this case (empty when they are).
    public var uncalibrated: [String]

    public init(decodeBandwidth: Double, compute: Double, prefillCompute: Double, layerOverheadSeconds: Double,
                requestSeconds: Double, speedRange: [Double] = [0.7, 1.4], ttftRange: [Double] = [0.7, 1.4], uncalibrated: [String] = []) {
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
    /// Decode GEMM compute efficiency (not fitted: no row is decode-compute bound; seed 000's 0.65).
    public var decodeCompute: Double = 0.65

    public init(decodeBandwidth: [String: Factor], layerOverhead: [String: Factor], prefillCompute: [String: Factor],
                requestSeconds: Factor) {
        self.decodeBandwidth = decodeBandwidth
        self.layerOverhead = layerOverhead
        self.prefillCompute = prefillCompute
        self.requestSeconds = requestSeconds
    }

    public static func key(architecture gpu: String, family: KernelFamily) -> String { "\(gpu)/\(family.rawValue)" }

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

    /// The factors for a model in `weights` on `gpu`, with fallbacks named.
    public func factors(for architecture: ModelArchitecture, weights: WeightFormat, gpu: GPUPerformance) -> EfficiencyFactors {
        let family = KernelFamily.of(weights, architecture: architecture)
        let cls = ModelClass.of(architecture).rawValue
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
        var overhead = layerOverhead[cls]
        if overhead == nil {
            overhead = Factor(value: Self.median(layerOverhead.values.map(\.value)) ?? 0, spread: [1, 1], rows: [])
            notes.append("no speed calibration data for \(cls) models")
        }
        var prefill = prefillCompute[cls]
        if prefill == nil {
            prefill = Factor(value: Self.median(prefillCompute.values.map(\.value)) ?? 0.5, spread: [1, 1], rows: [])
            if !notes.contains(where: { $0.hasSuffix("\(cls) models") }) { notes.append("no prefill calibration data for \(cls) models") }
        }
        var speed = Self.range(bandwidth)
        if overhead!.rows.isEmpty { speed = [min(speed[0], 0.5), max(speed[1], 2.0)] }
        return EfficiencyFactors(
            decodeBandwidth: bandwidth!.value, compute: decodeCompute, prefillCompute: prefill!.value,
            layerOverheadSeconds: overhead!.value, requestSeconds: requestSeconds.value,
            speedRange: speed, ttftRange: Self.range(prefill), uncalibrated: notes)
    }
}
