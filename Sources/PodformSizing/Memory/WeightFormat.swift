/// How weights are stored on the GPU (the spec's `precision`).
public enum WeightFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case fp32, bf16, fp16, fp8, int8, int4, awq, gptq, mxfp4

    /// Bytes per parameter of the layers this format converts (`Specs/sizing.md` §2).
    ///
    /// - fp8/int8: 1 byte; per-channel scales are under 0.1% and ignored.
    /// - int4 (bitsandbytes NF4): 4 bits + absmax per 64-weight block, double-quantized to
    ///   0.127 bits/param (Dettmers et al. 2023, QLoRA §3) = 4.127 bits.
    /// - awq/gptq: 4 bits + an fp16 scale and a 4-bit zero per group of 128 = 4.156 bits
    ///   (AutoAWQ / GPTQ default group size 128).
    /// - mxfp4: 4-bit E2M1 + one 8-bit shared scale per 32 values = 4.25 bits (OCP MX spec v1.0).
    public var quantizedBytesPerParameter: Double {
        switch self {
        case .fp32: return 4
        case .bf16, .fp16: return 2
        case .fp8, .int8: return 1
        case .int4: return 4.127 / 8
        case .awq, .gptq: return (4 + 16.0 / 128 + 4.0 / 128) / 8
        case .mxfp4: return 4.25 / 8
        }
    }

    /// Bytes per parameter of what the format leaves alone (embeddings, lm_head, norms, biases).
    public var unquantizedBytesPerParameter: Double { self == .fp32 ? 4 : 2 }

    /// True for formats that quantize weights below 16 bits.
    public var isQuantized: Bool { ![.fp32, .bf16, .fp16].contains(self) }
}

/// The KV cache element type.
public enum KVFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case auto, fp8

    /// Bytes per KV element; `auto` follows the activations (2 bytes, 4 for fp32 models).
    public func bytes(weights: WeightFormat) -> Int {
        switch self {
        case .fp8: return 1
        case .auto: return weights == .fp32 ? 4 : 2
        }
    }
}

extension ModelArchitecture {
    /// Bytes of all weights in `format` (`Specs/sizing.md` §2).
    ///
    /// Quantization converts the linear layers; embeddings, lm_head, norms, biases and routers stay
    /// 16-bit (AutoAWQ, GPTQ and compressed-tensors leave lm_head and embeddings unquantized).
    /// MXFP4 converts only the routed experts (gpt-oss); expert weights of a gpt-oss checkpoint stay
    /// MXFP4 whatever 16-bit format the rest uses.
    public func weightBytes(_ format: WeightFormat) -> Int64 {
        let p = parameterCount
        let keep = (Double(p.embedding) + Double(p.lmHead) + Double(p.other) + Double(p.extra)) * format.unquantizedBytesPerParameter
        let converted: Double
        // vLLM's MXFP4 MoE kernels pad the expert hidden dimension up to a multiple of 256
        // (`quantization/mxfp4.py`, round_up(hidden_size, 256)): gpt-oss's 2880 becomes 3072.
        let mxfp4Padding = hidden > 0 ? (Double(hidden) / 256).rounded(.up) * 256 / Double(hidden) : 1
        switch format {
        case .mxfp4:
            converted = Double(p.denseLinear) * 2 + Double(p.expertLinear) * format.quantizedBytesPerParameter * mxfp4Padding
        case .fp32, .bf16, .fp16:
            let experts =
                (moe?.mxfp4Experts ?? false) && format != .fp32
                ? Double(p.expertLinear) * WeightFormat.mxfp4.quantizedBytesPerParameter * mxfp4Padding
                : Double(p.expertLinear) * format.quantizedBytesPerParameter
            converted = Double(p.denseLinear) * format.quantizedBytesPerParameter + experts
        default:
            converted = Double(p.quantizable) * format.quantizedBytesPerParameter
        }
        return Int64(saturating: (keep + converted).rounded())
    }

    /// Bytes read from weights per decode step: active parameters only (MoE reads top-k experts).
    public func activeWeightBytes(_ format: WeightFormat) -> Int64 {
        let p = parameterCount
        guard p.total > 0 else { return 0 }
        let fraction = Double(p.active) / (Double(p.total) - Double(p.extra))
        return Int64(saturating: (Double(weightBytes(format)) - Double(p.extra) * format.unquantizedBytesPerParameter) * fraction)
    }
}
