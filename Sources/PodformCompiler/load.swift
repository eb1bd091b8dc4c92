import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// The load from the spec's traffic, with every default recorded in the trace (D-LOAD).
    func load(_ trace: inout TraceBuilder) -> Load {
        let concurrency = spec.concurrency ?? 1
        let prompt = spec.traffic.promptTokens ?? ServingDefaults.promptTokens(context: context)
        let output = spec.traffic.outputTokens ?? ServingDefaults.outputTokens(context: context)
        let pattern = spec.trafficPattern
        // A schedule is the window traffic arrives in (and the hours a pod runs on a run day).
        let activeHours = spec.activeHoursPerDay
        var requestsPerDay = spec.traffic.requestsPerDay ?? 0
        var peak = spec.traffic.peakRequestsPerSecond ?? 0
        if peak == 0 && requestsPerDay > 0 {
            let mean = requestsPerDay / (activeHours * 3600)
            peak = pattern == .bursty ? mean * 3 : mean * 1.5
        }
        if requestsPerDay == 0 && peak > 0 { requestsPerDay = peak * activeHours * 3600 / (pattern == .bursty ? 3 : 1.5) }
        var inputs = [
            "context": "\(context)", "concurrency": "\(concurrency)", "prompt_tokens": "\(prompt)",
            "output_tokens": "\(output)", "pattern": pattern.rawValue,
            "active_hours_per_day": fmt("%g", activeHours),
            "requests_per_day": fmt("%.0f", requestsPerDay), "peak_rps": fmt("%.3g", peak)
        ]
        if spec.traffic.promptTokens == nil { inputs["prompt_tokens"]! += " (default: \(ServingDefaults.promptTokensRule))" }
        if spec.traffic.outputTokens == nil { inputs["output_tokens"]! += " (default: \(ServingDefaults.outputTokensRule))" }
        let rateGiven = requestsPerDay > 0
        if !rateGiven {
            inputs["requests_per_day"]! += " (not given: serverless workers are priced as up through every active hour)"
        }
        if spec.traffic.peakRequestsPerSecond == nil && requestsPerDay > 0 {
            inputs["peak_rps"]! += " (derived: mean rate over active hours x \(pattern == .bursty ? 3 : 1.5))"
        }
        trace.add(
            .load, "What load must one deployment carry?", inputs: inputs,
            outcome: "\(concurrency) concurrent sequences of up to \(context) tokens", source: Source.seed001)
        return Load(
            context: context, concurrency: concurrency, prompt: prompt, output: output, peakRPS: peak,
            requestsPerDay: requestsPerDay, activeHours: activeHours, pattern: pattern, rateGiven: rateGiven)
    }
}
