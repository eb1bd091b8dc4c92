import Foundation

/// How the GPUs of one replica talk to each other (`Specs/performance.md` §1.3).
public enum Interconnect: String, Sendable, Hashable, Codable, CaseIterable {
    /// PCIe only: all-reduces cross the host bridge.
    case pcie
    /// Pairwise NVLink bridges (A100/H100 PCIe, RTX 3090, A6000): NVLink speed at tp 2, PCIe beyond.
    case nvlinkBridge = "nvlink-bridge"
    /// SXM: every GPU on an NVSwitch fabric.
    case nvswitch
    /// AMD Instinct OAM: all-to-all Infinity Fabric links.
    case infinityFabric = "infinity-fabric"

    /// The catalog's `interconnect` string ("PCIe", "NVLink bridge", "SXM", "Infinity Fabric").
    public init(catalog: String) {
        switch catalog.lowercased() {
        case "sxm": self = .nvswitch
        case "nvlink bridge": self = .nvlinkBridge
        case "infinity fabric": self = .infinityFabric
        default: self = .pcie
        }
    }
}

/// Link figures per all-reduce (one way, per GPU). Sources: NVIDIA data sheets (NVLink 3 600 GB/s,
/// NVLink 4 900 GB/s, NVLink 5 1.8 TB/s bidirectional per GPU; A100/H100 PCIe NVLink bridge 600 GB/s
/// for the pair, RTX 3090 bridge 112.5 GB/s), AMD MI300X data sheet (7 x 64 GB/s Infinity Fabric links
/// one way), PCIe 4.0 x16 32 GB/s and 5.0 x16 64 GB/s one way. Latencies: one small NCCL/custom
/// all-reduce, ~8 us over NVSwitch, ~10 us over a bridge, ~25 us over PCIe without P2P (consumer
/// cards route through host memory), ~15 us over Infinity Fabric (RCCL); assumed, the fitted
/// per-layer overhead absorbs the rest.
public struct LinkFigures: Sendable, Hashable, Codable {
    public var oneWayGBps: Double
    public var latencySeconds: Double
    /// The link the all-reduces actually take (a bridge beyond 2 GPUs is PCIe): keys the fitted latency.
    public var kind: Interconnect = .pcie

    public static func of(_ gpu: GPUPerformance, tp: Int) -> LinkFigures {
        let pcie = LinkFigures(
            oneWayGBps: gpu.architecture == "Hopper" || gpu.architecture == "Blackwell" ? 64 : 32,
            latencySeconds: 25e-6, kind: .pcie)
        switch gpu.interconnect {
        case .pcie: return pcie
        case .nvlinkBridge:
            guard tp <= 2 else { return pcie }
            return LinkFigures(
                oneWayGBps: gpu.architecture == "Ampere" && gpu.bandwidthGBps < 1500 ? 56 : 300, latencySeconds: 10e-6,
                kind: .nvlinkBridge)
        case .nvswitch:
            let gbps: Double
            switch gpu.architecture {
            case "Blackwell": gbps = 900
            case "Hopper": gbps = 450
            case "Volta": gbps = 150
            default: gbps = 300
            }
            return LinkFigures(oneWayGBps: gbps, latencySeconds: 8e-6, kind: .nvswitch)
        case .infinityFabric: return LinkFigures(oneWayGBps: 448, latencySeconds: 15e-6, kind: .infinityFabric)
        }
    }
}

/// The kernel path a weight format takes on a GPU (what the efficiency factors are keyed by).
public enum KernelFamily: String, Sendable, Hashable, Codable, CaseIterable {
    /// 16-bit GEMMs (cuBLAS / hipBLASLt).
    case bf16
    /// FP8 W8A8 (CUTLASS scaled_mm, DeepSeek block-FP8), or FP8 weight-only Marlin where the GPU lacks FP8.
    case fp8
    /// 4-bit weight-only (AWQ/GPTQ through Marlin, bitsandbytes).
    case int4
    /// INT8 W8A8.
    case int8
    /// MXFP4 MoE experts (gpt-oss): Triton/FlashInfer kernels on Hopper+, Marlin on Ampere.
    case mxfp4
    /// Routed experts in 16 bits through vLLM's fused-MoE (grouped GEMM) kernels (Mixtral, Qwen3 MoE).
    case bf16MoE = "bf16-moe"
    /// Routed experts in FP8 through the fused-MoE kernels (DeepSeek's block-FP8, Qwen3 MoE FP8): a
    /// different kernel from dense FP8 GEMMs (CUTLASS scaled_mm), so a different achieved bandwidth.
    case fp8MoE = "fp8-moe"

