import Foundation
import PodformCatalog
import PodformSizing

/// The prose, factor and row sections of the speed report (numbers read from the evaluation, so they
/// follow a refit).
extension SpeedBench {
    /// "measured / predicted (ratio)" for one row and metric.
    static func compare(_ e: SpeedEvaluation, _ id: String, _ metric: SpeedEvaluation.Metric, _ unit: String = "") -> String {
        guard let r = e.rows.first(where: { $0.observation.id == id }), let (m, p) = SpeedEvaluation.pair(r, metric) else { return "n/a" }
        let digits = m < 100 ? "%.1f" : "%.0f"
        return String(format: "\(digits)\(unit) measured, \(digits)\(unit) predicted (%.2fx)", m, p, max(p / m, m / p))
    }

    static func worst(_ e: SpeedEvaluation, _ metric: SpeedEvaluation.Metric, _ c: ModelClass) -> String {
        guard let s = e.summary(metric, where: { $0.observation.modelClass == c }) else { return "n/a" }
        return String(format: "%@ median, worst %.1fx", pct(s.medianError), s.worstRatio)
    }

    static func misses(_ e: SpeedEvaluation, byModel: SpeedEvaluation) -> String {
        """
        ### Where it misses, and why

        - KV-bound 70B runs (serving_benchmarks.csv#89-#91, Llama-3-70B / R1-Distill-Llama-70B on 2 x H100 PCIe,
          200 ShareGPT requests at 4 and 16 req/s): at utilization 0.9 the KV cache holds ~9.4k tokens (~31
          sequences at prompt + half the output) and both loads arrive faster than 31 slots serve. vLLM admits an
          arrival when its prompt fits and, when the cache fills, preempts the newest sequence (recompute), so the
          requests past their first token take turns in the slots: TTFT stays short and the client's TPOT grows
          with the overload (72 ms at 4 req/s, 141 ms at 16). The model runs this as processor sharing over the
          run's arrivals (`sharedSlots`): #90 per-user \(compare(e, "serving_benchmarks.csv#90", .perUser)),
          #89 \(compare(e, "serving_benchmarks.csv#89", .perUser)). Its aggregate is low (#90:
          \(compare(e, "serving_benchmarks.csv#90", .throughput, " tok/s"))): vLLM preempts the newest, so the
          oldest finish first and the batch stays full longer than under equal shares.
        - DeepSeek-R1 on vLLM 0.7.4 (V0) at 128 clients (#4, #13): TTFT there is queueing for a KV slot. At the
          same 128 clients it grows from 66.8 s to 116 s when the output doubles (800 to 1600 tokens, the same
          3200-token prompts), which no prefill cost does, and throughput is flat from 64 to 128 clients (758,
          745 tok/s): ~60 sequences ran at once (dstack's write-up: "KV cache memory pressure"). Clients beyond
          the batch limit now wait for a slot ((c - batch) / batch rounds), but the limit is the sizing model's
          KV pool, which at v0.19's accounting holds 663k tokens (165 sequences of 4000): all 128 run and the
          wait is zero. The pool the run had is not published and no V0 MoE log in vllm_calibration.csv shows
          what V0 profiling took, so #13 stays \(compare(e, "serving_benchmarks.csv#13", .ttft, " ms")). Not
          modelled either: the run passed `--enable-chunked-prefill`, and by 0.7.4 vLLM forced chunked prefill
          off for MLA only on non-CUDA platforms (ROCm/vllm#457 quotes 0.7.4.dev4's log), so on H200 it
          probably chunked prefills at V0's 2048-token default, where podform takes whole-prompt steps
          (the 0.7.x "MLA is enabled; forcing chunked prefill ... disabled") for every V0 MLA row.
          The MLA prefill itself is counted as vLLM runs it (the non-absorbed form: 128 heads, qk 128 + 64 = 192,
          v 128; the absorbed 576/512 form only in decode), and c = 4 to 64 (#5-#9) is within 17%.
        - RTX 4090 tensor parallel TTFT (#97-#99: \(compare(e, "serving_benchmarks.csv#97", .ttft, " ms")) at TP 2):
          the same source's TTFT on 2 x 4090 falls as load rises (R1-Distill-Llama-8B: 1188 ms at 1 req/s, 363 at
          4, 114 at 8), which no prefill cost does: multi-GPU workers on consumer cards (no P2P) waking, not compute.
        - Short-prompt TTFT of large dense models on H100 PCIe (#88, #93-#95) is 25-40% low: measured TTFT is
          2.3-2.5 decode steps where the model has ~1.5 (half the step in flight plus its own); the 8B and 14B
          models of the same source match.
        - gpt-oss-20b single stream on H100 PCIe (#68, the only MoE row at batch 1: \(compare(e, "serving_benchmarks.csv#68", .throughput, " tok/s"))):
          the MoE factors come from the burst rows at batch 100-1000, where the per-sequence cost carries the step.
        - throughput_calibration.csv#19 (Mistral-7B, 4 x 256 tokens, RTX 4090): its 63 ms TTFT is below the FLOP time
          of 4 prompts prefilled together at the FP32-accumulate peak: the clients were not in lockstep (no
          `--ignore-eos`), or the GEMMs accumulated in FP16.
        - MLA held out: the data has one MLA family (DeepSeek-R1 and R1-0528, one architecture, all on H200), so
          held out by model, or by GPU (H200), MLA has no rows of its own and borrows MoE's (gpt-oss, V1)
          factors, while the DeepSeek V0 rows need a quarter of that compute efficiency and ~3x the per-layer
          overhead: per-user \(worst(byModel, .perUser, .mla)), throughput \(worst(byModel, .throughput, .mla)),
          TTFT \(worst(byModel, .ttft, .mla)). That is no measure of the MLA model, only of borrowing; a plan for
          a borrowed class says so (`speed-uncalibrated`) and quotes 0.3-1.5x speed.
        - MoE held out by model: gpt-oss-20b and -120b predict each other at per-user \(worst(byModel, .perUser, .moe)),
          throughput \(worst(byModel, .throughput, .moe)); gpt-oss-120b on one H100 (#23) is KV-bound at ~120 sequences.
        - Dense TTFT held out by model: \(worst(byModel, .ttft, .dense)): the chat endpoint's overhead comes from 5 rows
          of two sources, so without Qwen3-8B's four a single gpt-oss row sets it; and the 4090 TP rows above.
        - Other engines: TensorRT-LLM's offline max-throughput rows run 1.5-2.5x above podform's vLLM model
          (larger batches, FP8 kernels, no Python scheduler); SGLang's gpt-oss and DeepSeek-R1-0528 saturation
          rows are far below it (different batch limits). That is why they are not fitted.


        """
    }

