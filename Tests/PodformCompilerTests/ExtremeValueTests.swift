import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformSizing
import XCTest

/// Extreme numbers through validate, size and plan, in-process (issue 14): 0, -1, Int.max,
/// Int.min, 1e300, nan, inf and huge strings for every numeric field of a spec, of a config.json
/// and of the sizing shapes. A trap fails the whole run; otherwise every outcome must be a plan,
/// a located diagnostic or a thrown error.
final class ExtremeValueTests: XCTestCase {
    static let extremes = [
        "0", "-1", "1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
        "1e300", "-1e300", "1e-300", ".nan", ".inf", "-.inf", "nan", "0.5", String(repeating: "9", count: 4000)
    ]
    /// Unit suffixes each field accepts, so the extremes also reach the unit parsers.
    static let suffixes = ["", "k", "M", "B", "T", "GB", "TiB", "s", "ms", "h", " USD"]

    static let inference = """
        version: 1
        name: extreme
        model: {id: meta-llama/Llama-3.1-8B-Instruct, parameters: 8.03B}
        context: 8k
        concurrency: 8
        traffic: {pattern: bursty, requests_per_day: 10000, peak_requests_per_second: 2, active_hours_per_day: 10, prompt_tokens: 1000, output_tokens: 300}
        sla: {ttft_p95: 2s, output_tokens_per_second: 20, cold_start: 60s}
        constraints: {max_gpus_per_worker: 4, max_workers: 3, monthly_budget: 5000 USD}
        deploy: {gpu_memory_utilization: 0.9, container_disk: 100GB, port: 8000}

        """
    static let training = """
        version: 1
        name: extreme
        workload: fine-tune
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        training: {method: lora, lora_rank: 16, batch_size: 4, sequence_length: 2048, hours: 10}

        """
    /// (spec, the text to replace, the field's key path).
    static let fields: [(String, String, String)] = [
        (inference, "context: 8k", "context: "), (inference, "concurrency: 8", "concurrency: "),
        (inference, "parameters: 8.03B", "parameters: "),
        (inference, "requests_per_day: 10000", "requests_per_day: "), (inference, "peak_requests_per_second: 2", "peak_requests_per_second: "),
        (inference, "active_hours_per_day: 10", "active_hours_per_day: "), (inference, "prompt_tokens: 1000", "prompt_tokens: "),
        (inference, "output_tokens: 300", "output_tokens: "), (inference, "ttft_p95: 2s", "ttft_p95: "),
        (inference, "output_tokens_per_second: 20", "output_tokens_per_second: "), (inference, "cold_start: 60s", "cold_start: "),
        (inference, "max_gpus_per_worker: 4", "max_gpus_per_worker: "), (inference, "max_workers: 3", "max_workers: "),
        (inference, "monthly_budget: 5000 USD", "monthly_budget: "), (inference, "gpu_memory_utilization: 0.9", "gpu_memory_utilization: "),
        (inference, "container_disk: 100GB", "container_disk: "), (inference, "port: 8000", "port: "),
        (training, "lora_rank: 16", "lora_rank: "), (training, "batch_size: 4", "batch_size: "),
        (training, "sequence_length: 2048", "sequence_length: "), (training, "hours: 10", "hours: ")
    ]

    /// Validate, then plan what validates: a plan, a compile failure, or located errors; never a trap.
    func run(_ text: String, architecture: ModelArchitecture? = nil, file: StaticString = #filePath, line: UInt = #line) -> String {
        let (spec, diagnostics) = Spec.validate(path: "spec.yaml", text: text, environment: Fixtures.validation)
        for d in diagnostics where d.severity == .error {
            XCTAssertGreaterThan(d.location.line, 0, "unlocated \(d.code): \(d.message)", file: file, line: line)
        }
        guard let spec, !diagnostics.hasErrors else { return "invalid" }
        guard let arch = architecture ?? Fixtures.models.model(named: spec.model.id)?.architecture else { return "no model" }
        switch spec.compile(specFile: "spec.yaml", architecture: arch, environment: Fixtures.environment) {
        case .success(let d):
            XCTAssertGreaterThan(d.container.containerDiskGB, 0, file: file, line: line)
            return "planned"
        case .failure: return "infeasible"
        }
    }

