import Foundation
import PodformSizing

/// `PODFORM_SPEED_DEBUG=1 podform-bench speed`: one line per row on stderr, the step and prefill term by
/// term, then every held-out row against the range the plan would have quoted.
extension SpeedBench {
    static func debug(_ e: SpeedEvaluation, holdOuts: [(String, SpeedEvaluation)]) {
        func ms(_ x: Double) -> String { String(format: "%.1f", x * 1000) }
        func say(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
        for r in e.rows {
            let o = r.observation, d = r.prediction.decode, p = r.prediction.prefill
            var line = "\(o.id) \(o.architecture.id.split(separator: "/").last!) tp\(o.tp) \(o.load) b=\(r.prediction.batch)"
            line += " cap=\(o.kvCapacityTokens ?? -1) step[w=\(ms(d.weightSeconds)) kv=\(ms(d.kvSeconds)) c=\(ms(d.computeSeconds))"
            line += " ar=\(ms(d.allReduceSeconds)) oh=\(ms(d.overheadSeconds)) il=\(ms(d.interleavedPrefillSeconds)) = \(ms(d.stepSeconds))]"
            line += " pre[lin=\(ms(p.linearSeconds)) att=\(ms(p.attentionSeconds)) w=\(ms(p.weightReadSeconds)) tot=\(ms(p.totalSeconds))]"
            line += " tpot \(o.tpotMs.map { String(format: "%.1f", $0) } ?? "-")/\(String(format: "%.1f", r.prediction.tpotMs))"
            line += " ttft \(o.ttftMs.map { String(format: "%.0f", $0) } ?? "-")/\(String(format: "%.0f", r.prediction.ttftMs))"
            line +=
                " tput \(o.outputTokensPerSecond.map { String(format: "%.0f", $0) } ?? "-")/\(String(format: "%.0f", r.prediction.outputTokensPerSecond))"
            say(line)
        }
        for (name, ev) in holdOuts {
            for r in ev.rows {
                guard let (m, p) = r.perUser else { continue }
                let range = r.prediction.perUserRange
                let t = r.throughput.map { String(format: " tput %.2f", $0.predicted / $0.measured) } ?? ""
                let tt = r.ttft.map { String(format: " ttft %.2f", $0.predicted / $0.measured) } ?? ""
                say(
                    String(
                        format: "holdout-%@ %@ %.1f/%.1f [%.1f-%.1f] %@", name, r.observation.id, m, p, range[0], range[1],
                        r.inRange == true ? "in" : "OUT") + t + tt + " " + r.prediction.uncalibrated.joined(separator: "; "))
            }
        }
    }
}