    static func factors(_ c: SpeedCalibration, skipped: [ServingBenchmarks.Skipped]) -> String {
        var md = "### Fitted factors\n\n| factor | key | value | rows | measured / predicted |\n| --- | --- | ---: | ---: | --- |\n"
        func factorRows(_ name: String, _ table: [String: SpeedCalibration.Factor], _ format: (Double) -> String) {
            for k in table.keys.sorted() {
                let f = table[k]!
                md += "| \(name) | \(k) | \(format(f.value)) | \(f.rows.count) | \(String(format: "%.2f-%.2f", f.spread[0], f.spread[1])) |\n"
            }
        }
        factorRows("decode bandwidth", c.decodeBandwidth) { String(format: "%.2f", $0) }
        factorRows("per-layer overhead", c.layerOverhead) { String(format: "%.0f us", $0 * 1e6) }
        factorRows("per-sequence overhead", c.sequenceOverhead) { String(format: "%.1f us", $0 * 1e6) }
        factorRows("all-reduce latency", c.allReduceLatency) { String(format: "%.0f us", $0 * 1e6) }
        factorRows("compute efficiency", c.prefillCompute) { String(format: "%.3f", $0) }
        factorRows("request overhead", c.requestOverhead) { String(format: "%.1f ms", $0 * 1000) }
        md += "\nRows each factor came from: `Sources/PodformSizing/Performance/SpeedCalibration+Fitted.swift`.\n"
        md +=
            "\nRows not resolved: " + (skipped.isEmpty ? "none" : skipped.map { "\($0.id) \($0.label) (\($0.reason))" }.joined(separator: "; "))
            + ".\n\n"
        return md
    }

    static func everyRow(_ rows: [SpeedEvaluation.Row]) -> String {
        var md = """
            ### Every row (in-sample)

            | row | engine / model / GPU | load | batch | per-user tok/s measured / predicted | output tok/s measured / predicted | TTFT ms measured / predicted | in range |
            | --- | --- | --- | ---: | --- | --- | --- | --- |

            """
        for r in rows {
            let o = r.observation
            let load: String
            switch o.load {
            case let .concurrency(c, sync): load = "c=\(c)\(sync ? " sync" : "") \(o.prompt)/\(o.output)"
            case let .rate(x): load = String(format: "%.1f req/s ", x) + "\(o.prompt)/\(o.output)"
            case let .burst(n): load = "burst \(n) \(o.prompt)/\(o.output)"
            }
            let ttft =
                r.ttft.map { _ in cell(r.ttft, "%.0f / %.0f") }
                ?? (o.ttftMs.map { String(format: "%.0f / (queue: %.0f)", $0, r.prediction.ttftMs) } ?? "-")
            md +=
                "| \(o.id) | \(o.label) | \(load) | \(r.prediction.batch) | \(cell(r.perUser, "%.1f / %.1f")) | \(cell(r.throughput, "%.0f / %.0f")) | \(ttft) | \(r.inRange.map { $0 ? "yes" : "no" } ?? "-") |\n"
        }
        return md
    }
}
