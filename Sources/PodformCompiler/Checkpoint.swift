import PodformCatalog
import PodformCore
import PodformSizing

/// The precision x checkpoint rule (D-PRECISION, `Specs/decisions.md`): which `--quantization`
/// vLLM 0.27.1 accepts for this checkpoint, or why the spec cannot run.
struct PrecisionDecision {
    /// vLLM's `--quantization` / worker-vllm's `QUANTIZATION`; nil: none (vLLM reads the checkpoint).
    var flag: String?
    /// True when vLLM quantizes a 16-bit checkpoint while loading it (the download is the 16-bit one).
    var online: Bool
    var outcome: String
    /// A refusal: message and suggestions.
    var refusal: (String, [String])?
    /// Where in vLLM's code the refused plan would fail, when that is past config validation
    /// (which `Tests/Oracles/vllm_check.py` runs); nil: `Source.vllmQuantization`.
    var source: String?
}

/// Pre-quantized repositories podform knows for a base model (catalog entries).
private let knownQuantized: [String: [WeightFormat: String]] = [
    "meta-llama/llama-3.1-70b-instruct": [.awq: "hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4"],
    "meta-llama/llama-3.1-8b-instruct": [
        .gptq: "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16",
        .awq: "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16",
        .int8: "RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8"
    ],
    "meta-llama/llama-3.3-70b-instruct": [.fp8: "RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic"]
]

extension Compiler {
    /// D-PRECISION. Sources (vLLM 0.27.1): `vllm/config/model.py` `ModelConfig._verify_quantization`
    /// (a `--quantization` that differs from the checkpoint's `quant_method`, or from the override
    /// vLLM derives such as `gptq_marlin`/`awq_marlin`, raises "Quantization method specified in the
    /// model config (...) does not match ..."; no flag lets vLLM pick its own kernel); `fp8.py`
    /// `Fp8Config.from_config` (`--quantization fp8` on a 16-bit checkpoint quantizes while loading);
    /// `bitsandbytes.py` `BitsAndBytesConfig` (in-flight 4-bit by default); `vllm/config/quantization.py`
    /// `_ONLINE_SHORTHANDS` (`int8_per_channel_weight_only` quantizes MoE experts only, linear stays 16-bit);
    /// AWQ/GPTQ/MXFP4 load only from checkpoints carrying their tensors (`get_config_filenames`).
    func precisionDecision() -> PrecisionDecision {
        if let q = architecture.quantization { return preQuantizedDecision(q) }
        return sixteenBitDecision()
    }

    /// A checkpoint that carries a quantization_config: vLLM reads it, and refuses a different flag.
    func preQuantizedDecision(_ q: CheckpointQuantization) -> PrecisionDecision {
        let served = q.servedFormats
        if served.contains(precision) {
            return PrecisionDecision(
                flag: nil, online: false,
                outcome: "no --quantization: vLLM reads the checkpoint's quantization_config (\(q.summary)) and picks its kernel itself")
        }
        if served.isEmpty {
            return PrecisionDecision(
                flag: nil, online: false,
                outcome:
                    "no --quantization: vLLM reads the checkpoint's quantization_config (\(q.summary)); podform sizes it as \(precision.rawValue)"
            )
        }
        let want = served[0].rawValue
        return PrecisionDecision(
            flag: nil, online: false, outcome: "refused",
            refusal: (
                "precision \(precision.rawValue) does not match `\(spec.model.id)`: it is a pre-quantized \(q.summary) checkpoint, which vLLM loads as \(want) whatever the spec says (and refuses a --quantization other than its own)",
                ["set precision: \(want)", "or use the unquantized base repository for \(precision.rawValue)"]
            ))
    }