    func testExtremeSpecNumbersNeverTrap() {
        var outcomes: [String: Int] = [:]
        for (base, original, key) in Self.fields {
            for value in Self.extremes {
                for suffix in Self.suffixes {
                    let text = base.replacingOccurrences(of: original, with: key + value + suffix)
                    outcomes[run(text), default: 0] += 1
                }
            }
        }
        XCTAssertEqual(outcomes.values.reduce(0, +), Self.fields.count * Self.extremes.count * Self.suffixes.count)
        XCTAssertGreaterThan(outcomes["invalid"] ?? 0, 0)
        XCTAssertGreaterThan(outcomes["planned"] ?? 0, 0)
    }

    func testTheIssuesSpecValuesAreLocatedErrors() {
        for (original, replacement) in [
            ("prompt_tokens: 1000", "prompt_tokens: 9223372036854775807"),
            ("output_tokens: 300", "output_tokens: 9223372036854775807"),
            ("parameters: 8.03B", "parameters: 9223372036854775807"),
            ("context: 8k", "context: 9223372036854775807k")
        ] {
            let text = Self.inference.replacingOccurrences(of: original, with: replacement)
            let (_, d) = Spec.validate(path: "spec.yaml", text: text, environment: Fixtures.validation)
            let errors = d.filter { $0.severity == .error }
            XCTAssertEqual(errors.count, 1, "\(replacement): \(errors.map(\.code))")
            XCTAssertTrue(["out-of-range", "bad-unit"].contains(errors.first?.code ?? ""), replacement)
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(replacement) }.map { $0 + 1 }
            XCTAssertEqual(errors.first?.location.line, line, replacement)
        }
        let text = Self.training.replacingOccurrences(of: "sequence_length: 2048", with: "sequence_length: 9223372036854775807")
        XCTAssertEqual(
            Spec.validate(path: "s.yaml", text: text, environment: Fixtures.validation).1.filter { $0.severity == .error }.map(\.code),
            ["out-of-range"])
    }

    static var baseConfig: [String: Any] {
        [
            "model_type": "deepseek_v3", "num_hidden_layers": 32, "hidden_size": 4096, "num_attention_heads": 32,
            "num_key_value_heads": 8, "vocab_size": 128_256, "intermediate_size": 14_336, "max_position_embeddings": 131_072,
            "num_local_experts": 8, "num_experts_per_tok": 2, "moe_intermediate_size": 2048, "n_shared_experts": 1,
            "first_k_dense_replace": 1, "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64,
            "qk_nope_head_dim": 128, "v_head_dim": 128, "head_dim": 128, "sliding_window": 4096, "sliding_window_pattern": 6
        ]
    }
    static var configExtremes: [Any] { [0, -1, 1, Int.max, Int.min, 1e300, -1e300, 1.5, Double.greatestFiniteMagnitude, 1e19, "x"] }

    /// Every config.json integer at every extreme: HFConfig throws, or the architecture sizes and plans.
    func testExtremeConfigNumbersNeverTrap() throws {
        var sized = 0, refused = 0
        for key in Self.baseConfig.keys.sorted() where key != "model_type" {
            for value in Self.configExtremes {
                for type in ["deepseek_v3", "gemma3", "llama"] {
                    var config = Self.baseConfig
                    config["model_type"] = type
                    if type == "llama" { ["kv_lora_rank", "num_local_experts"].forEach { config.removeValue(forKey: $0) } }
                    config[key] = value
                    guard let arch = try? HFConfig.architecture(id: "x/y", config: config) else { refused += 1; continue }
                    sized += 1
                    exercise(arch)
                    _ = run(Self.inference.replacingOccurrences(of: "parameters: 8.03B", with: "parameters: 8B"), architecture: arch)
                }
            }
        }
        XCTAssertGreaterThan(sized, 0)
        XCTAssertGreaterThan(refused, 0)
        // The issue's cases: refused with a message, not a trap.
        for (key, value) in [("num_hidden_layers", 1e300 as Any), ("vocab_size", Int.max), ("num_local_experts", Int.max), ("kv_lora_rank", Int.max)]
        {
            var config = Self.baseConfig
            config[key] = value
            XCTAssertThrowsError(try HFConfig.architecture(id: "x/y", config: config), key) { error in
                XCTAssertTrue("\(error)".contains(key), "\(error)")
            }
        }
    }

    /// Sizing functions on an architecture: all total.
    func exercise(_ arch: ModelArchitecture) {
        let gpu = GPUPerformance(bandwidthGBps: 3350, tflops16: 989, tflops8: 1979, fastInterconnect: true)
        for shape in Self.shapes {
            _ = arch.estimate(shape, gpuTotalBytes: 85_899_345_920)
            _ = arch.estimate(shape, gpuTotalBytes: .max, parametersOverride: .max)
            _ = arch.estimate(shape, gpuTotalBytes: 0, parametersOverride: 1)
            _ = arch.performance(
                weights: shape.weights, kv: shape.kv, gpu: gpu, tp: shape.tensorParallel, batch: shape.concurrency,
                prompt: shape.context, output: shape.context, arrivalRate: .infinity)
        }
        for method in [TrainingShape.Method.full, .lora, .qlora] {
            for n in [0, 1, Int.max] {
                _ = arch.trainingMemory(
                    TrainingShape(
                        method: method, loraRank: n, targetModules: ["q_proj", "gate_proj", "down_proj"],
                        batchSize: n, sequenceLength: n, gradientCheckpointing: n % 2 == 0))
            }
        }
        for format in WeightFormat.allCases { _ = arch.activeWeightBytes(format) }
        for tp in [0, 1, 3, Int.max] { _ = arch.supportsTensorParallel(tp) }
    }

    static let shapes: [ServingShape] = {
        var out: [ServingShape] = []
        for n in [0, 1, 8192, Int.max] {
            for format in [WeightFormat.bf16, .mxfp4, .awq] {
                var s = ServingShape(
                    weights: format, kv: .fp8, context: n, concurrency: n, tensorParallel: n == 8192 ? 8 : n,
                    gpuMemoryUtilization: n == 0 ? .nan : 0.9, maxBatchedTokens: n)
                s.pipelineParallel = n
                out.append(s)
            }
        }
        return out
    }()

    /// Architectures built directly (not from config.json, so not bounded): sizing is still total.
    func testHostileArchitecturesSizeWithoutTrapping() {
        for n in [0, -1, Int.max, Int.min] {
            var arch = ModelArchitecture(
                id: "x", layers: n, hidden: n, heads: n, kvHeads: n, headDim: n, intermediate: n, vocab: n,
                maxContext: n, tiedEmbeddings: n % 2 == 0)
            exercise(arch)
            arch.moe = .init(experts: n, expertsPerToken: n, expertIntermediate: n)
            arch.moe?.sharedExperts = n
            arch.moe?.denseLayers = n
            arch.mla = .init(kvLoraRank: n, qLoraRank: n, qkNopeHeadDim: n, qkRopeHeadDim: n, vHeadDim: n)
            arch.slidingLayers = n
            arch.extraParameters = n == 0 ? 0 : .max
            exercise(arch)
            XCTAssertFalse(arch.problems.isEmpty)
        }
        var big = ModelArchitecture(id: "big", layers: Int.max, hidden: Int.max, heads: 1, kvHeads: 1, intermediate: Int.max, vocab: Int.max)
        XCTAssertEqual(big.parameterCount.total, .max)
        XCTAssertEqual(big.estimate(ServingShape(weights: .bf16, context: Int.max, concurrency: Int.max)).totalBytesPerGPU, .max)
        big.layers = 10_001
        XCTAssertTrue(big.problems.contains { $0.contains("num_hidden_layers") })
    }

    /// Realistic values still size exactly (the Double arithmetic is exact below 2^53).
    func testSaturatingArithmetic() {
        XCTAssertEqual(Saturating.mul(.max, 2), .max)
        XCTAssertEqual(Saturating.mul(.min, 2), .min)
        XCTAssertEqual(Saturating.mul(-3, .max), .min)
        XCTAssertEqual(Saturating.add(.max, 1, -5), .max - 5)
        XCTAssertEqual(Saturating.sub(.min, 1), .min)
        XCTAssertEqual(Saturating.ceilDiv(.max, 2), Int64.max / 2 + 1)
        XCTAssertEqual(Saturating.ceilDiv(7, 0), 0)
        XCTAssertEqual(Int64(saturating: .nan), 0)
        XCTAssertEqual(Int64(saturating: 1e300), .max)
        XCTAssertEqual(Int64(saturating: -.infinity), .min)
        XCTAssertEqual(Int64(saturating: 12.9), 12)
        XCTAssertEqual(Int(saturating: 9.3e18), .max)
        let llama = Fixtures.models.model(named: "meta-llama/Llama-3.1-8B-Instruct")!.architecture
        XCTAssertEqual(llama.parameterCount.total, 8_030_261_248)
    }
}
