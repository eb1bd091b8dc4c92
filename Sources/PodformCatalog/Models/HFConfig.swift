import Foundation
import PodformSizing

/// Reads a Hugging Face `config.json` into a `ModelArchitecture` (`Specs/sizing.md` §1).
public enum HFConfig {
    /// The file name of a Hub config in the on-disk cache: the id percent-encoded byte by byte
    /// (everything but `A-Z a-z 0-9 . _ -`, `%` included), so distinct ids never share a file
    /// (`a/b--c` and `a--b/c` did). Nil when the name would be too long for a file system.
    public static func cacheFileName(for id: String) -> String? {
        var name = ""
        for byte in id.utf8 {
            let ascii = Unicode.Scalar(byte)
            if byte < 0x80,
                ("a"..."z").contains(ascii) || ("A"..."Z").contains(ascii)
                    || ("0"..."9").contains(ascii) || "._-".unicodeScalars.contains(ascii)
            {
                name.unicodeScalars.append(ascii)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                name += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        guard !name.isEmpty, name.utf8.count <= 200, !name.hasPrefix(".") else { return nil }
        return name + ".json"
    }

    /// Parses config.json bytes. Multimodal configs use their `text_config`.
    ///
    /// - Throws: `CatalogError.invalidConfig` naming the missing or malformed field.
    public static func architecture(id: String, json data: Data) throws -> ModelArchitecture {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw CatalogError.invalidConfig("config.json for \(id) is not valid JSON: \(error.localizedDescription)")
        }
        guard let dict = object as? [String: Any] else {
            throw CatalogError.invalidConfig("config.json for \(id) must be a JSON object")
        }
        return try architecture(id: id, config: dict)
    }

    /// Reads whole-number fields of one config dictionary.
    struct Fields {
        let c: [String: Any]
        let id: String

        /// Whole numbers only, and only those an Int holds (`1e300` is not a layer count); the
        /// architecture's `problems` then bound each field to physical maxima.
        func whole(_ key: String) throws -> Int? {
            guard let value = c[key] else { return nil }
            if let v = value as? Int { return v }
            if let v = value as? Double {
                guard let exact = Int(exactly: v) else {
                    throw CatalogError.invalidConfig("config.json for \(id): `\(key)` is \(v), not a usable whole number")
                }
                return exact
            }
            return nil
        }

        func int(_ keys: String...) throws -> Int? {
            for key in keys { if let v = try whole(key) { return v } }
            return nil
        }

        func need(_ keys: String...) throws -> Int {
            for key in keys { if let v = try whole(key) { return v } }
            throw CatalogError.invalidConfig("config.json for \(id) lacks `\(keys[0])`")
        }
    }

    /// Parses an already-decoded config dictionary.
    public static func architecture(id: String, config top: [String: Any]) throws -> ModelArchitecture {
        var c = top
        if let text = top["text_config"] as? [String: Any] {
            c = text
            if c["model_type"] == nil, let type = top["model_type"] as? String { c["model_type"] = type }
            if c["tie_word_embeddings"] == nil, let tie = top["tie_word_embeddings"] { c["tie_word_embeddings"] = tie }
        }
        let type = (c["model_type"] as? String ?? "").lowercased()
        let f = Fields(c: c, id: id)
        let layers = try f.need("num_hidden_layers", "n_layer", "num_layers")
        let hidden = try f.need("hidden_size", "d_model", "n_embd")
        let heads = try f.need("num_attention_heads", "n_head")
        var kvHeads = try f.int("num_key_value_heads", "num_kv_heads", "n_head_kv") ?? heads
        if type == "falcon", (c["multi_query"] as? Bool) == true, c["num_kv_heads"] == nil { kvHeads = 1 }
        let vocab = try f.need("vocab_size")
        let headDim = try f.int("head_dim") ?? (heads > 0 ? hidden / heads : 0)
        var intermediate = try f.int("intermediate_size", "ffn_hidden_size", "n_inner") ?? 0
        if intermediate == 0, type == "falcon" { intermediate = hidden.timesSaturating(4) }
        let tieDefault = type.hasPrefix("gemma") || type == "falcon"
        var arch = ModelArchitecture(
            id: id, layers: layers, hidden: hidden, heads: heads, kvHeads: kvHeads, headDim: headDim,
            intermediate: intermediate, vocab: vocab, maxContext: try derivedMaxContext(c, type: type, whole: f.whole),
            tiedEmbeddings: c["tie_word_embeddings"] as? Bool ?? tieDefault)
        arch.quantization = quantization(top) ?? (top["text_config"] as? [String: Any]).flatMap(quantization)
        arch.gatedMLP = type != "falcon"
        arch.qkNorm = ["qwen3", "qwen3_moe", "gemma3", "gemma3_text", "olmo2"].contains(type)
        arch.qkvBias = (c["attention_bias"] as? Bool) ?? (c["qkv_bias"] as? Bool) ?? ["qwen2", "qwen2_moe"].contains(type)
        arch.moe = try moe(f, intermediate: intermediate, mxfp4: arch.quantization?.method == "mxfp4")
        if let rank = try f.int("kv_lora_rank") {
            arch.mla = ModelArchitecture.MLA(
                kvLoraRank: rank, qLoraRank: try f.int("q_lora_rank"), qkNopeHeadDim: try f.int("qk_nope_head_dim") ?? 128,
                qkRopeHeadDim: try f.int("qk_rope_head_dim") ?? 64, vHeadDim: try f.int("v_head_dim") ?? 128)
        }
        (arch.slidingLayers, arch.slidingWindow) = try slidingLayers(f, type: type, layers: layers)
        if let problem = arch.problems.first {
            throw CatalogError.invalidConfig("config.json for \(id): \(problem)")
        }
        return arch
    }

    /// The mixture-of-experts shape, when the config has more than one expert.
    static func moe(_ f: Fields, intermediate: Int, mxfp4: Bool) throws -> ModelArchitecture.MoE? {
        guard let experts = try f.int("num_local_experts", "num_experts", "n_routed_experts"), experts > 1 else { return nil }
        let perToken = try f.int("num_experts_per_tok", "experts_per_token") ?? 2
        let expertInter = try f.int("moe_intermediate_size") ?? intermediate
        var moe = ModelArchitecture.MoE(experts: experts, expertsPerToken: perToken, expertIntermediate: expertInter)
        if let shared = try f.int("n_shared_experts") { moe.sharedExperts = shared }
        if let sharedInter = try f.int("shared_expert_intermediate_size"), sharedInter > 0 {
            moe.sharedExperts = 1
            moe.sharedIntermediate = sharedInter
        }
        moe.denseLayers = try f.int("first_k_dense_replace") ?? 0
        moe.mxfp4Experts = mxfp4
        return moe
    }

    /// Sliding-window layers and their window, as vLLM sees them (0 and nil: none).
    static func slidingLayers(_ f: Fields, type: String, layers: Int) throws -> (Int, Int?) {
        let window = try f.int("sliding_window")
        if let types = f.c["layer_types"] as? [String] {
            return (types.filter { $0.contains("sliding") || $0.contains("chunked") || $0.contains("local") }.count, window)
        }
        guard let window, window > 0 else { return (0, nil) }
        let sliding: Int
        switch type {
        case "gemma2", "gpt_oss":  // alternating local / global
            sliding = layers / 2
        case "gemma3", "gemma3_text":
            let pattern = try f.int("sliding_window_pattern") ?? 6
            sliding = layers - layers / max(pattern, 1)
        case "qwen2", "qwen2_moe", "qwen3", "qwen3_moe":
            sliding = (f.c["use_sliding_window"] as? Bool) == true ? layers : 0
        default:
            sliding = layers  // Mistral v0.1, Phi-3: every layer
        }
        return (sliding, sliding > 0 ? window : nil)
    }

    /// The longest context vLLM 0.27.1 accepts for this (text) config, as
    /// `vllm/transformers_utils/model_arch_config_convertor.py` `derive_max_model_len_and_key` and
    /// `vllm/config/model.py` `_get_and_verify_max_len` derive it: the smallest of the length keys
    /// (`model_max_length` wins when present), then, unless the model is Gemma 3 (already scaled),
    /// times the rope scaling `factor` for every rope type but `su`, `longrope` and `llama3`, a
    /// `yarn` rope starting from its `original_max_position_embeddings`. Nil when no key is present
    /// (vLLM then takes `--max-model-len` as given).
    static func derivedMaxContext(_ c: [String: Any], type: String, whole: (String) throws -> Int?) throws -> Int? {
        let keys = [
            "max_position_embeddings", "n_positions", "max_seq_len", "seq_length", "model_max_length",
            "max_target_positions", "max_sequence_length", "max_seq_length", "seq_len"
        ]
        var derived: Double?
        for key in keys { if let v = try whole(key) { derived = min(derived ?? .infinity, Double(v)) } }
        if let v = try whole("model_max_length") { derived = Double(v) }
        guard var length = derived else { return nil }
        let rope = (c["rope_scaling"] as? [String: Any]) ?? (c["rope_parameters"] as? [String: Any])
        if let rope, !type.contains("gemma3") {
            let ropeType = ((rope["rope_type"] ?? rope["type"]) as? String ?? "default").lowercased()
            if !["su", "longrope", "llama3"].contains(ropeType) {
                let factor = (rope["factor"] as? Double) ?? (rope["factor"] as? Int).map(Double.init) ?? 1
                if ropeType == "yarn",
                    let original = (rope["original_max_position_embeddings"] as? Int)
                        ?? (rope["original_max_position_embeddings"] as? Double).flatMap({ Int(exactly: $0) })
                {
                    length = Double(original)
                }
                length *= factor
            }
        }
        guard length.isFinite, length >= 0, length < 1e12 else { return nil }
        return Int(length)
    }

    /// The checkpoint's `quantization_config` (or compressed-tensors' `compression_config`), as
    /// `vllm/config/model.py` `ModelConfig._verify_quantization` reads it.
    public static func quantization(_ config: [String: Any]) -> CheckpointQuantization? {
        guard let q = (config["quantization_config"] as? [String: Any]) ?? (config["compression_config"] as? [String: Any]),
            var method = (q["quant_method"] as? String)?.lowercased(), !method.isEmpty
        else { return nil }
        method = method.replacingOccurrences(of: "compressed_tensors", with: "compressed-tensors")
        func intValue(_ v: Any?) -> Int? { (v as? Int) ?? (v as? Double).flatMap { Int(exactly: $0) } }
        var out = CheckpointQuantization(method: method, bits: intValue(q["bits"]) ?? intValue(q["w_bit"]))
        if let block = q["weight_block_size"] as? [Any] {
            let sizes = block.compactMap(intValue)
            if sizes.count == 2, sizes.allSatisfy({ $0 > 0 }) { out.weightBlock = sizes }
        }
        if method == "compressed-tensors", let groups = q["config_groups"] as? [String: Any] {
            for key in groups.keys.sorted() {
                guard let weights = (groups[key] as? [String: Any])?["weights"] as? [String: Any] else { continue }
                out.bits = intValue(weights["num_bits"])
                out.weightType = (weights["type"] as? String)?.lowercased()
                if (weights["strategy"] as? String) == "block", let block = weights["block_structure"] as? [Any] {
                    let sizes = block.compactMap(intValue)
                    if sizes.count == 2, sizes.allSatisfy({ $0 > 0 }) { out.weightBlock = sizes }
                }
                break
            }
        }
        if method == "bitsandbytes" {
            out.bits = (q["load_in_8bit"] as? Bool) == true ? 8 : 4
        }
        return out
    }
}
