extension ModelArchitecture {
    /// KV cache elements stored per token per layer, across all GPUs (`Specs/sizing.md` §3).
    ///
    /// MHA/GQA/MQA: `2 x kv_heads x head_dim` (K and V). MLA: `kv_lora_rank + qk_rope_head_dim`
    /// (the compressed latent and the decoupled rope key; DeepSeek-V2 paper §2.1.3).
    public var kvElementsPerTokenPerLayer: Int {
        if let mla { return Int(saturating: Double(mla.kvLoraRank) + Double(mla.qkRopeHeadDim)) }
        return Int(saturating: 2 * Double(kvHeads) * Double(headDim))
    }

    /// KV bytes per token for the whole model: `2 x layers x kv_heads x head_dim x bytes`.
    ///
    /// Seed check (`001_…txt`): Llama 3.1 8B in BF16 = 2 x 32 x 8 x 128 x 2 = 131,072 bytes.
    public func kvBytesPerToken(_ kv: KVFormat, weights: WeightFormat) -> Int64 {
        Saturating.mul(Int64(layers), Int64(kvElementsPerTokenPerLayer), Int64(kv.bytes(weights: weights)))
    }

    /// KV bytes per token held by one GPU at tensor-parallel size `tp`.
    ///
    /// KV heads split across GPUs, at least one head per GPU (vLLM replicates KV heads when
    /// tp > kv_heads). MLA's latent is not split: every GPU keeps the whole latent.
    public func kvBytesPerTokenPerGPU(_ kv: KVFormat, weights: WeightFormat, tp: Int) -> Int64 {
        let perLayer: Int
        if mla != nil {
            perLayer = kvElementsPerTokenPerLayer
        } else {
            perLayer = Int(saturating: 2 * Double(max(kvHeads / max(tp, 1), 1)) * Double(headDim))
        }
        return Saturating.mul(Int64(layers), Int64(perLayer), Int64(kv.bytes(weights: weights)))
    }

    /// Layers vLLM V1 allocates KV for when it sizes the cache in tokens.
    ///
    /// vLLM V1's hybrid KV-cache manager puts layers of each attention type (full, sliding
    /// window, chunked) into groups of equal size (the smallest type's count) and gives every group
    /// the same page size, padding the larger type up to whole groups (`vllm/v1/core/kv_cache_utils.py`,
    /// uniform page size). The "GPU KV cache size: N tokens" it logs divides the pool by that padded
    /// layer count. Gemma 3 27B: 52 sliding + 10 full layers -> groups of 10 -> 60 + 10 = 70 layers.
    public var kvAllocatedLayers: Int {
        let (full, overflow) = layers.subtractingReportingOverflow(slidingLayers)
        guard slidingLayers > 0, full > 0, !overflow else { return layers }
        let group = Int64(min(slidingLayers, full))
        func padded(_ n: Int) -> Int64 { Saturating.mul(Saturating.ceilDiv(Int64(n), group), group) }
        return Int(Saturating.add(padded(slidingLayers), padded(full)))
    }

    /// KV bytes per token per GPU as vLLM counts them when it converts the pool to tokens.
    public func kvAccountedBytesPerTokenPerGPU(_ kv: KVFormat, weights: WeightFormat, tp: Int) -> Int64 {
        guard layers > 0 else { return 0 }
        return Saturating.mul(kvBytesPerTokenPerGPU(kv, weights: weights, tp: tp) / Int64(layers), Int64(kvAllocatedLayers))
    }

    /// Whether tensor parallelism of size `tp` is valid: it must divide the attention heads
    /// (vLLM's requirement), and the KV heads or be a multiple of them.
    public func supportsTensorParallel(_ tp: Int) -> Bool {
        guard tp >= 1, heads % tp == 0 else { return false }
        if mla != nil { return true }
        guard kvHeads > 0 else { return false }
        return kvHeads % tp == 0 || tp % kvHeads == 0
    }
}
