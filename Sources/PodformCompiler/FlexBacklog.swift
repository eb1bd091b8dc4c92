import Foundation

extension Compiler {
    /// QUEUE_DELAY's backlog worker (D-COST-FLEX). A peak run that begins with fewer workers up than it
    /// needs starts them one at a time (the scaler adds none while one is starting), each after a cold
    /// start under overload; when the last needed one is ready, the oldest queued request has waited far
    /// past the scaler's delay, so the scaler starts one more: worker need + 1. Requests reach it whenever
    /// the workers before it are full, and each resets its idle timer: with those excursions at rate a it
    /// lives its cold start C, then until a gap longer than the idle timeout T has passed, C + (e^(a T) - 1) / a
    /// (the mean wait for such a gap in a Poisson stream, T when a is 0). Started R times a day
    /// (at the day's first peak and at each peak run after a quiet stretch longer than T), it is up from
    /// its first start to the day's end when it outlives the day, 1 - (1 - e^-R) / R of the active
    /// hours, else L / (L + A / R). A sweep of random specs found it: 1.7 flex workers up in the
    /// simulation where the per-block model had 1.0, and flex bills 10-25% over the claim.
    ///
    /// Returns the worker (1-based, counted like `ServerlessScaling.worker`) and its up share, or nil.
    func backlogWorker(
        _ c: Candidate, load: Load, inputs: PricingInputs, minWorkers: Int, maxWorkers: Int, idle: Double, cold: Double,
        delay: Double
    ) -> (k: Int, up: Double)? {
        let profile = inputs.profile
        let slots = max(c.perReplicaConcurrency, 1)
        guard delay > 0, inputs.demand.count == 2,
            let run = PeakRun(profile, holds: inputs.holds, slots: slots, minWorkers: minWorkers, maxWorkers: maxWorkers, idle: idle)
        else { return nil }
        let k = run.needPeak + 1
        guard run.needPeak > run.warm, k <= maxWorkers, k > minWorkers, !inputs.demand[0].overloaded else { return nil }
        let activeSeconds = max(load.activeHours, 0.1) * 3600
        let closed = max(24 - load.activeHours, 0) * 3600
        let runs = activeSeconds * run.peak.share * run.runsPerSecond + (closed > idle ? 1 : 0)
        guard runs > 0 else { return nil }
        let m = run.needPeak * slots
        let alive = zip(profile.states, inputs.demand).reduce(0.0) { $0 + $1.0.share * $1.0.rate * $1.1.pmf(m) }
        let x = alive * idle
        let lifetime = x > 40 ? Double.infinity : cold + (x > 1e-9 ? (exp(x) - 1) / alive : idle)
        let up = lifetime >= activeSeconds ? 1 - (1 - exp(-runs)) / runs : lifetime / (lifetime + activeSeconds / runs)
        return (k, min(max(up, 0), 1))
    }
}
