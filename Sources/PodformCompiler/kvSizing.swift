import Foundation
import PodformCore
import PodformSizing

/// `kv_cache_sizing: typical` (D-MEMORY): a KV cache sized for the traffic's typical sequence, with
/// the chance it overflows stated, instead of every sequence at the full context.
extension Compiler {
    /// The standard normal's 99th percentile.
    static let kvTypicalZ = 2.3263478740408408

    /// KV tokens reserved per sequence: nil (the full context) unless the spec asks for `typical`; then
    /// the 99th percentile of prompt + output under the compiler's length model (log-normal around the
    /// mean, sigma `ServingModel.lengthSigma`, prompt and output drawn together, so their sum is
    /// log-normal with the same sigma around the mean prompt + output), capped at the context.
    func kvTokensPerSequence(_ load: Load) -> Int? {
        guard spec.kvCacheSizing == .typical else { return nil }
        let sigma = ServingModel.lengthSigma
        let p99 = Double(load.prompt + load.output) * exp(-sigma * sigma / 2 + sigma * Self.kvTypicalZ)
        return min(max(Int(p99.rounded(.up)), 1), load.context)
    }

    /// The chance that `sequences` sequences in flight together need more than `capacityTokens` of KV
    /// (vLLM then preempts one and recomputes it later): each at its full prompt + output (log-normal,
    /// mean `meanTokens`, `sigma`; a sequence holds less before its last token, so this overstates),
    /// their sum approximated by a log-normal with the same mean and variance (Fenton-Wilkinson).
    /// 0 when the capacity holds every sequence at the full context.
    static func kvOverflowProbability(
        sequences: Int, capacityTokens: Int, meanTokens: Double, context: Int,
        sigma: Double = ServingModel.lengthSigma
    ) -> Double {
        let n = Double(max(sequences, 1))
        guard capacityTokens < max(sequences, 1) * context else { return 0 }
        guard capacityTokens > 0, meanTokens > 0 else { return 1 }
        let s2 = log(1 + (exp(sigma * sigma) - 1) / n)
        let mu = log(n * meanTokens) - s2 / 2
        let z = (log(Double(capacityTokens)) - mu) / s2.squareRoot()
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// The SLA note (and, over 1%, the `kv-overflow-risk` warning) of a typical-sized KV cache.
    func kvSizingNotes(_ c: Candidate, load: Load, _ warnings: inout [Deployment.Warning]) -> [String] {
        guard let perSequence = kvTokensPerSequence(load) else { return [] }
        let capacity = c.memory.gpu?.kvCapacityTokens ?? 0
        let p = Self.kvOverflowProbability(
            sequences: c.perReplicaConcurrency, capacityTokens: capacity,
            meanTokens: Double(load.prompt + load.output), context: load.context)
        let note = fmt(
            "KV cache sized for %d x %d tokens (p99 of prompt + output; kv_cache_sizing: typical), not %d x %d: the replica holds %d tokens, and with every slot busy there is a %@ chance the sequences need more (vLLM then preempts one and recomputes it)",
            c.perReplicaConcurrency, perSequence, c.perReplicaConcurrency, load.context, capacity, percentText(p))
        if p > 0.01 {
            warnings.append(
                .init(
                    code: "kv-overflow-risk",
                    message: fmt(
                        "with kv_cache_sizing: typical the KV cache overflows with %@ probability when every slot is busy (vLLM preempts and recomputes, adding latency): use kv_cache_sizing: full or a larger GPU",
                        percentText(p))))
        }
        return [note]
    }
}
