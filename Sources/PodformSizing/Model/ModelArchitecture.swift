/// A transformer's architecture, as its Hugging Face `config.json` describes it.
///
/// Field names follow `config.json`; the catalog (`PodformCatalog/Resources/models.json`) stores
/// them with the source of every entry.
public struct ModelArchitecture: Sendable, Hashable, Codable {
    /// Mixture-of-experts layout.
    public struct MoE: Sendable, Hashable, Codable {
        /// Routed experts per MoE layer.
        public var experts: Int
        /// Experts each token is routed to.
        public var expertsPerToken: Int
        /// Intermediate size of one routed expert.
        public var expertIntermediate: Int
        /// Shared (always active) experts per MoE layer.
        public var sharedExperts: Int = 0
        /// Intermediate size of one shared expert (defaults to `expertIntermediate`).
        public var sharedIntermediate: Int?
        /// Leading dense layers before MoE starts (DeepSeek `first_k_dense_replace`).
        public var denseLayers: Int = 0
        /// Expert weights stored at 4.25 bits (gpt-oss ships MXFP4 experts).
        public var mxfp4Experts: Bool = false

        public init(experts: Int, expertsPerToken: Int, expertIntermediate: Int) {
            self.experts = experts
            self.expertsPerToken = expertsPerToken
            self.expertIntermediate = expertIntermediate
        }
    }

    /// Multi-head latent attention (DeepSeek V2/V3).
    public struct MLA: Sendable, Hashable, Codable {
        public var kvLoraRank: Int
        public var qLoraRank: Int?
        public var qkNopeHeadDim: Int
        public var qkRopeHeadDim: Int
        public var vHeadDim: Int

        public init(kvLoraRank: Int, qLoraRank: Int?, qkNopeHeadDim: Int, qkRopeHeadDim: Int, vHeadDim: Int) {
            self.kvLoraRank = kvLoraRank
            self.qLoraRank = qLoraRank
            self.qkNopeHeadDim = qkNopeHeadDim
            self.qkRopeHeadDim = qkRopeHeadDim
            self.vHeadDim = vHeadDim
        }
    }

    /// Canonical Hugging Face id.
    public var id: String
    public var layers: Int
    public var hidden: Int
    public var heads: Int
    public var kvHeads: Int
    /// `head_dim`, or hidden / heads when the config omits it.
    public var headDim: Int
    public var intermediate: Int
    public var vocab: Int
    /// The longest `--max-model-len` vLLM accepts for this config (`HFConfig` derives it as vLLM
    /// 0.27.1's `_get_and_verify_max_len` does, rope scaling included).
    public var maxContext: Int?
    public var tiedEmbeddings: Bool
    /// The checkpoint's `quantization_config`, nil for a 16/32-bit checkpoint.
    public var quantization: CheckpointQuantization?
    /// q/k/v projections carry biases (Qwen2, gpt-oss).
    public var qkvBias: Bool = false
    /// Per-head RMSNorm on queries and keys (Qwen3, Gemma 3): 2 x head_dim parameters per layer.
    public var qkNorm: Bool = false
    /// Gated MLP (gate, up, down); false for Falcon's two-matrix MLP.
    public var gatedMLP: Bool = true
    public var moe: MoE?
    public var mla: MLA?
    /// Sliding-window size, when some or all layers use one.
    public var slidingWindow: Int?
    /// How many layers use sliding-window (local) attention; the rest are full attention.
    public var slidingLayers: Int = 0
    /// Parameters outside the language model that vLLM still loads (a vision tower).
    public var extraParameters: Int64 = 0
    /// The checkpoint's weight files on disk, when known (the Hub's safetensors index or the
    /// catalog); nil: storage is estimated from the parameter count.
    public var checkpoint: CheckpointSize?

    public init(
        id: String, layers: Int, hidden: Int, heads: Int, kvHeads: Int, headDim: Int? = nil,
        intermediate: Int, vocab: Int, maxContext: Int? = nil, tiedEmbeddings: Bool = false
    ) {
        self.id = id
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim ?? (heads > 0 ? hidden / heads : 0)
        self.intermediate = intermediate
        self.vocab = vocab
        self.maxContext = maxContext
        self.tiedEmbeddings = tiedEmbeddings
    }

