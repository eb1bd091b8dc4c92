import Foundation

/// Achieved-vs-peak factors for one replica (what `decodeStep` and `prefill` run at).
public struct EfficiencyFactors: Sendable, Hashable, Codable {
    /// Fraction of peak memory bandwidth decode reaches.
    public var decodeBandwidth: Double
    /// Fraction of peak tensor FLOPS decode's GEMMs reach when compute bound (the same kernels as
    /// prefill: `prefillCompute` unless set apart).
    public var compute: Double
    /// Fraction of peak tensor FLOPS a step's GEMMs and attention reach (prompt and decode tokens alike).
    public var prefillCompute: Double
    /// Fixed cost per layer per forward pass (kernel launches, routing, scheduling), seconds.
    public var layerOverheadSeconds: Double
    /// Cost per running sequence per step (the engine's scheduler, input preparation, sampling and
    /// output processing), seconds.
    public var sequenceOverheadSeconds: Double = 0
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
    /// vLLM V1's chunked prefill: prompts ride in decode steps (true); V0's prefill-first scheduler
    /// pauses decodes for every prefill step (false).
    public var chunkedPrefill: Bool = true

    public init(
        decodeBandwidth: Double, compute: Double, prefillCompute: Double, layerOverheadSeconds: Double,
        requestSeconds: Double, allReduceLatencySeconds: Double? = nil, speedRange: [Double] = [0.7, 1.4],
        ttftRange: [Double] = [0.7, 1.4], uncalibrated: [String] = [], chunkedPrefill: Bool = true
    ) {
        self.chunkedPrefill = chunkedPrefill
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

/// The OpenAI endpoint a request comes through: the API server's per-request work differs (chat renders
/// the model's chat template and tokenizes the result before the engine sees the request).
public enum Endpoint: String, Sendable, Hashable, Codable, CaseIterable {
    case completions, chat
}

/// The fitted efficiency factors, each with the benchmark rows it came from (`Specs/performance.md` §2).
///
/// - decode bandwidth: per GPU architecture x kernel family ("Hopper/fp8", "Ampere/mxfp4", "CDNA3/fp8");
/// - per-layer overhead and prefill compute: per model class (dense, MoE, MLA);
/// - request overhead: per endpoint (completions, chat).
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
    /// Per-request overhead seconds by `Endpoint` raw value.
    public var requestOverhead: [String: Factor]
    /// All-reduce latency seconds by the link the all-reduces take (`Interconnect` raw value).
    public var allReduceLatency: [String: Factor] = [:]
    /// Per running sequence per step, seconds, by vLLM generation ("v1", "v0").
    public var sequenceOverhead: [String: Factor] = [:]

    public init(
        decodeBandwidth: [String: Factor], layerOverhead: [String: Factor], prefillCompute: [String: Factor],
        requestOverhead: [String: Factor], allReduceLatency: [String: Factor] = [:],
        sequenceOverhead: [String: Factor] = [:]
    ) {
        self.sequenceOverhead = sequenceOverhead
        self.allReduceLatency = allReduceLatency
        self.requestOverhead = requestOverhead
        self.decodeBandwidth = decodeBandwidth
        self.layerOverhead = layerOverhead
        self.prefillCompute = prefillCompute
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
}
