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
    public var maxContext: Int?
    public var tiedEmbeddings: Bool
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

    public init(id: String, layers: Int, hidden: Int, heads: Int, kvHeads: Int, headDim: Int? = nil,
                intermediate: Int, vocab: Int, maxContext: Int? = nil, tiedEmbeddings: Bool = false) {
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

    /// Problems that make the architecture unusable, as sentences (empty when fine).
    public var problems: [String] {
        var out: [String] = []
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