    public static func of(_ weights: WeightFormat, architecture: ModelArchitecture) -> KernelFamily {
        if architecture.moe?.mxfp4Experts == true || weights == .mxfp4 { return .mxfp4 }
        let moe = architecture.moe != nil
        switch weights {
        case .fp32, .bf16, .fp16: return moe ? .bf16MoE : .bf16
        case .fp8: return moe ? .fp8MoE : .fp8
        case .int8: return .int8
        case .int4, .awq, .gptq: return .int4
        case .mxfp4: return .mxfp4
        }
    }
}

/// The model classes the speed model is calibrated for separately.
public enum ModelClass: String, Sendable, Hashable, Codable, CaseIterable {
    case dense, moe, mla

    public static func of(_ a: ModelArchitecture) -> ModelClass {
        if a.mla != nil { return .mla }
        return a.moe != nil ? .moe : .dense
    }
}

/// One decode step of a replica, split by what it costs (seconds).
public struct DecodeStepBreakdown: Sendable, Hashable, Codable {
    /// Sequences decoding together.
    public var batch: Int
    /// Weight bytes one GPU reads this step (MoE: the distinct experts `batch` tokens touch).
    public var weightBytesPerGPU: Double
    /// Distinct routed experts touched per MoE layer (nil for dense models).
    public var expertsTouched: Double?
    /// KV bytes one GPU reads this step (every sequence's context; sliding layers at their window).
    public var kvBytesPerGPU: Double
    public var weightSeconds: Double
    public var kvSeconds: Double
    /// Linear-layer and attention FLOPs at the achieved compute rate (overlaps the memory reads).
    public var computeSeconds: Double
    /// Tensor-parallel all-reduces: 2 per layer, latency + ring traffic.
    public var allReduceSeconds: Double
    /// Fixed costs: per layer (kernel launches, routing; fitted per model class) and per running
    /// sequence (the engine's scheduling, sampling, output processing; fitted per vLLM generation).
    public var overheadSeconds: Double
    /// What prompts add to the step: (batch / output) prompts per step, chunked at `max_num_batched_tokens`,
    /// each costing what it adds beyond the step's memory time (V1) or its whole prefill (V0); for a
    /// benchmark burst, the prefill steps a request waits through, per token.
    public var interleavedPrefillSeconds: Double
    /// The step: overhead + all-reduce + max(memory, compute) + interleaved prefill.
    public var stepSeconds: Double

    /// Which term is largest.
    public var dominant: String {
        let terms: [(String, Double)] = [
            ("weight reads", weightSeconds), ("KV reads", kvSeconds), ("compute", computeSeconds),
            ("all-reduce", allReduceSeconds), ("fixed overheads", overheadSeconds),
            ("interleaved prefill", interleavedPrefillSeconds)
        ]
        return terms.max { $0.1 < $1.1 }?.0 ?? "-"
    }

    enum CodingKeys: String, CodingKey {
        case batch, weightBytesPerGPU = "weight_bytes_per_gpu", expertsTouched = "experts_touched"
        case kvBytesPerGPU = "kv_bytes_per_gpu", weightSeconds = "weight_seconds", kvSeconds = "kv_seconds"
        case computeSeconds = "compute_seconds", allReduceSeconds = "all_reduce_seconds", overheadSeconds = "overhead_seconds"
        case interleavedPrefillSeconds = "interleaved_prefill_seconds", stepSeconds = "step_seconds"
    }
}

/// The prefill of one prompt, split by what it costs (seconds).
public struct PrefillBreakdown: Sendable, Hashable, Codable {
    public var promptTokens: Int
    /// Chunks at `max_num_batched_tokens`.
    public var chunks: Int
    /// 2 x active parameters x prompt tokens.
    public var linearSeconds: Double
    /// Causal attention: prompt^2 x heads x (qk + v head dims) per full layer; sliding layers at their window.
    public var attentionSeconds: Double
    /// Weights read once per chunk (bounds short prompts).
    public var weightReadSeconds: Double
    public var allReduceSeconds: Double
    public var overheadSeconds: Double
    /// Fixed per-request cost (HTTP, tokenization, scheduling, first sampling), fitted.
    public var requestSeconds: Double
    /// max(linear + attention, weight reads) + all-reduce + overhead + request.
    public var totalSeconds: Double

    public var dominant: String {
        let terms: [(String, Double)] = [
            ("linear FLOPs", linearSeconds), ("attention FLOPs", attentionSeconds),
            ("weight reads", weightReadSeconds), ("all-reduce", allReduceSeconds),
            ("per-layer overhead", overheadSeconds), ("request overhead", requestSeconds)
        ]
        return terms.max { $0.1 < $1.1 }?.0 ?? "-"
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", chunks, linearSeconds = "linear_seconds", attentionSeconds = "attention_seconds"
        case weightReadSeconds = "weight_read_seconds", allReduceSeconds = "all_reduce_seconds"
        case overheadSeconds = "overhead_seconds", requestSeconds = "request_seconds", totalSeconds = "total_seconds"
    }
}

