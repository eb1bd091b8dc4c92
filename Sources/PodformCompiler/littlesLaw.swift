import PodformCatalog

extension Compiler {
    /// How far the traffic's implied requests in flight may exceed `concurrency` before the spec is
    /// refused (`littles-law-inconsistent`): 4x. Below it, `littles-law` warns on the chosen plan.
    static let littlesLawErrorFactor = 4.0

    /// The shortest time a request can hold a slot on any GPU x tensor-parallel size that holds the
    /// model: one sequence alone (batch 1, no queue), its prefill plus its mean output at that speed.
    /// No plan serves a request faster, so peak x this hold is a lower bound on the requests in flight
    /// whatever GPU is chosen.
    func fastestHold(_ found: Search, load: Load) -> (seconds: Double, gpu: String)? {
        var seen: Set<String> = []
        var best: (seconds: Double, gpu: String)?
        for c in found.feasible + found.rejected where c.performance != nil {
            guard seen.insert("\(c.gpu.id)/\(c.tp)").inserted else { continue }
            let perf = replicaPerformance(c.gpu, tp: c.tp, batch: 1, load: load)
            let seconds = perf.ttftSeconds + Double(load.output) * perf.stepSeconds
            if seconds > 0, best == nil || seconds < best!.seconds {
                best = (seconds, c.tp > 1 ? "\(c.tp) x \(c.gpu.displayName)" : c.gpu.displayName)
            }
        }
        return best
    }

    /// D-LOAD, Little's law: a spec whose peak rate x the fastest possible hold implies more than
    /// `littlesLawErrorFactor` x `concurrency` requests in flight contradicts itself (its concurrency
    /// or its rate is wrong), and no plan built from it can be trusted: a compile error that says by how
    /// much and what to change. The hold does not depend on the GPU chosen, so this is never a false alarm.
    func littlesLawFailure(_ found: Search, load: Load, trace: TraceBuilder) -> CompileFailure? {
        guard load.peakRPS > 0, let hold = fastestHold(found, load: load) else { return nil }
        let implied = load.peakRPS * hold.seconds
        guard implied > Double(load.concurrency) * Self.littlesLawErrorFactor else { return nil }
        let peakSource =
            spec.traffic.peakRequestsPerSecond != nil
            ? "traffic.peak_requests_per_second"
            : "traffic.requests_per_day (the peak derives from it)"
        let message = fmt(
            "the peak of %.2f requests/s x at least %.2f s per request (%d output tokens on %@ serving one request alone, the fastest that holds the model) implies at least %.0f requests in flight (Little's law), over %g x the spec's concurrency of %d%@: the spec contradicts itself",
            load.peakRPS, hold.seconds, load.output, hold.gpu, implied.rounded(.up), Self.littlesLawErrorFactor, load.concurrency,
            spec.concurrency == nil ? " (not set: the default)" : "")
        return failure(
            message,
            suggestions: [
                fmt("set concurrency to at least %.0f", implied.rounded(.up)),
                fmt("or lower %@ so that the peak is at most %.2f requests/s", peakSource, Double(load.concurrency) / hold.seconds),
                "or check traffic.output_tokens (the mean output per request)"
            ], trace: trace, code: "littles-law-inconsistent", at: "concurrency")
    }
}
