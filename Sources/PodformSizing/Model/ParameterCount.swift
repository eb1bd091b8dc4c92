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

    public var total: Int64 { embedding + lmHead + denseLinear + expertLinear + other + extra }
    /// Parameters touched per token: total minus the routed experts a token does not use.
    public var active: Int64 { total - inactiveExpertLinear - extra }
    /// Parameters a weight-only quantization converts.
    public var quantizable: Int64 { denseLinear + expertLinear }
}

extension ModelArchitecture {
    /// Counts parameters from the architecture: embeddings, attention (GQA or MLA), gated MLP,
    /// MoE routed and shared experts, norms and biases, tied embeddings (`Specs/sizing.md` §1).
    public var parameterCount: ParameterCount {
        let h = Int64(hidden), v = Int64(vocab), hd = Int64(headDim)
        let nh = Int64(heads), kv = Int64(kvHeads)
        let embedding = v * h
        let lmHead = tiedEmbeddings ? 0 : v * h

        var attention: Int64
        var attentionOther: Int64 = 0
        if let mla {
            let nope = Int64(mla.qkNopeHeadDim), rope = Int64(mla.qkRopeHeadDim), vd = Int64(mla.vHeadDim)
            let kvr = Int64(mla.kvLoraRank)
            if let qr = mla.qLoraRank.map(Int64.init) {
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

        let mlpMatrices: Int64 = gatedMLP ? 3 : 2
        let denseMLP = mlpMatrices * h * Int64(intermediate)
        let layerCount = Int64(layers)
        var denseLinear = layerCount * attention
        var expertLinear: Int64 = 0
        var inactive: Int64 = 0
        var other = layerCount * (norms + attentionOther) + h  // + final norm

        if let moe {
            let moeLayers = Int64(max(layers - moe.denseLayers, 0))
            denseLinear += Int64(moe.denseLayers) * denseMLP
            let expert = mlpMatrices * h * Int64(moe.expertIntermediate)
            let shared = Int64(moe.sharedExperts) * mlpMatrices * h * Int64(moe.sharedIntermediate ?? moe.expertIntermediate)
            expertLinear = moeLayers * (Int64(moe.experts) * expert + shared)
            inactive = moeLayers * Int64(moe.experts - moe.expertsPerToken) * expert
            other += moeLayers * h * Int64(moe.experts)  // router
            if moe.sharedExperts > 0 && moe.sharedIntermediate != nil && moe.denseLayers == 0 {
                other += moeLayers * h  // shared-expert gate (Qwen MoE)
            }
        } else {
            denseLinear += layerCount * denseMLP
        }
        return ParameterCount(embedding: embedding, lmHead: lmHead, denseLinear: denseLinear,
                              expertLinear: expertLinear, inactiveExpertLinear: inactive, other: other,
                              extra: extraParameters)
    }
}
