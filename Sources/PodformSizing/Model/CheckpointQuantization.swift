/// What a checkpoint's `config.json` says about how its weights are stored on disk
/// (`quantization_config`), as vLLM 0.27.1 reads it (`vllm/config/model.py`
/// `ModelConfig._verify_quantization`: the checkpoint's `quant_method` is the method, and a
/// `--quantization` flag that differs from it, or from the override vLLM derives from it, is refused).
public struct CheckpointQuantization: Sendable, Hashable, Codable {
    /// `quant_method`, lowercased, `compressed_tensors` normalised to `compressed-tensors`.
    public var method: String
    /// Bits per weight (`bits`, or `config_groups.*.weights.num_bits` for compressed-tensors).
    public var bits: Int?
    /// Weight element type for compressed-tensors (`int` or `float`).
    public var weightType: String?
    /// `weight_block_size` ([block_n, block_k]) of block-quantized FP8 checkpoints.
    public var weightBlock: [Int]?

    public init(method: String, bits: Int? = nil, weightType: String? = nil, weightBlock: [Int]? = nil) {
        self.method = method
        self.bits = bits
        self.weightType = weightType
        self.weightBlock = weightBlock
    }

    /// The spec precisions this checkpoint serves (what its weights are in GPU memory).
    public var servedFormats: [WeightFormat] {
        switch method {
        case "fp8", "fbgemm_fp8", "modelopt": return [.fp8]
        case "mxfp4", "gpt_oss_mxfp4": return [.mxfp4]
        case "awq", "awq_marlin": return bits == nil || bits == 4 ? [.awq, .int4] : []
        case "gptq", "gptq_marlin": return bits == 8 ? [.int8] : [.gptq, .int4]
        case "bitsandbytes": return bits == 8 ? [.int8] : [.int4]
        case "compressed-tensors":
            if weightType == "float" && bits == 8 { return [.fp8] }
            if bits == 8 { return [.int8] }
            if bits == 4 { return weightType == "float" ? [] : [.gptq, .awq, .int4] }
            return []
        default: return []
        }
    }

    /// How the checkpoint is described to a person: `compressed-tensors (int 4-bit)`.
    public var summary: String {
        var parts: [String] = []
        if let weightType { parts.append(weightType) }
        if let bits { parts.append("\(bits)-bit") }
        if let weightBlock { parts.append("block \(weightBlock.map(String.init).joined(separator: "x"))") }
        return parts.isEmpty ? method : "\(method) (\(parts.joined(separator: " ")))"
    }
}
