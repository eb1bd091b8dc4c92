import Foundation
import PodformCatalog
import XCTest

@testable import PodformSizing

/// The physics the speed model adds (`Specs/performance.md` §1), one behaviour per test, on catalog
/// models and GPUs and on the benchmark rows that motivated it.
final class SpeedPhysicsTests: XCTestCase {
    private func arch(_ id: String) throws -> ModelArchitecture {
        try XCTUnwrap(ModelCatalog.bundled().model(named: id)).architecture
    }

    private func gpu(_ id: String) throws -> GPUPerformance {
        try XCTUnwrap(GPUCatalog.bundled().gpu(named: id)).performanceFacts
    }

    private func row(_ id: String) throws -> SpeedObservation {
        try XCTUnwrap(SpeedModelTests.data().vllm.first { $0.id == id })
    }

    /// vLLM V1's chunked prefill: a short prompt rides in a memory-bound decode step almost for free;
    /// V0's prefill-first scheduler pauses decoding for a step of its own.
    func testChunkedPrefillRidesInMemoryBoundSteps() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct"), h100 = try gpu("h100-sxm")
        let v1 = SpeedCalibration.fitted.factors(for: llama, weights: .bf16, gpu: h100)
        let v0 = SpeedCalibration.fitted.factors(for: llama, weights: .bf16, gpu: h100, generation: "v0")
        XCTAssertTrue(v1.chunkedPrefill)
        XCTAssertFalse(v0.chunkedPrefill)
        func marginal(_ f: EfficiencyFactors) -> Double {
            llama.marginalPrefillSeconds(
                weights: .bf16, kv: .auto, gpu: h100, tp: 1, batch: 32, context: 400, prompt: 200,
                maxBatchedTokens: 8192, factors: f)
        }
        let alone = llama.prefill(weights: .bf16, gpu: h100, tp: 1, prompt: 200, factors: v0)
        XCTAssertLessThan(marginal(v1), 0.2 * (alone.totalSeconds - alone.requestSeconds))
        XCTAssertEqual(marginal(v0), alone.totalSeconds - alone.requestSeconds, accuracy: 1e-9)
    }

    /// A request arriving into a busy replica waits for the step in flight and shares its prefill step
    /// with the other decodes.
    func testArrivalWaitsForTheStepInFlight() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct"), h100 = try gpu("h100-sxm")
        let idle = llama.performance(weights: .bf16, kv: .auto, gpu: h100, tp: 1, batch: 1, prompt: 500, output: 200)
        let busy = llama.performance(weights: .bf16, kv: .auto, gpu: h100, tp: 1, batch: 32, prompt: 500, output: 200)
        XCTAssertGreaterThan(busy.ttftSeconds, idle.ttftSeconds + busy.stepSeconds / 2)
    }

    /// 32 fixed-length prompts sent at once are packed into steps of `max_num_batched_tokens` (the prompts
    /// already prefilled decode in the later steps, one token each of the budget): the mean TTFT is about
    /// half the burst's prefill, not one prompt's.
    func testBurstIsPackedIntoBatchedSteps() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct"), h100 = try gpu("h100-sxm")
        let f = SpeedCalibration.fitted.factors(for: llama, weights: .bf16, gpu: h100)
        let burst = llama.burstPrefill(
            weights: .bf16, kv: .auto, gpu: h100, tp: 1, prompts: 32, prompt: 2048,
            maxBatchedTokens: 8192, factors: f)
        XCTAssertEqual(burst.stepSeconds.count, 9)  // 32 x 2048 / 8192, plus the decodes' share
        XCTAssertEqual(burst.completionStep.first, 1)
        XCTAssertEqual(burst.completionStep.last, 9)
        XCTAssertGreaterThan(burst.meanCompletionSeconds, burst.totalSeconds * 0.45)
        XCTAssertLessThan(burst.meanCompletionSeconds, burst.totalSeconds * 0.7)
    }

    /// ShareGPT replies vary in length: a burst drains as the short ones finish (the longest reply of
    /// 1000 is ~7 x the mean), and short replies weigh the stalls of the prefill phase into mean TPOT.
    func testVariableLengthBurstDrainsAndWeighsStalls() throws {
        var sharegpt = try row("serving_benchmarks.csv#18")
        XCTAssertTrue(sharegpt.variableLengths)
        let classes = sharegpt.outputClasses(count: 1000)
        let mean = classes.reduce(0) { $0 + $1.tokens * $1.share }
        XCTAssertEqual(mean, Double(sharegpt.output), accuracy: Double(sharegpt.output) * 0.03)
        XCTAssertGreaterThan(try XCTUnwrap(classes.last).tokens, 6 * Double(sharegpt.output))
        let variable = sharegpt.predict(.fitted)
        sharegpt.variableLengths = false
        let fixed = sharegpt.predict(.fitted)
        XCTAssertLessThan(variable.outputTokensPerSecond, fixed.outputTokensPerSecond * 0.8)
        XCTAssertGreaterThan(variable.tpotMs, fixed.tpotMs)
    }

    /// A finite Poisson run (200 requests at 32/s arrive within 6 s) never reaches the steady batch r x L.
    func testFinitePoissonRunRampsUp() throws {
        var run = try row("serving_benchmarks.csv#87")
        XCTAssertEqual(run.requests, 200)
        let finite = run.predict(.fitted)
        run.requests = nil
        let endless = run.predict(.fitted)
        XCTAssertLessThan(finite.batch, endless.batch)
    }

    /// A source that states its KV cache (2 x A100, "KV cache 6.77 GiB per GPU") is read at its figure:
    /// all 10 sequences of 2048 tokens fit, where utilization 0.9 would leave room for 2.
    func testStatedKVCacheSizesTheBatch() throws {
        let r = try row("serving_benchmarks.csv#83")
        let perToken = Double(r.architecture.kvBytesPerTokenPerGPU(r.kv, weights: r.weights, tp: r.tp))
        XCTAssertEqual(Double(try XCTUnwrap(r.kvCapacityTokens)), 6.77 * 1_073_741_824 / perToken, accuracy: 1)
        XCTAssertEqual(r.predict(.fitted).batch, 10)
    }

    /// Which endpoint each source's client called: chat (template rendering) or completions.
    func testEndpointsOfTheSources() throws {
        XCTAssertEqual(try row("serving_benchmarks.csv#33").endpoint, .chat)  // GPUStack, --backend openai-chat
        XCTAssertEqual(try row("serving_benchmarks.csv#68").endpoint, .chat)  // client.chat.completions.create
        XCTAssertEqual(try row("serving_benchmarks.csv#84").endpoint, .completions)  // benchmark_serving.py
        XCTAssertEqual(try row("serving_benchmarks.csv#9").generation, "v0")
        XCTAssertEqual(try row("serving_benchmarks.csv#9").maxBatchedTokens, 163_840)  // MLA in V0: no chunked prefill
    }

    /// MLA decode runs absorbed: queries meet the 512-element latent plus the 64-element rope key.
    func testMLADecodeAttentionIsAbsorbed() throws {
        let r1 = try arch("deepseek-ai/DeepSeek-R1")
        let perKey = 2 * Double(r1.heads) * Double(512 + 64 + 512) * Double(r1.layers)
        XCTAssertEqual(r1.attentionFLOPs(queries: 1, meanKeys: 1, absorbed: true), perKey, accuracy: 1)
        XCTAssertLessThan(r1.attentionFLOPs(queries: 1, meanKeys: 1), perKey / 2)
    }

    /// A class without rows borrows the nearest class's factors (MLA from MoE), says so, and quotes a
    /// range that widens to 0.3x.
    func testBorrowedClassIsFlaggedWithAWiderRange() throws {
        var c = SpeedCalibration.fitted
        c.layerOverhead = c.layerOverhead.filter { !$0.key.hasPrefix("mla") }
        c.prefillCompute = c.prefillCompute.filter { !$0.key.hasPrefix("mla") }
        let f = c.factors(for: try arch("deepseek-ai/DeepSeek-R1"), weights: .fp8, gpu: try gpu("h200-sxm"), tp: 8)
        XCTAssertEqual(f.layerOverheadSeconds, try XCTUnwrap(c.layerOverhead["moe"]).value)
        XCTAssertTrue(f.uncalibrated.contains("no speed calibration data for mla models (borrowing moe factors)"), "\(f.uncalibrated)")
        XCTAssertLessThanOrEqual(f.speedRange[0], 0.3)
    }
}
