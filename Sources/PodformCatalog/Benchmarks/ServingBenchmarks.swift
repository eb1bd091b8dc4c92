import Foundation
import PodformSizing

/// Reads the published serving benchmarks (`Benchmarks/data/serving_benchmarks.csv`,
/// `Benchmarks/data/throughput_calibration.csv`, copies of `shared/data`) into speed observations
/// (`Specs/performance.md` §1.4 and §2 say how each column is read).
public enum ServingBenchmarks {
    public struct Skipped: Error, Sendable, Hashable {
        public var id: String
        public var label: String
        public var reason: String
    }

    /// Benchmark model names the catalog lacks, mapped to a catalog model of the same architecture.
    /// Each is the base the checkpoint was built from (same config.json dimensions).
    public static let architectureAliases: [String: String] = [
        "deepseek-ai/DeepSeek-R1-0528": "deepseek-ai/DeepSeek-R1",
        "Qwen/Qwen2-72B": "Qwen/Qwen2.5-72B-Instruct",  // identical dims (80 x 8192, 29568, 64/8 heads, vocab 152064)
        "Qwen/Qwen2.5-32B": "Qwen/Qwen2.5-32B-Instruct",
        "Qwen/QwQ-32B-Preview": "Qwen/Qwen2.5-32B-Instruct",  // fine-tune of Qwen2.5-32B-Instruct
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B": "Qwen/Qwen2.5-32B-Instruct",  // distilled into Qwen2.5-32B
        "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B": "Qwen/Qwen2.5-7B-Instruct",  // Qwen2.5-Math-7B: same dims
        "neuralmagic/Llama-3.1-Nemotron-70B-Instruct-HF-FP8-dynamic": "meta-llama/Llama-3.1-70B-Instruct",
        "neuralmagic/Meta-Llama-3-8B-Instruct-FP8": "meta-llama/Meta-Llama-3-8B-Instruct",
        "amd/Meta-Llama-3.1-8B-Instruct-FP8-KV": "meta-llama/Llama-3.1-8B-Instruct",
        "amd/Meta-Llama-3.1-70B-Instruct-FP8-KV": "meta-llama/Llama-3.1-70B-Instruct",
        "nvidia/Llama-3.1-8B-Instruct-FP8": "meta-llama/Llama-3.1-8B-Instruct",
        "nvidia/Llama-3.3-70B-Instruct-FP8": "meta-llama/Llama-3.3-70B-Instruct",
        "nvidia/Llama-3.3-70B-Instruct-FP4": "meta-llama/Llama-3.3-70B-Instruct",
        "nvidia/Llama-3.1-405B-Instruct-FP8": "meta-llama/Llama-3.1-405B-Instruct",
        "nvidia/Llama-3.1-405B-Instruct-FP4": "meta-llama/Llama-3.1-405B-Instruct",
        "nvidia/Qwen3-235B-A22B-FP8": "Qwen/Qwen3-235B-A22B",
        "nvidia/Qwen3-235B-A22B-FP4": "Qwen/Qwen3-235B-A22B",
        "nvidia/Qwen3-30B-A3B-FP4": "Qwen/Qwen3-30B-A3B",
        "Qwen/Qwen3-8B-FP8": "Qwen/Qwen3-8B",
        "meta-llama/Meta-Llama-3-70B": "meta-llama/Meta-Llama-3-70B-Instruct"
    ]

    /// The catalog GPU a benchmark's GPU string names.
    public static func gpu(_ text: String, _ gpus: GPUCatalog) -> GPUType? {
        let t = (text.components(separatedBy: " (").first ?? text).uppercased()
        let id: String
        if t.contains("MI300X") {
            id = "AMD Instinct MI300X OAM"
        } else if t.contains("B200") {
            id = "NVIDIA B200"
        }  // GB200 NVL72 rows: the B200 die (flagged in the label)
        else if t.contains("H200") {
            id = t.contains("NVL") ? "NVIDIA H200 NVL" : "NVIDIA H200"
        } else if t.contains("H100") {
            id = t.contains("PCIE") ? "NVIDIA H100 PCIe" : t.contains("NVL") ? "NVIDIA H100 NVL" : "NVIDIA H100 80GB HBM3"
        } else if t.contains("A100") {
            id = t.contains("PCIE") ? "NVIDIA A100 80GB PCIe" : "NVIDIA A100-SXM4-80GB"
        } else if t.contains("L40S") {
            id = "NVIDIA L40S"
        } else if t.contains("L40") {
            id = "NVIDIA L40"
        } else if t.contains("4090") {
            id = "NVIDIA GeForce RTX 4090"
        } else if t.contains("L4") {
            id = "NVIDIA L4"
        } else {
            return nil
        }
        return gpus.gpu(named: id)
    }

