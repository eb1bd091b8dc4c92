import Foundation
import PodformApply
import PodformCompiler
import PodformSizing
import XCTest

/// The seeds' worked examples, as exact or bounded expectations on the compiled plan.
final class SeedExampleTests: XCTestCase {
    func example(_ name: String) throws -> Deployment {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent(name), encoding: .utf8)
        return try XCTUnwrap(Fixtures.deployment(text, path: "examples/\(name)"))
    }

    /// Seed 001: Llama 3.1 8B, 50 users at 4k, BF16 -> about 47 GB: past a 24 GB card, a 48 GB-class GPU or larger.
    func testLlama8BFiftyUsers() throws {
        let d = try example("support-chat.yaml")
        XCTAssertEqual(d.sizing.kvCacheBytes, 50 * 536_870_912)
        XCTAssertEqual(d.sizing.kvBytesPerToken, 131_072)
        let total = Double(d.sizing.weightsBytes + d.sizing.kvCacheBytes + d.sizing.overheadBytesPerGPU) / 1e9
        XCTAssertEqual(total, 46.3, accuracy: 1.5)  // seed: ~47 GB with overhead
        XCTAssertGreaterThanOrEqual(d.gpu.memoryGB * Double(d.gpu.count), 48)
        XCTAssertEqual(d.gpu.count, 1)
        XCTAssertEqual(d.vllm?.maxModelLen, 4096)
        XCTAssertEqual(d.vllm?.maxNumSeqs, 50)
        // A 48 GB card misses by memory alone, and the plan says so.
        let card48 = ["NVIDIA L40S", "NVIDIA A40", "NVIDIA L40", "NVIDIA RTX 6000 Ada Generation", "NVIDIA RTX A6000"]
        XCTAssertTrue(d.alternatives.contains { card48.contains($0.gpu) && $0.reason.contains("D-MEMORY") }, "\(d.alternatives)")
    }

    /// Seed 000: Llama-3-70B BF16 at 4k, batch 8: 140 GB of weights -> multi-GPU tensor parallel.
    func testLlama70BBF16IsMultiGPU() throws {
        let d = try example("llama3-70b-bf16.yaml")
        // 140 GB of weights need two 80 GB cards or one larger one: a B200 (180 GB) wins now that slot
        // queueing counts against the TTFT SLA (2 x 8 slots on H100 NVL pods queue past it).
        XCTAssertGreaterThan(Double(d.gpu.count) * d.gpu.memoryGB, 140)
        XCTAssertEqual(d.vllm?.tensorParallelSize, d.gpu.count)
        XCTAssertEqual(d.sizing.kvCacheBytes, 10_737_418_240)
        XCTAssertEqual(d.mode, .pod)  // cold_start: none
        XCTAssertNil(d.workerMode)
    }

    /// Seed 000/002: 70B at INT4 -> one 80 GB card (an L40S holds the weights with a thin KV margin).
    func testLlama70BInt4FitsOneCard() throws {
        let d = try example("llama3-70b-int4.yaml")
        XCTAssertEqual(d.gpu.count, 1)
        XCTAssertGreaterThanOrEqual(d.gpu.memoryGB, 80)
        XCTAssertEqual(Double(d.sizing.weightsBytes) / 1e9, 39.5, accuracy: 1.5)
    }

    /// Seed 001: AWQ 70B lands near 40 GB.
    func testAWQEndpoint() throws {
        let d = try example("llama3-70b-awq-endpoint.yaml")
        XCTAssertEqual(Double(d.sizing.weightsBytes) / 1e9, 39.8, accuracy: 0.5)
        XCTAssertEqual(d.mode, .serverless)
        XCTAssertNil(d.vllm?.quantization)  // vLLM reads the AWQ quantization_config and picks awq_marlin itself
        XCTAssertEqual(d.container.weights, "network-volume")
        XCTAssertEqual(RunPodResources.requests(for: d).map(\.kind.rawValue), ["network_volume", "template", "endpoint"])
    }

    func testFineTuneIsAPod() throws {
        let d = try example("lora-finetune.yaml")
        XCTAssertEqual(d.mode, .pod)
        XCTAssertNil(d.workers)
        XCTAssertNotNil(d.training)
        XCTAssertEqual(RunPodResources.requests(for: d).map(\.kind.rawValue), ["template", "pod"])
    }

    func testSteadyHighTrafficIsAPod() throws {
        let d = try example("steady-api.yaml")
        XCTAssertEqual(d.mode, .pod)
    }

    func testBurstyInternalToolScalesToZero() throws {
        let d = try example("internal-tool.yaml")
        XCTAssertEqual(d.mode, .serverless)
        XCTAssertEqual(d.workerMode, .flex)
        XCTAssertEqual(d.workers?.min, 0)
    }

    func testSecretsAppearOnlyAsReferences() throws {
        for url in try Fixtures.exampleFiles() {
            let d = try example(url.lastPathComponent)
            for (key, value) in d.container.env where key.hasSuffix("_TOKEN") || key.hasSuffix("_KEY") {
                XCTAssertTrue(value.hasPrefix("{{ RUNPOD_SECRET_"), "\(url.lastPathComponent): \(key) = \(value)")
            }
        }
    }
}
