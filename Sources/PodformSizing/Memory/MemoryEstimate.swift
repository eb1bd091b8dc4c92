/// What to size: a model served at a precision, context and concurrency, split over `tp` GPUs.
public struct ServingShape: Sendable, Hashable, Codable {
    public var weights: WeightFormat
    public var kv: KVFormat
    /// MAX_MODEL_LEN.
    public var context: Int
    /// Concurrent sequences at full context.
    public var concurrency: Int
    public var tensorParallel: Int
    /// Pipeline stages (layers split across GPUs); GPUs per replica = tp x pp.
    public var pipelineParallel: Int = 1
    public var gpuMemoryUtilization: Double
    /// Tokens per forward pass in the profiling run (MAX_NUM_BATCHED_TOKENS).
    public var maxBatchedTokens: Int
    /// KV tokens reserved per sequence when less than `context` (`kv_cache_sizing: typical`); nil: the
    /// full context. The fit still needs room for one sequence at the full context (vLLM's own check).
    public var kvTokensPerSequence: Int?

    public init(
        weights: WeightFormat, kv: KVFormat = .auto, context: Int, concurrency: Int, tensorParallel: Int = 1,
        gpuMemoryUtilization: Double = 0.90, maxBatchedTokens: Int = 8192
    ) {
        self.weights = weights
        self.kv = kv
        self.context = context
        self.concurrency = concurrency
        self.tensorParallel = tensorParallel
        self.gpuMemoryUtilization = gpuMemoryUtilization
        self.maxBatchedTokens = maxBatchedTokens
    }
}

/// The sizing breakdown (`podform size --json` prints these keys; integers are bytes).
public struct MemoryEstimate: Sendable, Hashable, Codable {
    public var parameters: Int64
    public var activeParameters: Int64
    public var weightsBytes: Int64
    public var weightsBytesPerGPU: Int64
    /// KV bytes per token, all GPUs together.
    public var kvBytesPerToken: Int64
    public var kvBytesPerTokenPerGPU: Int64
    /// KV for context x concurrency, all GPUs together.
    public var kvCacheBytes: Int64
    public var kvCacheBytesPerGPU: Int64
    public var activationBytesPerGPU: Int64
    public var nonTorchBytesPerGPU: Int64
    public var cudaGraphBytesPerGPU: Int64
    /// Activation peak + non-torch + CUDA-graph reserve.
    public var overheadBytesPerGPU: Int64
    /// Weights + KV for the requested load + overhead, per GPU.
    public var totalBytesPerGPU: Int64
    public var tensorParallel: Int
    public var accounting: String
    /// Present when sized against a GPU.
    public var gpu: GPUFit?

    enum CodingKeys: String, CodingKey {
        case parameters, activeParameters = "active_parameters", weightsBytes = "weights_bytes"
        case weightsBytesPerGPU = "weights_bytes_per_gpu", kvBytesPerToken = "kv_bytes_per_token"
        case kvBytesPerTokenPerGPU = "kv_bytes_per_token_per_gpu", kvCacheBytes = "kv_cache_bytes"
        case kvCacheBytesPerGPU = "kv_cache_bytes_per_gpu", activationBytesPerGPU = "activation_bytes_per_gpu"
        case nonTorchBytesPerGPU = "non_torch_bytes_per_gpu", cudaGraphBytesPerGPU = "cuda_graph_bytes_per_gpu"
        case overheadBytesPerGPU = "overhead_bytes_per_gpu", totalBytesPerGPU = "total_bytes_per_gpu"
        case tensorParallel = "tensor_parallel", accounting, gpu
    }
}

/// How the load fits one GPU's memory, as vLLM would allocate it.
public struct GPUFit: Sendable, Hashable, Codable {
    /// Total memory as CUDA reports it.
    public var totalBytes: Int64
    /// total x gpu_memory_utilization.
    public var usableBytes: Int64
    /// What vLLM would give the KV cache on each GPU.
    public var kvPoolBytesPerGPU: Int64
    /// KV capacity in tokens, rounded down to whole blocks.
    public var kvCapacityTokens: Int
    /// Sequences of `context` tokens that fit at once (vLLM's "maximum concurrency").
    public var maxConcurrency: Double
    /// True when the requested concurrency fits at full context.
    public var fits: Bool
    /// usable - total needed per GPU (negative when it does not fit).
    public var marginBytes: Int64

    enum CodingKeys: String, CodingKey {
        case totalBytes = "total_bytes", usableBytes = "usable_bytes", kvPoolBytesPerGPU = "kv_pool_bytes_per_gpu"
        case kvCapacityTokens = "kv_capacity_tokens", maxConcurrency = "max_concurrency", fits
        case marginBytes = "margin_bytes"
    }
}