    /// Physical maxima for architecture fields: far above any published model (the largest have
    /// ~160 layers, hidden 18k, vocabularies of 262k, 384 experts), low enough that sizing stays exact.
    public enum Limits {
        public static let layers = 10_000
        public static let width = 1_048_576
        public static let heads = 65_536
        public static let vocab = 16_777_216
        public static let experts = 65_536
        /// Parameters: 100T.
        public static let parameters: Int64 = 100_000_000_000_000
    }

    /// Problems that make the architecture unusable, as sentences (empty when fine).
    public var problems: [String] {
        var out: [String] = []
        func bound(_ value: Int, _ name: String, _ range: ClosedRange<Int>) {
            if !range.contains(value) { out.append("\(name) is \(value); it must be \(range.lowerBound) to \(range.upperBound)") }
        }
        bound(layers, "num_hidden_layers", 0...Limits.layers)
        bound(hidden, "hidden_size", 0...Limits.width)
        bound(heads, "num_attention_heads", 0...Limits.heads)
        bound(kvHeads, "num_key_value_heads", 0...Limits.heads)
        bound(headDim, "head_dim", 0...Limits.width)
        bound(intermediate, "intermediate_size", 0...16 * Limits.width)
        bound(vocab, "vocab_size", 0...Limits.vocab)
        if let moe {
            bound(moe.experts, "num_local_experts", 0...Limits.experts)
            bound(moe.expertsPerToken, "num_experts_per_tok", 0...Limits.experts)
            bound(moe.expertIntermediate, "moe_intermediate_size", 0...16 * Limits.width)
            bound(moe.sharedExperts, "n_shared_experts", 0...Limits.experts)
            bound(moe.sharedIntermediate ?? 0, "shared_expert_intermediate_size", 0...16 * Limits.width)
            bound(moe.denseLayers, "first_k_dense_replace", 0...max(layers, 0))
        }
        if let mla {
            bound(mla.kvLoraRank, "kv_lora_rank", 1...Limits.width)
            bound(mla.qLoraRank ?? 1, "q_lora_rank", 1...Limits.width)
            bound(mla.qkNopeHeadDim, "qk_nope_head_dim", 0...Limits.width)
            bound(mla.qkRopeHeadDim, "qk_rope_head_dim", 0...Limits.width)
            bound(mla.vHeadDim, "v_head_dim", 0...Limits.width)
        }
        bound(slidingLayers, "sliding-window layers", 0...max(layers, 0))
        if let window = slidingWindow { bound(window, "sliding_window", 0...Int(Int32.max)) }
        if let context = maxContext, context < 0 { out.append("max_position_embeddings is \(context); it must not be negative") }
        if extraParameters < 0 || extraParameters > Limits.parameters { out.append("extra parameters are out of range") }
        guard out.isEmpty else { return out }
        if parameterCount.total > Limits.parameters {
            out.append("the architecture has \(parameterCount.total) parameters; the limit is 100T")
        }
        if layers <= 0 { out.append("num_hidden_layers must be positive") }
        if hidden <= 0 { out.append("hidden_size must be positive") }
        if heads <= 0 { out.append("num_attention_heads must be positive") }
        if kvHeads <= 0 || (heads > 0 && heads % max(kvHeads, 1) != 0) {
            out.append("num_key_value_heads must be positive and divide num_attention_heads")
        }
        if headDim <= 0 { out.append("head_dim must be positive") }
        if intermediate <= 0 && moe == nil { out.append("intermediate_size must be positive") }
        if vocab <= 0 { out.append("vocab_size must be positive") }
        if let moe, moe.experts <= 0 || moe.expertsPerToken <= 0 || moe.expertsPerToken > moe.experts {
            out.append("MoE expert counts are inconsistent")
        }
        return out
    }
}
