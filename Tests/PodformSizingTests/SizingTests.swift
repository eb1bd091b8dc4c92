import PodformCatalog
import XCTest

@testable import PodformSizing

final class SizingTests: XCTestCase {
    private func arch(_ id: String) throws -> ModelArchitecture {
        try XCTUnwrap(ModelCatalog.bundled().model(named: id)).architecture
    }

    /// Seed 001: Llama 3.1 8B KV = 2 x 32 x 8 x 128 x 2 = 131,072 bytes per token; 512 MiB per 4,096 tokens.
    func testSeedLlama8BKVBytesPerToken() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct")
        XCTAssertEqual(llama.kvBytesPerToken(.auto, weights: .bf16), 131_072)
        XCTAssertEqual(llama.kvBytesPerToken(.auto, weights: .bf16) * 4096, 512 * 1_048_576)
        XCTAssertEqual(llama.kvBytesPerToken(.fp8, weights: .bf16), 65_536)
    }

    /// Seed 000: Llama-3-70B KV at 4,096 tokens x batch 8 in BF16 = 10,737,418,240 bytes.
    func testSeedLlama70BKVAtBatch8() throws {
        let llama = try arch("meta-llama/Llama-3.1-70B-Instruct")
        let estimate = llama.estimate(ServingShape(weights: .bf16, context: 4096, concurrency: 8))
        XCTAssertEqual(estimate.kvCacheBytes, 10_737_418_240)
    }

    /// Seed 001: Llama-3-70B AWQ lands near 40 GB, not the naive 35 GB.
    func testSeed70BAWQNearFortyGB() throws {
        let llama = try arch("meta-llama/Llama-3.1-70B-Instruct")
        let gb = Double(llama.weightBytes(.awq)) / 1e9
        XCTAssertEqual(gb, 39.8, accuracy: 0.5)
        XCTAssertGreaterThan(gb, 38)
        XCTAssertEqual(Double(llama.weightBytes(.bf16)) / 1e9, 141.1, accuracy: 0.2)
    }

    /// Seed 001 worked example: 8B, 50 users at 4k in BF16 -> ~47 GB with overhead: a 48 GB-class GPU.
    func testSeedLlama8BFiftyUsersNeedsA48GBClassGPU() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct")
        let e = llama.estimate(ServingShape(weights: .bf16, context: 4096, concurrency: 50))
        XCTAssertEqual(Double(e.weightsBytes) / 1e9, 16.06, accuracy: 0.01)
        XCTAssertEqual(e.kvCacheBytes, 50 * 512 * 1_048_576)
        let total = Double(e.totalBytesPerGPU) / 1e9
        XCTAssertGreaterThan(total, 24)  // past a 24 GB RTX 4090
        XCTAssertLessThan(total, 48)  // inside a 48 GB class card
    }

    func testMLAKVIsLatentSizeAndNotSplitByTP() throws {
        let v2 = try arch("deepseek-ai/DeepSeek-V2-Lite-Chat")
        XCTAssertEqual(v2.kvBytesPerToken(.auto, weights: .bf16), 27 * 576 * 2)
        XCTAssertEqual(v2.kvBytesPerTokenPerGPU(.auto, weights: .bf16, tp: 2), 27 * 576 * 2)
    }

    func testTensorParallelSplitsKVHeadsAndNeverBelowOne() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct")  // 8 KV heads
        XCTAssertEqual(llama.kvBytesPerTokenPerGPU(.auto, weights: .bf16, tp: 2), 65_536)
        XCTAssertEqual(llama.kvBytesPerTokenPerGPU(.auto, weights: .bf16, tp: 8), 16_384)
        let qwen = try arch("Qwen/Qwen2.5-7B-Instruct")  // 4 KV heads, 28 heads
        XCTAssertTrue(qwen.supportsTensorParallel(4))
        XCTAssertFalse(qwen.supportsTensorParallel(8))  // 8 does not divide 28 heads
        let falcon = try arch("tiiuae/falcon-180B")  // 8 KV heads, 232 heads
        XCTAssertTrue(falcon.supportsTensorParallel(8))
        XCTAssertFalse(falcon.supportsTensorParallel(3))
    }

    /// vLLM v0.19 log (llm-d-planner): Llama 3.1 8B, H100 (79.19 GiB), util 0.95, 8192 -> 476,016 tokens.
    func testVLLMAccountingMatchesALoggedRun() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct")
        let e = llama.estimate(
            ServingShape(weights: .bf16, context: 8192, concurrency: 1, gpuMemoryUtilization: 0.95),
            accounting: .v0_19, gpuTotalBytes: gib(79.19))
        let tokens = try XCTUnwrap(e.gpu?.kvCapacityTokens)
        XCTAssertEqual(Double(tokens), 476_016, accuracy: 476_016 * 0.01)
        XCTAssertEqual(tokens % 16, 0)  // whole blocks
    }

    /// Gemma 3 27B: 52 sliding + 10 full layers -> vLLM pads to 70 layers when it counts tokens.
    func testHybridAttentionPaddedLayers() throws {
        XCTAssertEqual(try arch("google/gemma-3-27b-it").kvAllocatedLayers, 70)
        XCTAssertEqual(try arch("google/gemma-2-9b-it").kvAllocatedLayers, 42)
        XCTAssertEqual(try arch("meta-llama/Llama-3.1-8B-Instruct").kvAllocatedLayers, 32)
    }

    /// Seed 000 says rank 16 on a 7B Llama-class model trains ~4.2M parameters. The formula gives
    /// 4,194,304 at rank 8 on q/v (the count PEFT prints for Llama-7B, r=8) and twice that at rank 16:
    /// the seed's figure matches rank 8, or rank 16 on a single projection. Specs/sizing.md §5 says so.
    func testLoRAParametersAgainstSeedFigure() throws {
        let llama2 = try arch("meta-llama/Llama-2-7b-hf")
        XCTAssertEqual(llama2.loraParameters(rank: 8, targetModules: ["q_proj", "v_proj"]), 4_194_304)
        XCTAssertEqual(llama2.loraParameters(rank: 16, targetModules: ["q_proj", "v_proj"]), 8_388_608)
        XCTAssertEqual(llama2.loraParameters(rank: 16, targetModules: ["q_proj"]), 4_194_304)
    }

    /// Seeds 000/002: full AdamW mixed precision is 16 bytes/param; 8B at batch 4 x 2048 ~35 GB activations.
    func testTrainingMemory() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct")
        let full = llama.trainingMemory(
            TrainingShape(
                method: .full, batchSize: 4, sequenceLength: 2048,
                gradientCheckpointing: false))
        XCTAssertEqual(full.weightsBytes + full.gradientsBytes + full.optimizerBytes, 16 * 8_030_261_248)
        XCTAssertEqual(Double(full.activationsBytes) / 1e9, 35, accuracy: 0.5)
        let ckpt = llama.trainingActivationBytes(batch: 4, sequence: 2048, checkpointing: true)
        XCTAssertLessThan(ckpt, full.activationsBytes / 5)
        let qlora = llama.trainingMemory(TrainingShape(method: .qlora))
        let lora = llama.trainingMemory(TrainingShape(method: .lora))
        XCTAssertLessThan(qlora.totalBytes, lora.totalBytes)
    }

    func testQuantizedFormatsBytesPerParameter() {
        XCTAssertEqual(WeightFormat.awq.quantizedBytesPerParameter, 0.51953125, accuracy: 1e-9)
        XCTAssertEqual(WeightFormat.mxfp4.quantizedBytesPerParameter, 0.53125, accuracy: 1e-9)
        XCTAssertEqual(WeightFormat.fp8.quantizedBytesPerParameter, 1)
    }

    func testDecodeIsBandwidthBoundAndTTFTComputeBound() throws {
        let llama = try arch("meta-llama/Llama-3.1-8B-Instruct")
        let h100 = GPUPerformance(bandwidthGBps: 3350, tflops16: 989, tflops8: 1979, fastInterconnect: true)
        let one = llama.performance(weights: .bf16, kv: .auto, gpu: h100, tp: 1, batch: 1, prompt: 128, output: 128)
        // vLLM single-stream log: 6.48 ms/token = 154 tok/s; the estimate's range must contain it.
        XCTAssertLessThan(one.outputTokensPerSecondPerUserRange[0], 154)
        XCTAssertGreaterThan(one.outputTokensPerSecondPerUserRange[1], 154)
        let longer = llama.performance(weights: .bf16, kv: .auto, gpu: h100, tp: 1, batch: 1, prompt: 8192, output: 128)
        XCTAssertGreaterThan(longer.ttftSeconds, one.ttftSeconds * 4)
        let busy = llama.performance(weights: .bf16, kv: .auto, gpu: h100, tp: 1, batch: 64, prompt: 1000, output: 300)
        XCTAssertLessThan(busy.outputTokensPerSecondPerUser, one.outputTokensPerSecondPerUser)
        XCTAssertGreaterThan(busy.outputTokensPerSecond, one.outputTokensPerSecond * 10)
    }

    func testColdStartAnchors() {
        let model = ColdStartModel.standard
        // seed 000: a 70B model takes 60-180 s to load without caching.
        let seventyB = model.estimate(weightsBytes: 140_000_000_000, location: .networkVolume, flashboot: false)
        XCTAssertGreaterThan(seventyB, 60)
        XCTAssertLessThan(seventyB, 240)
        let small = model.estimate(weightsBytes: 16_000_000_000, location: .image, flashboot: true)
        XCTAssertLessThan(small, seventyB)
    }
}