    /// A 16-bit checkpoint: served as it is, quantized while loading (fp8, int4), or refused for a
    /// format vLLM loads only from a pre-quantized checkpoint.
    func sixteenBitDecision() -> PrecisionDecision {
        let id = spec.model.id
        let known = knownQuantized[id.lowercased()]
        switch precision {
        case .fp32, .bf16, .fp16:
            return PrecisionDecision(flag: nil, online: false, outcome: "no --quantization: a \(precision.rawValue) checkpoint served as it is")
        case .fp8:
            return PrecisionDecision(
                flag: "fp8", online: true,
                outcome:
                    "--quantization fp8: vLLM quantizes the 16-bit checkpoint to FP8 while loading (the full 16-bit checkpoint is downloaded; small quality loss)"
            )
        case .int4:
            return PrecisionDecision(
                flag: "bitsandbytes", online: true,
                outcome:
                    "--quantization bitsandbytes: in-flight 4-bit NF4 (the full 16-bit checkpoint is downloaded; bitsandbytes kernels decode slower than AWQ/GPTQ Marlin)"
            )
        case .int8:
            var hints = ["use precision: fp8 (online --quantization fp8, on GPUs with FP8)"]
            hints.append(
                known?[.int8].map { "or the W8A8 checkpoint \($0) with precision: int8" } ?? "or a pre-quantized W8A8/INT8 checkpoint of this model")
            return PrecisionDecision(
                flag: nil, online: false, outcome: "refused",
                refusal: (
                    "precision int8 needs a pre-quantized INT8 checkpoint: `\(id)` is 16-bit, and vLLM 0.27.1 has no online 8-bit integer quantization of linear layers (int8_per_channel_weight_only quantizes MoE experts only)",
                    hints
                ))
        case .awq, .gptq, .mxfp4:
            let name = precision.rawValue.uppercased()
            let repo =
                known?[precision].map { "use \($0)" }
                ?? "use a pre-quantized \(name) repository of this model (e.g. one named `\(id.split(separator: "/").last ?? "")-\(name)`)"
            // vLLM's config layer accepts the flag; loading does not (the oracle cannot see this).
            let source =
                precision == .mxfp4
                ? "vLLM 0.27.1 quantization/mxfp4.py Mxfp4Config.get_quant_method (linear layers stay unquantized; MoE layers expect the checkpoint's MXFP4 blocks and scales)"
                : "vLLM 0.27.1 model_executor/model_loader/weight_utils.py get_quant_config (\"Cannot find the config file for \(precision.rawValue)\": \(name) reads the checkpoint's quantization config, get_config_filenames)"
            return PrecisionDecision(
                flag: nil, online: false, outcome: "refused",
                refusal: (
                    "precision \(precision.rawValue) needs a pre-quantized \(name) checkpoint, and `\(id)` has no quantization_config: vLLM cannot quantize to \(name) while loading",
                    [repo, "or precision: int4 (in-flight bitsandbytes) or fp8"]
                ),
                source: source)
        }
    }

    /// Bytes the worker downloads: the checkpoint's files when their size is known (the Hub's
    /// safetensors index, or the catalog's; vLLM downloads the checkpoint as published whatever it
    /// quantizes to while loading), else estimated from the parameter count.
    var downloadBytes: Int64 { architecture.checkpoint?.bytes ?? estimatedDownloadBytes }

    /// The parameter-derived download: 16-bit when vLLM quantizes while loading.
    var estimatedDownloadBytes: Int64 {
        if architecture.quantization == nil && precision.isQuantized && precisionDecision().online {
            return architecture.weightBytes(.bf16)
        }
        return architecture.weightBytes(precision)
    }

    /// What the download size is, for the plan's D-WEIGHTS step: the checkpoint's files or an estimate.
    var downloadSizeBasis: String {
        if let c = architecture.checkpoint { return "the checkpoint's weight files: \(c.source)" }
        let format = architecture.quantization == nil && precision.isQuantized && precisionDecision().online ? WeightFormat.bf16 : precision
        return "estimated from the parameter count at \(format.rawValue) bytes per weight; no safetensors index known"
    }

    /// Why vLLM 0.27.1 cannot load this checkpoint at tensor parallel `tp`, or nil.
    ///
    /// Heads: `vllm/config/model.py` `verify_with_parallel_config` (attention heads % tp). KV heads:
    /// `vllm/model_executor/layers/linear.py` `QKVParallelLinear` (tp >= kv heads replicates them,
    /// `divide(tp, kv)`; otherwise `divide(kv, tp)`). FP8 blocks: `quantization/fp8.py`
    /// `Fp8MoEMethod.create_weights` (expert intermediate / tp divisible by block_n and block_k) and
    /// `utils/fp8_utils.py` `validate_fp8_block_shape` (the same for dense layers).
    func tensorParallelProblem(_ tp: Int) -> String? {
        let a = architecture
        if a.heads % tp != 0 { return "\(a.heads) attention heads are not divisible by tensor parallel \(tp)" }
        if a.mla == nil, a.kvHeads > 0, a.kvHeads % tp != 0 && tp % a.kvHeads != 0 {
            return "\(a.kvHeads) KV heads neither divide nor are divisible by tensor parallel \(tp)"
        }
        if let block = a.quantization?.weightBlock, block.count == 2 {
            let shards = [
                (a.moe?.expertIntermediate, "MoE intermediate size"),
                (a.moe == nil || (a.moe?.denseLayers ?? 0) > 0 ? a.intermediate : nil, "intermediate size")
            ]
            for case let (size?, what) in shards where size > 0 {
                guard size % tp == 0 else { return "\(what) \(size) is not divisible by tensor parallel \(tp)" }
                let shard = size / tp
                if shard % block[0] != 0 || (tp > 1 && shard % block[1] != 0) {
                    return
                        "the \(what) shard \(size)/\(tp) = \(shard) is not divisible by the checkpoint's FP8 block \(block[0])x\(block[1]) (vLLM fp8.py)"
                }
            }
        }
        return nil
    }
}