extension ModelArchitecture {
    /// Layers with a routed-expert MLP.
    var moeLayerCount: Double { moe.map { max(Double(layers) - Double($0.denseLayers), 0) } ?? 0 }

    /// Bytes of one routed expert (all MoE layers together) in `format`.
    func routedExpertBytes(_ format: WeightFormat) -> Double {
        guard let moe else { return 0 }
        let matrices: Double = gatedMLP ? 3 : 2
        let params = moeLayerCount * matrices * Double(hidden) * Double(moe.expertIntermediate)
        let padding = hidden > 0 ? (Double(hidden) / 256).rounded(.up) * 256 / Double(hidden) : 1
        let bytesPer: Double
        if format == .mxfp4 || (moe.mxfp4Experts && format != .fp32) {
            bytesPer = WeightFormat.mxfp4.quantizedBytesPerParameter * padding
        } else {
            bytesPer = format.quantizedBytesPerParameter
        }
        return params * bytesPer
    }

    /// Expected distinct routed experts per MoE layer that `tokens` tokens touch, each choosing
    /// top-k of E uniformly: `E x (1 - (1 - k/E)^tokens)`.
    public func expectedExpertsTouched(tokens: Double) -> Double? {
        guard let moe, moe.experts > 0 else { return nil }
        let e = Double(moe.experts), k = Double(min(moe.expertsPerToken, moe.experts))
        return e * (1 - pow(1 - k / e, max(tokens, 0)))
    }

    /// Weight bytes read (all GPUs together) by a forward pass over `tokens` tokens: everything but
    /// the embedding table (only `tokens` rows of it) and the routed experts no token chose.
    public func weightBytesRead(_ format: WeightFormat, tokens: Double) -> Double {
        let p = parameterCount
        let all =
            Double(weightBytes(format)) - Double(p.embedding) * format.unquantizedBytesPerParameter
            + min(tokens, Double(vocab)) * Double(hidden) * format.unquantizedBytesPerParameter
        guard let moe, let touched = expectedExpertsTouched(tokens: tokens) else { return max(all, 0) }
        return max(all - routedExpertBytes(format) * (Double(moe.experts) - touched), 0)
    }

    /// FLOPs of causal attention over `tokens` new tokens that attend to `context` tokens each
    /// (QK^T and PV), summed over layers; sliding-window layers see at most their window.
    /// MLA decode runs absorbed (queries meet the 512 + 64-element latent, DeepSeek-V2 §2.1.2): `absorbed`.
    func attentionFLOPs(queries: Double, meanKeys: Double, absorbed: Bool = false) -> Double {
        let (qkDim, vDim): (Double, Double)
        if let mla, absorbed {
            (qkDim, vDim) = (Double(mla.kvLoraRank) + Double(mla.qkRopeHeadDim), Double(mla.kvLoraRank))
        } else if let mla {
            (qkDim, vDim) = (Double(mla.qkNopeHeadDim) + Double(mla.qkRopeHeadDim), Double(mla.vHeadDim))
        } else {
            (qkDim, vDim) = (Double(headDim), Double(headDim))
        }
        let perKey = 2 * Double(heads) * (qkDim + vDim)
        let sliding = Double(min(slidingLayers, layers))
        let window = Double(slidingWindow ?? Int.max)
        let full = Double(layers) - sliding
        return queries * perKey * (full * meanKeys + sliding * min(meanKeys, window))
    }

    /// KV bytes one GPU reads for one sequence at `context` tokens (sliding layers at their window).
    func kvBytesReadPerGPU(_ kv: KVFormat, weights: WeightFormat, tp: Int, context: Double) -> Double {
        guard layers > 0 else { return 0 }
        let perLayer = Double(kvBytesPerTokenPerGPU(kv, weights: weights, tp: tp)) / Double(layers)
        let sliding = Double(min(slidingLayers, layers))
        let window = Double(slidingWindow ?? Int.max)
        return perLayer * ((Double(layers) - sliding) * context + sliding * min(context, window))
    }

    /// FLOPs/s the GPU reaches for this format (FP8 tensor cores where the chip has them).
    func peakFLOPS(_ weights: WeightFormat, gpu: GPUPerformance) -> Double {
        if weights == .fp8 || weights == .int8, let f8 = gpu.tflops8 { return f8 * 1e12 }
        return gpu.tflops16 * 1e12
    }

    func allReduceSeconds(tokens: Double, gpu: GPUPerformance, tp: Int, factors: EfficiencyFactors) -> Double {
        guard tp > 1 else { return 0 }
        let link = LinkFigures.of(gpu, tp: tp)
        let t = Double(tp)
        let bytes = tokens * Double(hidden) * 2 * 2 * (t - 1) / t
        return Double(layers) * 2 * ((factors.allReduceLatencySeconds ?? link.latencySeconds) + bytes / (link.oneWayGBps * 1e9))
    }
}
