import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// The SLA verdict with the estimate's range: notes for the plan, and whether every bound holds.
    func slaVerdict(_ best: Option, _ perf: PerformanceEstimate, _ warnings: inout [Deployment.Warning]) -> (notes: [String], met: Bool) {
        var notes: [String] = []
        var slaMet = true
        if let ttft = spec.sla.ttftP95 {
            notes.append(
                fmt("TTFT p95 ~%.2f s (%.2f-%.2f) vs SLA %.2f s", perf.ttftP95Seconds, perf.ttftP95SecondsRange[0], perf.ttftP95SecondsRange[1], ttft)
            )
            if perf.ttftP95SecondsRange[1] > ttft {
                warnings.append(
                    .init(
                        code: "sla-at-risk",
                        message: fmt(
                            "TTFT meets the SLA at the estimate (%.2f s) but not at the pessimistic end (%.2f s)", perf.ttftP95Seconds,
                            perf.ttftP95SecondsRange[1])))
            }
        }
        if let tps = spec.sla.outputTokensPerSecond {
            notes.append(
                fmt(
                    "~%.0f tokens/s per user (%.0f-%.0f) vs SLA %g", perf.outputTokensPerSecondPerUser, perf.outputTokensPerSecondPerUserRange[0],
                    perf.outputTokensPerSecondPerUserRange[1], tps))
            if perf.outputTokensPerSecondPerUserRange[0] < tps {
                warnings.append(
                    .init(
                        code: "sla-at-risk",
                        message: fmt(
                            "per-user speed meets the SLA at the estimate (%.0f tokens/s) but not at the pessimistic end (%.0f)",
                            perf.outputTokensPerSecondPerUser, perf.outputTokensPerSecondPerUserRange[0])))
            }
        }
        // Cold starts count against the SLA's percentiles (p95: at most 5% of requests may break a term).
        if let cold = best.coldStartSeconds, case .seconds(let limit)? = spec.sla.coldStart {
            let share = best.coldWaitShare ?? 0
            notes.append(
                fmt(
                    "cold start ~%.0f s vs SLA %.0f s: %@ of requests wait longer for a worker%@", cold, limit, percentText(share),
                    best.model == .serverlessActive ? fmt(" (%d active kept warm)", best.minWorkers) : ""))
            slaMet = slaMet && share <= slaBreachShare
        }
        if let share = best.ttftWaitShare, share > 0.0005 {
            notes.append(
                best.mode == .pod
                    ? fmt("%@ of requests wait past the TTFT SLA for a free slot", percentText(share))
                    : fmt(
                        "%@ of requests wait past the TTFT SLA for a slot or a starting worker (idle timeout %d s)", percentText(share),
                        best.idleSeconds))
            slaMet = slaMet && share <= slaBreachShare
        }
        return (notes, slaMet)
    }

    var coldStartText: String {
        switch spec.sla.coldStart {
        case .none?: return "none"
        case .seconds(let s)?: return fmt("%gs", s)
        case nil: return "unbounded"
        }
    }
}

/// A share as a percentage with a precision that shows small shares.
func percentText(_ share: Double) -> String {
    share == 0 ? "0%" : share < 0.001 ? "<0.1%" : fmt("%.1f%%", share * 100)
}
