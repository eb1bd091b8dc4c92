import Foundation
import PodformCatalog
import PodformCompiler
import XCTest

/// Issue 16: plans vLLM 0.27.1 and worker-vllm v2.25.2 can start (`Specs/decisions.md`, D-PRECISION, D-TP).
final class PlansThatStartTests: XCTestCase {
    static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Configs")

    func config(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.configs.appendingPathComponent(name + ".config.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func spec(_ model: String, precision: String, context: String = "4k", extra: String = "") -> String {
        "version: 1\nname: start\nmodel: {id: \(model)}\nprecision: \(precision)\ncontext: \(context)\nconcurrency: 2\n" + extra
    }

    func failure(_ text: String) throws -> CompileFailure {
        guard case .failure(let f)? = Fixtures.compile(text) else { XCTFail("expected a compile failure"); throw XCTSkip() }
        return f
    }

    // Context limits as vLLM derives them (_get_and_verify_max_len).
    func testContextLimitFromRealConfigsAsVLLMDerivesIt() throws {
        // llama3 rope is not scaled again: 131072.
        XCTAssertEqual(try HFConfig.architecture(id: "l", config: config("Llama-3.1-8B-Instruct")).maxContext, 131072)
        // yarn: original_max_position_embeddings 4096 x factor 40.
        XCTAssertEqual(try HFConfig.architecture(id: "d", config: config("DeepSeek-V3")).maxContext, 163840)
        // Qwen3 without rope scaling: max_position_embeddings; with Qwen's yarn recipe 32768 x 4.
        var qwen = try config("Qwen3-30B-A3B")
        XCTAssertEqual(try HFConfig.architecture(id: "q", config: qwen).maxContext, 40960)
        qwen["rope_scaling"] = ["rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768]
        XCTAssertEqual(try HFConfig.architecture(id: "q", config: qwen).maxContext, 131072)
        qwen["rope_scaling"] = ["type": "linear", "factor": 2.0]
        XCTAssertEqual(try HFConfig.architecture(id: "q", config: qwen).maxContext, 81920)
    }

    func testContextAboveTheLimitIsALocatedError() throws {
        let f = try failure(spec("meta-llama/Llama-3.3-70B-Instruct", precision: "bf16", context: "262144"))
        XCTAssertEqual(f.code, "context-over-model-limit")
        XCTAssertEqual(f.keyPath, "context")
        XCTAssertTrue(f.message.contains("limit of 131072"), f.message)
        let q = try failure(spec("Qwen/Qwen3-235B-A22B", precision: "bf16", context: "262144"))
        XCTAssertTrue(q.message.contains("limit of 40960"), q.message)
    }

    func testQuantizationConfigIsRead() throws {
        var c = try config("Llama-3.1-8B-Instruct")
        c["quantization_config"] = [
            "quant_method": "compressed-tensors",
            "config_groups": ["group_0": ["weights": ["num_bits": 8, "type": "float"]]]
        ]
        let q = try XCTUnwrap(HFConfig.architecture(id: "x", config: c).quantization)
        XCTAssertEqual(q.method, "compressed-tensors")
        XCTAssertEqual(q.servedFormats, [.fp8])
        c["quantization_config"] = ["quant_method": "fp8", "weight_block_size": [128, 128]]
        XCTAssertEqual(try HFConfig.architecture(id: "x", config: c).quantization?.weightBlock, [128, 128])
    }

    // Pre-quantized checkpoints get the flag vLLM expects: none.
    func testPreQuantizedCheckpointsGetNoQuantizationFlag() throws {
        for (model, precision) in [
            ("RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic", "fp8"),
            ("RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16", "gptq"),
            ("RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8", "int8"),
            ("hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", "awq")
        ] {
            let d = try XCTUnwrap(Fixtures.deployment(spec(model, precision: precision)), model)
            XCTAssertNil(d.vllm?.quantization, model)
            XCTAssertNil(d.container.env["QUANTIZATION"], model)
            XCTAssertFalse(d.container.args?.contains("--quantization") ?? false, model)
        }
    }

    func testAPrecisionThatNeedsACheckpointIsRefusedWithARepository() throws {
        let awq = try failure(spec("meta-llama/Llama-3.1-70B-Instruct", precision: "awq"))
        XCTAssertEqual(awq.code, "precision-checkpoint-mismatch")
        XCTAssertEqual(awq.keyPath, "precision")
        XCTAssertEqual(awq.suggestions.first, "use hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4")
        let int8 = try failure(spec("meta-llama/Llama-3.1-8B-Instruct", precision: "int8"))
        XCTAssertEqual(int8.code, "precision-checkpoint-mismatch")
        XCTAssertTrue(
            int8.suggestions.contains("or the W8A8 checkpoint RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w8a8 with precision: int8"),
            "\(int8.suggestions)")
        let bf16OnFP8 = try failure(spec("RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic", precision: "bf16"))
        XCTAssertEqual(bf16OnFP8.suggestions.first, "set precision: fp8")
    }

    // Online methods set the flag and size storage from the 16-bit download.
    func testOnlineFP8SetsTheFlagAndSizesTheVolumeFromTheBF16Download() throws {
        let d = try XCTUnwrap(
            Fixtures.deployment(
                spec(
                    "meta-llama/Llama-3.1-8B-Instruct", precision: "fp8",
                    extra: "sla: {cold_start: none}\n")))
        XCTAssertEqual(d.vllm?.quantization, "fp8")
        XCTAssertTrue(d.container.args?.contains("--quantization fp8") ?? false)
        // 16.06 GB of BF16 on disk x 1.2 + 5 = 24.3 -> 30 GB (the FP8 weights alone would give 20).
        XCTAssertEqual(d.container.volumeGB, 30)
        let int4 = try XCTUnwrap(
            Fixtures.deployment(
                spec(
                    "meta-llama/Llama-3.1-8B-Instruct", precision: "int4",
                    extra: "sla: {cold_start: none}\n")))
        XCTAssertEqual(int4.vllm?.quantization, "bitsandbytes")
        XCTAssertEqual(int4.container.volumeGB, 30)
    }

    // TP sizes vLLM cannot load are skipped, with the reason in the trace.
    func testFP8BlockCheckpointSkipsTP8() throws {
        let d = try XCTUnwrap(Fixtures.deployment(spec("Qwen/Qwen3-235B-A22B-FP8", precision: "fp8")))
        XCTAssertNotEqual(d.gpu.count, 8)
        let step = try XCTUnwrap(d.trace.first { $0.rule == "D-TP" })
        XCTAssertTrue(
            step.outcome.contains("8: the MoE intermediate size shard 1536/8 = 192 is not divisible by the checkpoint's FP8 block 128x128"),
            step.outcome)
        XCTAssertFalse(step.outcome.contains("4:"), step.outcome)
    }

    // worker-vllm v2.25.2 env: no logged token, no runtime BASE_PATH, no default-valued prefix caching.
    func testWorkerEnvKeepsTheTokenOffTheCommandLine() throws {
        let text = spec(
            "meta-llama/Llama-3.1-8B-Instruct", precision: "bf16",
            extra:
                "traffic: {repeated_prefixes: true}\nconstraints: {data_centers: [EU-RO-1]}\ndeploy: {mode: serverless, weights: network-volume, secrets: {HF_TOKEN: hf_read}}\n"
        )
        let d = try XCTUnwrap(Fixtures.deployment(text))
        XCTAssertEqual(d.container.env["HUGGING_FACE_HUB_TOKEN"], "{{ RUNPOD_SECRET_hf_read }}")
        XCTAssertNil(d.container.env["HF_TOKEN"])
        XCTAssertNil(d.container.env["BASE_PATH"])
        XCTAssertNil(d.container.env["ENABLE_PREFIX_CACHING"])
    }
}
