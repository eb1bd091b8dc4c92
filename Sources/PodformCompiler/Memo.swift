import PodformSizing

/// Results of the speed model one compile asks for again and again (every replica count, idle timeout
/// and minimum of workers prices the same GPU x tensor-parallel size at the same batches and prompts),
/// kept for the life of one `Compiler`. The values are the model's own: a hit returns exactly what the
/// call would compute, so plans do not change.
///
/// A `Compiler` is built per compile and used from one thread (`Spec.compile`); so is its memo.
final class CompilerMemo: @unchecked Sendable {
    struct PerformanceKey: Hashable {
        var gpu: String
        var tp: Int
        var batch: Int
        var prompt: Int
        var output: Int
        var context: Int
    }

    struct PrefillKey: Hashable {
        var gpu: String
        var tp: Int
        var prompt: Int
        var context: Int
    }

    struct FactorsKey: Hashable {
        var gpu: String
        var tp: Int
    }

    var factors: [FactorsKey: EfficiencyFactors] = [:]
    /// GPU-seconds one request occupies a replica at a batch (`Compiler.gpuSecondsPerRequest`).
    var secondsPerRequest: [PerformanceKey: Double] = [:]
    var prefill: [PrefillKey: Double] = [:]
}
