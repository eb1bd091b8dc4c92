import PodformCatalog
import PodformSizing

extension Compiler {
    /// The speed model for one replica of `tp` x `gpu` at `batch` sequences (`Specs/performance.md` §1):
    /// the one the fit check, the pricing and the simulation (`Spec.servingModel`) all use, so a plan's
    /// claims and its simulation time requests alike.
    ///
    /// - Parameters:
    ///   - arrivalRate: requests per second this replica receives (prefill queueing in the p95 TTFT).
    ///   - prompt: the prompt length (default: the traffic's mean).
    func replicaPerformance(_ gpu: GPUType, tp: Int, batch: Int, load: Load, arrivalRate: Double = 0,
                            prompt: Int? = nil) -> PerformanceEstimate {
        architecture.performance(
            weights: precision, kv: kvFormat, gpu: gpu.performanceFacts, tp: tp, batch: batch,
            prompt: prompt ?? load.prompt, output: load.output, arrivalRate: arrivalRate, model: environment.performance,
            maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: gpu.cudaMemoryGiB, context: load.context))
    }
}