extension ModelArchitecture {
    /// Activation peak of vLLM's profiling run, per GPU (`Specs/sizing.md` §4.2).
    ///
    /// The larger of the logits for every batched token (`T x vocab x 2` bytes: the lm_head output
    /// is gathered whole on every rank) and the MLP's live tensors (`T x (gate+up + act + hidden)`
    /// at 2 bytes, split by tp). The v0.19 H100 logs (T = 8192) sit within -7%..+3% of the logits
    /// term for every model with a vocabulary over 100k.
    public func activationPeakBytes(maxBatchedTokens t: Int, tp: Int) -> Int64 {
        let tokens = Int64(t)
        let logits = Saturating.mul(tokens, Int64(vocab), 2)
        let inter = Int64(moe.map { $0.expertIntermediate.timesSaturating(max($0.expertsPerToken, 1)) } ?? intermediate)
        let mlp = Saturating.mul(tokens, Saturating.add(Saturating.mul(3, inter) / Int64(max(tp, 1)), Int64(hidden)), 2)
        return max(logits, mlp)
    }

    /// Sizes a serving shape, optionally against a GPU with `gpuTotalBytes` (as CUDA reports it).
    public func estimate(
        _ shape: ServingShape, accounting: VLLMAccounting = .planning,
        gpuTotalBytes: Int64? = nil, parametersOverride: Int64? = nil
    ) -> MemoryEstimate {
        let tp = max(shape.tensorParallel, 1)
        let count = parameterCount
        var weights = weightBytes(shape.weights)
        var parameters = count.total
        if let override = parametersOverride, parameters > 0 {
            weights = Int64(saturating: Double(weights) * Double(override) / Double(parameters))
            parameters = override
        }
        let pp = max(shape.pipelineParallel, 1)
        let weightsPerGPU = Saturating.ceilDiv(weights, Saturating.mul(Int64(tp), Int64(pp)))
        let kvPerToken = kvBytesPerToken(shape.kv, weights: shape.weights)
        let kvPerTokenGPU = kvAccountedBytesPerTokenPerGPU(shape.kv, weights: shape.weights, tp: tp) / Int64(pp)
        let perSequence = min(shape.kvTokensPerSequence ?? shape.context, shape.context)
        let tokens = Saturating.mul(Int64(max(perSequence, 0)), Int64(max(shape.concurrency, 0)))
        let activation = activationPeakBytes(maxBatchedTokens: max(shape.maxBatchedTokens, 0), tp: tp)
        let nonTorch = accounting.nonTorch(tp: tp)
        let graphs = accounting.cudaGraphReserveBytes
        let overhead = Saturating.add(activation, nonTorch, graphs)
        let kvGPU = Saturating.mul(tokens, kvPerTokenGPU)
        var result = MemoryEstimate(
            parameters: parameters, activeParameters: parametersOverride == nil ? count.active : min(count.active, parameters),
            weightsBytes: weights, weightsBytesPerGPU: weightsPerGPU,
            kvBytesPerToken: kvPerToken, kvBytesPerTokenPerGPU: kvPerTokenGPU, kvCacheBytes: Saturating.mul(tokens, kvPerToken),
            kvCacheBytesPerGPU: kvGPU, activationBytesPerGPU: activation, nonTorchBytesPerGPU: nonTorch,
            cudaGraphBytesPerGPU: graphs, overheadBytesPerGPU: overhead,
            totalBytesPerGPU: Saturating.add(weightsPerGPU, kvGPU, overhead), tensorParallel: tp, accounting: accounting.name, gpu: nil)
        if let total = gpuTotalBytes {
            let usable = Int64(saturating: (Double(total) * shape.gpuMemoryUtilization).rounded(.down))
            let pool = max(Saturating.sub(Saturating.sub(usable, weightsPerGPU), overhead), 0)
            let blockBytes = Saturating.mul(kvPerTokenGPU, Int64(accounting.blockSize))
            let blocks = blockBytes > 0 ? pool / blockBytes : 0
            let capacity = Int(blocks).timesSaturating(accounting.blockSize)
            let maxConcurrency = shape.context > 0 ? Double(capacity) / Double(shape.context) : 0
            result.gpu = GPUFit(
                totalBytes: total, usableBytes: usable, kvPoolBytesPerGPU: pool, kvCapacityTokens: capacity,
                maxConcurrency: (maxConcurrency * 100).rounded(.down) / 100,
                fits: pool > 0 && Int64(capacity) >= tokens && capacity >= shape.context,
                marginBytes: Saturating.sub(usable, result.totalBytesPerGPU))
        }
        return result
    }
}
