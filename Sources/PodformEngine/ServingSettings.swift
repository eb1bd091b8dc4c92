/// The engine settings a plan chooses (the plan's `vllm` object, `Specs/plan.md`).
///
/// podform sets each explicitly so that the running engine and the sizing agree; a
/// `ServingEngine` turns them into its own flags or environment variables.
public struct ServingSettings: Sendable, Codable, Hashable {
    /// Longest sequence, prompt + output: the spec's context, never the model's maximum.
    public var maxModelLen: Int
    /// Fraction of GPU memory the engine may use.
    public var gpuMemoryUtilization: Double
    /// GPUs one replica is split over.
    public var tensorParallelSize: Int
    /// Concurrent sequences per replica.
    public var maxNumSeqs: Int
    /// Tokens per scheduler step (sets the activation peak the sizing assumes).
    public var maxNumBatchedTokens: Int
    /// Online quantization to apply while loading, when one must be asked for.
    public var quantization: String?
    /// The engine's data type for the weights.
    public var dtype: String
    /// KV cache data type (`auto` follows the weights).
    public var kvCacheDType: String
    /// Prompts share prefixes (`traffic.repeated_prefixes`).
    public var enablePrefixCaching: Bool
    /// Pipeline stages across the nodes of an Instant Cluster (nil: one machine).
    public var pipelineParallelSize: Int?

    public init(
        maxModelLen: Int, gpuMemoryUtilization: Double, tensorParallelSize: Int, maxNumSeqs: Int,
        maxNumBatchedTokens: Int, quantization: String?, dtype: String, kvCacheDType: String,
        enablePrefixCaching: Bool
    ) {
        self.maxModelLen = maxModelLen
        self.gpuMemoryUtilization = gpuMemoryUtilization
        self.tensorParallelSize = tensorParallelSize
        self.maxNumSeqs = maxNumSeqs
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.quantization = quantization
        self.dtype = dtype
        self.kvCacheDType = kvCacheDType
        self.enablePrefixCaching = enablePrefixCaching
    }

    enum CodingKeys: String, CodingKey {
        case maxModelLen = "max_model_len", gpuMemoryUtilization = "gpu_memory_utilization"
        case tensorParallelSize = "tensor_parallel_size", maxNumSeqs = "max_num_seqs"
        case maxNumBatchedTokens = "max_num_batched_tokens", quantization, dtype, kvCacheDType = "kv_cache_dtype"
        case enablePrefixCaching = "enable_prefix_caching", pipelineParallelSize = "pipeline_parallel_size"
    }
}
