import Foundation
import PodformSizing

/// Renders `podform size` output.
public enum SizeRenderer {
    static func gb(_ bytes: Int64) -> String { String(format: "%.2f GB", Double(bytes) / 1e9) }
    static func gibText(_ bytes: Int64) -> String { String(format: "%.2f GiB", Double(bytes) / 1_073_741_824) }
    static func count(_ n: Int64) -> String {
        let f = NumberFormatter()
        f.numberStyle = .decimal
        f.locale = Locale(identifier: "en_US_POSIX")
        f.groupingSeparator = ","
        f.usesGroupingSeparator = true
        return f.string(from: NSNumber(value: n)) ?? "\(n)"
    }
    static func params(_ n: Int64) -> String { String(format: "%.2fB", Double(n) / 1e9) }

    public static func text(
        _ e: MemoryEstimate, model: String, shape: ServingShape, gpuName: String?,
        performance: PerformanceEstimate?
    ) -> String {
        var out = ""
        let active = e.activeParameters != e.parameters ? " (\(params(e.activeParameters)) active)" : ""
        out += row("Model", "\(model): \(params(e.parameters)) parameters\(active)")
        out += row("Precision", "\(shape.weights.rawValue), KV cache \(shape.kv.rawValue)")
        out += row("Load", "context \(shape.context) x concurrency \(shape.concurrency), tensor parallel \(e.tensorParallel)")
        out += row("Weights", "\(gb(e.weightsBytes)) (\(gibText(e.weightsBytes))); per GPU \(gb(e.weightsBytesPerGPU))")
        out += row("KV cache per token", "\(count(e.kvBytesPerToken)) bytes; per GPU \(count(e.kvBytesPerTokenPerGPU)) bytes as vLLM counts it")
        out += row("KV cache for the load", "\(gb(e.kvCacheBytes)); per GPU \(gb(e.kvCacheBytesPerGPU))")
        out += row(
            "Overhead per GPU",
            "\(gb(e.overheadBytesPerGPU)) (activation peak \(gb(e.activationBytesPerGPU)), non-torch \(gb(e.nonTorchBytesPerGPU)), CUDA graphs \(gb(e.cudaGraphBytesPerGPU)))"
        )
        out += row("Total per GPU", gb(e.totalBytesPerGPU))
        if let fit = e.gpu {
            out += row(
                "GPU",
                "\(gpuName ?? "given") x \(e.tensorParallel): \(gibText(fit.totalBytes)) as CUDA reports; usable at \(String(format: "%.2f", shape.gpuMemoryUtilization)): \(gibText(fit.usableBytes))"
            )
            out += row(
                "KV capacity",
                "\(count(Int64(fit.kvCapacityTokens))) tokens = \(String(format: "%.2f", fit.maxConcurrency)) sequences of \(shape.context)")
            out += row(
                "Fits",
                fit.fits
                    ? "yes, \(gb(fit.marginBytes)) to spare per GPU"
                    : "no: short by \(gb(max(-fit.marginBytes, 0))) per GPU for \(shape.concurrency) x \(shape.context) tokens")
        }
        if let p = performance { out += performanceText(p, shape: shape) }
        out += row("Accounting", "\(e.accounting) (Specs/sizing.md)")
        return out
    }

    static func row(_ label: String, _ value: String) -> String { label.padding(toLength: 26, withPad: " ", startingAt: 0) + value + "\n" }

    /// The speed estimate: decode and TTFT, and what a decode step and a prefill spend their time on.
    static func performanceText(_ p: PerformanceEstimate, shape: ServingShape) -> String {
        var out = ""
        out += row(
            "Estimated decode",
            String(
                format: "%.0f tokens/s per user (%.0f-%.0f) at %d users; %.0f tokens/s in all", p.outputTokensPerSecondPerUser,
                p.outputTokensPerSecondPerUserRange[0], p.outputTokensPerSecondPerUserRange[1], p.batch,
                p.outputTokensPerSecond))
        let prompt = p.prefill?.promptTokens ?? shape.context / 2
        out += row(
            "Estimated TTFT",
            String(
                format: "%.2f s for a %d-token prompt (%.2f-%.2f s)", p.ttftSeconds, prompt,
                p.ttftSeconds * p.ttftP95SecondsRange[0] / max(p.ttftP95Seconds, 1e-12),
                p.ttftSeconds * p.ttftP95SecondsRange[1] / max(p.ttftP95Seconds, 1e-12)))
        if let d = p.decode {
            func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1000) }
            let experts = d.expertsTouched.map { String(format: ", %.1f experts/layer touched", $0) } ?? ""
            out += row("Decode step", "\(ms(d.stepSeconds)) at batch \(d.batch), dominated by \(d.dominant)")
            out += row("  weight reads", "\(ms(d.weightSeconds)) (\(gb(Int64(d.weightBytesPerGPU))) per GPU\(experts))")
            out += row("  KV reads", "\(ms(d.kvSeconds)) (\(gb(Int64(d.kvBytesPerGPU))) per GPU)")
            out += row("  compute", "\(ms(d.computeSeconds)) (overlaps the reads)")
            out += row("  all-reduce", ms(d.allReduceSeconds))
            out += row("  fixed overheads", ms(d.overheadSeconds) + " (per layer and per sequence)")
            out += row("  interleaved prefill", ms(d.interleavedPrefillSeconds))
        }
        if let f = p.prefill {
            func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
            out += row("Prefill", "\(ms(f.totalSeconds)) for \(f.promptTokens) tokens in \(f.chunks) chunk(s), dominated by \(f.dominant)")
            out += row("  linear FLOPs", ms(f.linearSeconds))
            out += row("  attention FLOPs", ms(f.attentionSeconds))
            out += row("  weight reads", ms(f.weightReadSeconds))
            out += row("  all-reduce", ms(f.allReduceSeconds))
            out += row("  overheads", "\(ms(f.overheadSeconds)) per-layer, \(ms(f.requestSeconds)) per request")
        }
        for note in p.uncalibrated { out += row("Note", "\(note): fallback factors, wider range") }
        return out
    }

    struct Document: Encodable {
        var model: String
        var precision: String
        var kv_cache_dtype: String
        var context: Int
        var concurrency: Int
        var gpu: String?
        var estimate: MemoryEstimate
        var performance: PerformanceEstimate?
    }

    /// One JSON object: the `MemoryEstimate` keys at the top level, plus the inputs.
    public static func json(
        _ e: MemoryEstimate, model: String, shape: ServingShape, gpu: String?,
        performance: PerformanceEstimate?
    ) -> String {
        // Flatten: top-level keys are the estimate's, so `jq .kv_bytes_per_token` works.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(e),
            var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return "{}\n" }
        if let fit = object.removeValue(forKey: "gpu") as? [String: Any] {
            for (key, value) in fit { object[key] = value }
            object["gpu_total_bytes"] = object.removeValue(forKey: "total_bytes")
        }
        object["model"] = model
        object["precision"] = shape.weights.rawValue
        object["kv_cache_dtype"] = shape.kv.rawValue
        object["context"] = shape.context
        object["concurrency"] = shape.concurrency
        object["gpu_memory_utilization"] = shape.gpuMemoryUtilization
        object["max_num_batched_tokens"] = shape.maxBatchedTokens
        if let gpu { object["gpu"] = gpu }
        if let performance, let pdata = try? encoder.encode(performance),
            let pobject = try? JSONSerialization.jsonObject(with: pdata)
        {
            object["performance"] = pobject
        }
        guard let out = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
            let text = String(data: out, encoding: .utf8)
        else { return "{}\n" }
        return text + "\n"
    }
}
