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
    func replicaPerformance(
        _ gpu: GPUType, tp: Int, batch: Int, load: Load, arrivalRate: Double = 0,
        prompt: Int? = nil
    ) -> PerformanceEstimate {
        architecture.performance(
            weights: precision, kv: kvFormat, gpu: gpu.performanceFacts, tp: tp, batch: batch,
            prompt: prompt ?? load.prompt, output: load.output, arrivalRate: arrivalRate, model: environment.performance,
            maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: gpu.cudaMemoryGiB, context: load.context),
            factors: speedFactors(gpu, tp: tp))
    }
}

extension Compiler {
    /// The calibration factors for this model on `tp` x `gpu` (`SpeedCalibration.factors`), once per compile.
    func speedFactors(_ gpu: GPUType, tp: Int) -> EfficiencyFactors {
        let key = CompilerMemo.FactorsKey(gpu: gpu.id, tp: tp)
        if let known = memo.factors[key] { return known }
        let factors = environment.performance.calibration.factors(for: architecture, weights: precision, gpu: gpu.performanceFacts, tp: tp)
        memo.factors[key] = factors
        return factors
    }

    /// The time to first token of one prompt with no queue, as `replicaPerformance(...).ttftSeconds`
    /// (the same prefill and factors) without the decode step.
    func replicaPrefillSeconds(_ gpu: GPUType, tp: Int, load: Load, prompt: Int) -> Double {
        let key = CompilerMemo.PrefillKey(gpu: gpu.id, tp: tp, prompt: prompt, context: load.context)
        if let known = memo.prefill[key] { return known }
        let facts = gpu.performanceFacts
        let factors = speedFactors(gpu, tp: 1)
        let seconds = architecture.prefill(
            weights: precision, gpu: facts, tp: tp, prompt: prompt,
            maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: gpu.cudaMemoryGiB, context: load.context),
            factors: factors
        ).totalSeconds
        memo.prefill[key] = seconds
        return seconds
    }
}

/// What pricing one candidate needs from the speed model and the traffic, computed once (every idle
/// timeout and minimum of workers tried reuses it).
struct PricingInputs {
    var profile: RateProfile
    /// Little's-law hold per rate of the profile (`Compiler.hold`).
    var holds: [Double]
    var curve: HoldCurve
    /// Requests in the system per rate, every replica up (`InFlight`).
    var demand: [InFlight]
    var budgets: [TTFTBudget]
}

extension Compiler {
    func pricingInputs(_ c: Candidate, load: Load) -> PricingInputs {
        let profile = rateProfile(load), curve = holdCurve(c, load: load)
        return PricingInputs(
            profile: profile, holds: profile.states.map { hold(c, load: load, rate: $0.rate).seconds },
            curve: curve,
            demand: profile.states.map { InFlight(rate: $0.rate, curve: curve, workers: max(c.replicas, 1)) },
            budgets: ttftBudgets(c, load: load))
    }
}
