/// Parameter counts derived from the architecture, split by how quantization treats them.
public struct ParameterCount: Sendable, Hashable, Codable {
    /// Input embedding table.
    public var embedding: Int64
    /// Output projection (0 when tied to the embedding).
    public var lmHead: Int64
    /// Linear layers that weight quantization converts (attention and MLP matrices, non-expert).
    public var denseLinear: Int64
    /// Routed and shared expert matrices.
    public var expertLinear: Int64
    /// Expert matrices that are *not* used by one token (routed experts left idle).
    public var inactiveExpertLinear: Int64
    /// Norms, biases, routers: kept in 16-bit by every quantization scheme.
    public var other: Int64
    /// Parameters outside the language model (vision tower), kept in 16-bit.
    public var extra: Int64

    public var total: Int64 { Saturating.add(embedding, lmHead, denseLinear, expertLinear, other, extra) }
    /// Parameters touched per token: total minus the routed experts a token does not use.
    public var active: Int64 { Saturating.sub(Saturating.sub(total, inactiveExpertLinear), extra) }
    /// Parameters a weight-only quantization converts.
    public var quantizable: Int64 { Saturating.add(denseLinear, expertLinear) }
}

extension ModelArchitecture {
    /// Counts parameters from the architecture: embeddings, attention (GQA or MLA), gated MLP,
    /// MoE routed and shared experts, norms and biases, tied embeddings (`Specs/sizing.md` §1).
    ///
    /// Counted in `Double` (exact below 2^53, far above any real model) and clamped to `Int64`, so
    /// no architecture, however hostile its config.json, traps.
    public var parameterCount: ParameterCount {
        let h = Double(hidden), v = Double(vocab), hd = Double(headDim)
        let nh = Double(heads), kv = Double(kvHeads)
        let embedding = v * h
        let lmHead = tiedEmbeddings ? 0 : v * h

        var attention: Double
        var attentionOther: Double = 0
        if let mla {
            let nope = Double(mla.qkNopeHeadDim), rope = Double(mla.qkRopeHeadDim), vd = Double(mla.vHeadDim)
            let kvr = Double(mla.kvLoraRank)
            if let qr = mla.qLoraRank.map(Double.init) {
                attention = h * qr + qr * nh * (nope + rope)
                attentionOther += qr  // q_a_layernorm
            } else {
                attention = h * nh * (nope + rope)
            }
            attention += h * (kvr + rope) + kvr * nh * (nope + vd) + nh * vd * h
            attentionOther += kvr  // kv_a_layernorm
        } else {
            attention = h * nh * hd + 2 * h * kv * hd + nh * hd * h
            if qkvBias { attentionOther += (nh + 2 * kv) * hd }
            if qkNorm { attentionOther += 2 * hd }
        }
        let norms = 2 * h

        let mlpMatrices: Double = gatedMLP ? 3 : 2
        let denseMLP = mlpMatrices * h * Double(intermediate)
        let layerCount = Double(layers)
        var denseLinear = layerCount * attention
        var expertLinear: Double = 0
        var inactive: Double = 0
        var other = layerCount * (norms + attentionOther) + h  // + final norm

        if let moe {
            let moeLayers = max(Double(layers) - Double(moe.denseLayers), 0)
            denseLinear += Double(moe.denseLayers) * denseMLP
            let expert = mlpMatrices * h * Double(moe.expertIntermediate)
            let shared = Double(moe.sharedExperts) * mlpMatrices * h * Double(moe.sharedIntermediate ?? moe.expertIntermediate)
            expertLinear = moeLayers * (Double(moe.experts) * expert + shared)
            inactive = moeLayers * (Double(moe.experts) - Double(moe.expertsPerToken)) * expert
            other += moeLayers * h * Double(moe.experts)  // router
            if moe.sharedExperts > 0 && moe.sharedIntermediate != nil && moe.denseLayers == 0 {
                other += moeLayers * h  // shared-expert gate (Qwen MoE)
            }
        } else {
            denseLinear += layerCount * denseMLP
        }
        return ParameterCount(
            embedding: Int64(saturating: embedding), lmHead: Int64(saturating: lmHead),
            denseLinear: Int64(saturating: denseLinear), expertLinear: Int64(saturating: expertLinear),
            inactiveExpertLinear: Int64(saturating: inactive), other: Int64(saturating: other),
            extra: extraParameters)
    }
}
