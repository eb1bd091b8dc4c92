/// Fine-tuning and training memory (`Specs/sizing.md` §5; seeds 000 and 002).
public struct TrainingShape: Sendable, Hashable, Codable {
    public enum Method: String, Sendable, Hashable, Codable { case full, lora, qlora }
    public var method: Method
    public var loraRank: Int
    /// Projection names LoRA adapts (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj).
    public var targetModules: [String]
    public var batchSize: Int
    public var sequenceLength: Int
    public var gradientCheckpointing: Bool

    public init(
        method: Method, loraRank: Int = 16, targetModules: [String] = ["q_proj", "v_proj"], batchSize: Int = 4,
        sequenceLength: Int = 2048, gradientCheckpointing: Bool = true
    ) {
        self.method = method
        self.loraRank = loraRank
        self.targetModules = targetModules
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.gradientCheckpointing = gradientCheckpointing
    }
}

public struct TrainingEstimate: Sendable, Hashable, Codable {
    public var trainableParameters: Int64
    public var weightsBytes: Int64
    public var gradientsBytes: Int64
    public var optimizerBytes: Int64
    public var activationsBytes: Int64
    public var totalBytes: Int64

    enum CodingKeys: String, CodingKey {
        case trainableParameters = "trainable_parameters", weightsBytes = "weights_bytes"
        case gradientsBytes = "gradients_bytes", optimizerBytes = "optimizer_bytes"
        case activationsBytes = "activations_bytes", totalBytes = "total_bytes"
    }
}

extension ModelArchitecture {
    /// LoRA adapter parameters: rank x (in + out) per adapted projection per layer.
    ///
    /// Seed 000: rank 16 on a 7B Llama-class model is ~4.2M parameters (q and v projections:
    /// 32 layers x 2 x 16 x (4096 + 4096) = 4.19M).
    public func loraParameters(rank: Int, targetModules: [String]) -> Int64 {
        let h = Double(hidden), r = Double(rank)
        let q = Double(heads) * Double(headDim), kv = Double(kvHeads) * Double(headDim), i = Double(intermediate)
        var perLayer: Double = 0
        for module in Set(targetModules) {
            switch module {
            case "q_proj": perLayer += r * (h + q)
            case "k_proj", "v_proj": perLayer += r * (h + kv)
            case "o_proj": perLayer += r * (q + h)
            case "gate_proj", "up_proj": perLayer += r * (h + i)
            case "down_proj": perLayer += r * (i + h)
            default: continue
            }
        }
        return Int64(saturating: perLayer * Double(layers))
    }

    /// Activation bytes for training at a batch and sequence length.
    ///
    /// Anchored on seed 002: an 8B model at batch 4 x 2,048 tokens holds ~35 GB of activations
    /// without checkpointing, linear in batch x tokens x hidden x layers: 35e9 / (4 x 2048 x 4096 x 32)
    /// = ~32.6 bytes per token per hidden unit per layer. Gradient checkpointing keeps one hidden
    /// state per layer (2 bytes) plus one layer's full activations.
    public func trainingActivationBytes(batch: Int, sequence: Int, checkpointing: Bool) -> Int64 {
        let perUnit = 35e9 / (4.0 * 2048 * 4096 * 32)
        let tokens = Double(batch) * Double(sequence)
        let full = tokens * Double(hidden) * Double(layers) * perUnit
        if !checkpointing { return Int64(saturating: full) }
        return Int64(saturating: tokens * Double(hidden) * Double(layers) * 2 + full / Double(max(layers, 1)))
    }

    /// Memory of a training run on one replica (`Specs/sizing.md` §5).
    ///
    /// Full: AdamW mixed precision at 16 bytes/param (2 weights + 2 grads + 4 master + 4 + 4 moments,
    /// seed 000; 18 with fp32 gradients is not modelled since PyTorch AMP keeps bf16 grads).
    /// LoRA: frozen bf16 base + adapters with 16 bytes/param. QLoRA: 4-bit NF4 base (int4 format).
    public func trainingMemory(_ shape: TrainingShape) -> TrainingEstimate {
        let total = parameterCount.total
        let activations = trainingActivationBytes(
            batch: shape.batchSize, sequence: shape.sequenceLength,
            checkpointing: shape.gradientCheckpointing)
        switch shape.method {
        case .full:
            return TrainingEstimate(
                trainableParameters: total, weightsBytes: Saturating.mul(total, 6),
                gradientsBytes: Saturating.mul(total, 2), optimizerBytes: Saturating.mul(total, 8),
                activationsBytes: activations, totalBytes: Saturating.add(Saturating.mul(total, 16), activations))
        case .lora, .qlora:
            let adapters = loraParameters(rank: shape.loraRank, targetModules: shape.targetModules)
            let base = weightBytes(shape.method == .lora ? .bf16 : .int4)
            let weights = Saturating.add(base, Saturating.mul(adapters, 2))
            let grads = Saturating.mul(adapters, 2)
            let optimizer = Saturating.mul(adapters, 12)
            return TrainingEstimate(
                trainableParameters: adapters, weightsBytes: weights, gradientsBytes: grads,
                optimizerBytes: optimizer, activationsBytes: activations,
                totalBytes: Saturating.add(weights, grads, optimizer, activations))
        }
    }
}