    static func leadingNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).drop { $0 == "~" }
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }

    static func format(_ precision: String) -> (WeightFormat, KVFormat)? {
        let p = precision.lowercased()
        let kv: KVFormat = p.contains("fp8 kv") ? .fp8 : .auto
        if p.hasPrefix("mxfp4") { return (.mxfp4, kv) }
        if p.hasPrefix("nvfp4") { return nil }  // no NVFP4 weight format in podform
        if p.hasPrefix("fp8") { return (.fp8, kv) }
        if p.hasPrefix("bf16") || p.hasPrefix("fp16") || p.contains("unstated") { return (.bf16, kv) }
        return nil
    }

    /// vLLM's default max_num_seqs: 1024 on GPUs of 70 GiB or more other than A100 from V1's defaults
    /// (vLLM >= 0.8), else 256 (`vllm/engine/arg_utils.py`, `_set_default_args`).
    static func maxNumSeqs(engineVersion: String, gpu: GPUType) -> Int {
        let parts = engineVersion.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        let v1 = parts.count == 2 && (parts[0] > 0 || parts[1] >= 8)
        return v1 && gpu.cudaMemoryGiB >= 70 && gpu.architecture != "Ampere" ? 1024 : 256
    }

    /// "v0" for vLLM before 0.8 (V0 engine), else "v1" (unstated versions are taken as V1: every
    /// unversioned row is from 2025 or later).
    static func generation(_ version: String) -> String {
        let parts = version.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard parts.count == 2 else { return version.lowercased().contains("rocm") ? "v0" : "v1" }
        return parts[0] == 0 && parts[1] < 8 ? "v0" : "v1"
    }

    public static func isVLLM(_ engine: String) -> Bool { engine.lowercased().hasPrefix("vllm") }

    struct Fields {
        var file: String, line: Int, engine: String, version: String, model: String, precision: String, gpuText: String
        var tp: String, input: String, output: String, concurrency: String, rate: String, requests: String
        var tpot: Double?, ttft: Double?, throughput: Double?
        var source: String = ""
        var quote: String = ""
    }

    /// Sources whose client calls `/v1/chat/completions` (the rest call `/v1/completions`): GPUStack's
    /// performance lab runs `vllm bench serve --backend openai-chat --endpoint /v1/chat/completions`;
    /// sariekr/gpu_conc's `concurrency.py` calls `client.chat.completions.create`.
    static let chatSources = ["gpustack/gpustack/blob/main/docs/performance-lab", "sariekr/gpu_conc"]

    /// The KV cache a source states it ran with ("KV cache 6.77 GiB per GPU"), in bytes per GPU.
    static func statedKVCacheBytes(_ source: String) -> Double? {
        guard let r = source.range(of: #"KV cache [0-9.]+ GiB"#, options: .regularExpression) else { return nil }
        return leadingNumber(String(source[r].dropFirst("KV cache ".count))).map { $0 * 1_073_741_824 }
    }

    /// The rows of both files as raw fields.
    static func fields(serving: String, calibration: String) -> [Fields] {
        var fields: [Fields] = []
        for (i, r) in CSVTable.parse(serving).enumerated() {
            func num(_ k: String) -> Double? { Double((r[k] ?? "").trimmingCharacters(in: .whitespaces)) }
            fields.append(
                Fields(
                    file: "serving_benchmarks.csv", line: i + 1, engine: r["engine"] ?? "", version: r["engine_version"] ?? "",
                    model: r["model"] ?? "", precision: r["precision"] ?? "", gpuText: r["gpu"] ?? "", tp: r["tp"] ?? "1",
                    input: r["input_tokens"] ?? "", output: r["output_tokens"] ?? "", concurrency: r["concurrency"] ?? "",
                    rate: r["request_rate"] ?? "", requests: "",
                    tpot: num("tpot_mean_ms") ?? num("tpot_median_ms") ?? num("itl_mean_ms"),
                    ttft: num("ttft_mean_ms") ?? num("ttft_median_ms"), throughput: num("output_throughput_tok_s"),
                    source: r["source"] ?? "", quote: r["quote"] ?? ""))
        }
        for (i, r) in CSVTable.parse(calibration).enumerated() {
            func num(_ k: String) -> Double? { Double((r[k] ?? "").trimmingCharacters(in: .whitespaces)) }
            fields.append(
                Fields(
                    file: "throughput_calibration.csv", line: i + 1, engine: r["engine"] ?? "", version: r["engine_version"] ?? "",
                    model: r["model_id"] ?? "", precision: r["weight_precision"] ?? "", gpuText: r["gpu"] ?? "", tp: r["tp"] ?? "1",
                    input: r["input_len"] ?? "", output: r["output_len"] ?? "", concurrency: r["concurrency"] ?? "",
                    rate: (r["metric_notes"] ?? "").contains("request rate inf") ? "inf" : "", requests: r["num_requests"] ?? "",
                    tpot: num("tpot_ms"), ttft: num("ttft_ms"), throughput: num("output_tok_s"), source: r["source"] ?? "",
                    quote: (r["metric_notes"] ?? "") + " " + (r["notes"] ?? "")))
        }
        return fields
    }

    /// How the row loaded the server, from its concurrency and request-rate cells.
    static func loadShape(_ f: Fields) -> SpeedObservation.Load? {
        let fixedLengths = !f.input.contains("mean") && !f.output.contains("mean")
        let conc = f.concurrency.lowercased()
        if conc.contains("unlimited") || conc.contains("offline") || conc.hasPrefix("max") {
            return .burst(conc.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.first ?? Int(leadingNumber(f.requests) ?? 1000))
        }
        if let c = leadingNumber(conc), c >= 1 { return .concurrency(Int(c), synchronized: fixedLengths) }
        if let r = leadingNumber(f.rate), r > 0 { return .rate(r) }
        return nil
    }

    /// All rows of both files, resolved; rows that cannot be resolved are returned with the reason.
    public static func load(serving: String, calibration: String, models: ModelCatalog, gpus: GPUCatalog)
        -> (observations: [SpeedObservation], skipped: [Skipped])
    {
        var out: [SpeedObservation] = []
        var skipped: [Skipped] = []
        for f in fields(serving: serving, calibration: calibration) {
            switch resolve(f, models: models, gpus: gpus) {
            case .success(let o): out.append(o)
            case .failure(let s): skipped.append(s)
            }
        }
        return (out, skipped)
    }

    static func resolve(_ f: Fields, models: ModelCatalog, gpus: GPUCatalog) -> Result<SpeedObservation, Skipped> {
        let id = "\(f.file)#\(f.line)"
        let label =
            "\(f.engine.split(separator: " ").first ?? "") \(f.model.split(separator: " ").first ?? "") @ \(f.gpuText.components(separatedBy: " (").first ?? "") tp\(f.tp.prefix(1)) c=\(f.concurrency.split(separator: " ").first ?? "-")"
        func skip(_ reason: String) -> Result<SpeedObservation, Skipped> { .failure(Skipped(id: id, label: label, reason: reason)) }
        let modelName = String(f.model.split(separator: " ").first ?? "")
        guard let model = models.model(named: architectureAliases[modelName] ?? modelName) else { return skip("no architecture in the catalog") }
        guard let g = gpu(f.gpuText, gpus), g.memoryBandwidthGBps != nil, (g.bf16TFLOPS ?? g.fp16TFLOPS) != nil else {
            return skip("GPU not in the catalog")
        }
        guard let (weights, kv) = format(f.precision) else { return skip("weight format `\(f.precision.prefix(12))` not modelled") }
        guard let prompt = leadingNumber(f.input), let output = leadingNumber(f.output) else { return skip("prompt/output lengths unstated") }
        guard let load = loadShape(f) else { return skip("load shape unstated") }
        let tp = Int(leadingNumber(f.tp) ?? 1), generation = generation(f.version), arch = model.architecture
        // vLLM V1's API-server default: 8192 on GPUs of 70 GiB or more other than A100, else 2048. V0
        // without chunked prefill (forced off for MLA in 0.7.x: "MLA is enabled; forcing chunked prefill
        // and prefix caching to be disabled") batches whole prompts up to max(max_model_len, 2048).
        let v1Batched = g.cudaMemoryGiB >= 70 && g.architecture != "Ampere" ? 8192 : 2048
        let shape = ServingShape(
            weights: weights, kv: kv, context: Int(prompt + output), concurrency: 1, tensorParallel: tp,
            gpuMemoryUtilization: 0.9, maxBatchedTokens: v1Batched)
        var capacity = arch.estimate(shape, accounting: .v0_19, gpuTotalBytes: g.cudaMemoryBytes).gpu?.kvCapacityTokens
        // A source that states its KV cache ran with its own memory settings: take its figure.
        if let stated = statedKVCacheBytes(f.source) {
            capacity = Int(stated / Double(max(arch.kvBytesPerTokenPerGPU(kv, weights: weights, tp: tp), 1)))
        }
        // Requests in the run: "(mean; 41169/200, ShareGPT)" or the num_requests column.
        var requests = Int(leadingNumber(f.requests) ?? 0)
        if requests == 0, let slash = f.input.firstIndex(of: "/") {
            requests = Int(leadingNumber(String(f.input[f.input.index(after: slash)...])) ?? 0)
        }
        var o = SpeedObservation(
            id: id, label: label, engine: f.engine, architecture: arch, weights: weights, kv: kv, gpu: g.performanceFacts,
            gpuFamily: g.displayName, tp: tp, prompt: Int(prompt.rounded()), output: Int(output.rounded()), load: load,
            maxNumSeqs: maxNumSeqs(engineVersion: f.version, gpu: g),
            maxBatchedTokens: generation == "v0" ? max(arch.maxContext ?? v1Batched, 2048) : v1Batched,
            kvCapacityTokens: capacity, tpotMs: f.tpot, ttftMs: f.ttft, outputTokensPerSecond: f.throughput)
        o.generation = generation
        o.requests = requests > 0 ? requests : nil
        // ShareGPT replies vary in length (random runs without --ignore-eos stop a little early: ~fixed).
        o.variableLengths = (f.source + " " + f.quote).lowercased().contains("sharegpt")
        o.endpoint = chatSources.contains { f.source.contains($0) } ? .chat : .completions
        return .success(o)
    }
}

extension GPUType {
    /// The facts the performance model reads (bandwidth, FLOPS, architecture, interconnect).
    public var performanceFacts: GPUPerformance {
        GPUPerformance(
            bandwidthGBps: memoryBandwidthGBps ?? 0, tflops16: bf16TFLOPS ?? fp16TFLOPS ?? 0,
            tflops8: fp8 ? fp8TFLOPS : nil, fastInterconnect: fastInterconnect,
            architecture: architecture, interconnect: Interconnect(catalog: interconnect))
    }
}

/// A small RFC 4180 reader (quoted fields, doubled quotes, embedded newlines): rows as header -> value.
public enum CSVTable {
    public static func parse(_ text: String) -> [[String: String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        while let ch = iterator.next() {
            if quoted {
                if ch == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            if next == "," {
                                row.append(field); field = ""
                            } else if next == "\n" || next == "\r\n" {
                                row.append(field); field = ""; rows.append(row); row = []
                            } else {
                                field.append(next)
                            }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                row.append(field); field = ""
            } else if ch == "\n" || ch == "\r\n" {
                row.append(field); field = ""; rows.append(row); row = []
            } else {
                field.append(ch)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        guard let header = rows.first else { return [] }
        return rows.dropFirst().filter { $0.count > 1 }.map { values in
            var dict: [String: String] = [:]
            for (i, key) in header.enumerated() where i < values.count { dict[key] = values[i] }
            return dict
        }
    }
}
