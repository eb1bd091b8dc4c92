import PodformEngine
import XCTest

/// The vLLM engine's own rules: image kinds, which image runs where, flags and worker env.
final class VLLMEngineTests: XCTestCase {
    let engine = VLLMEngine()
    let settings = ServingSettings(
        maxModelLen: 4096, gpuMemoryUtilization: 0.9, tensorParallelSize: 2, maxNumSeqs: 50,
        maxNumBatchedTokens: 8192, quantization: "fp8", dtype: "auto", kvCacheDType: "fp8",
        enablePrefixCaching: true)

    func testImagesAreJudgedByTheirRepositoryPath() {
        XCTAssertEqual(engine.imageKind("vllm/vllm-openai:v0.27.1"), .server)
        XCTAssertEqual(engine.imageKind("docker.io/vllm/vllm-openai@sha256:abc"), .server)
        XCTAssertEqual(engine.imageKind("runpod/worker-v1-vllm:v2.25.2"), .worker)
        XCTAssertEqual(engine.imageKind("ghcr.io/acme/llm-server:1.0"), .custom)
        XCTAssertEqual(engine.imageKind("ghcr.io/acme/worker-tools:1.0"), .custom, "a word in the name is not a kind")
    }

    func testOnlyAnImageThatCannotRunInTheStyleIsReplaced() {
        XCTAssertEqual(engine.runnableImage("runpod/worker-v1-vllm:v2.25.2", .server), "vllm/vllm-openai:v0.27.1")
        XCTAssertEqual(engine.runnableImage("vllm/vllm-openai:v0.27.1", .worker), "runpod/worker-v1-vllm:v2.25.2")
        XCTAssertEqual(engine.runnableImage("ghcr.io/acme/llm:1.0", .server), "ghcr.io/acme/llm:1.0")
        XCTAssertEqual(engine.runnableImage("ghcr.io/acme/llm:1.0", .worker), "ghcr.io/acme/llm:1.0")
        XCTAssertEqual(engine.defaultImage(.server), VLLMEngine.serverImage)
        XCTAssertEqual(engine.defaultImage(.worker), VLLMEngine.workerImage)
    }

    func testServerArgumentsStateDefaultsOnlyWhenAsked() {
        let launch = EngineLaunch(model: "m/x", revision: "r1", port: 8000, settings: settings)
        let args = engine.serverArguments(launch)
        XCTAssertEqual(args.prefix(6), ["--model", "m/x", "--host", "0.0.0.0", "--port", "8000"])
        XCTAssertTrue(args.joined(separator: " ").contains("--gpu-memory-utilization 0.90 --tensor-parallel-size 2"))
        XCTAssertTrue(args.joined(separator: " ").hasSuffix("--quantization fp8 --kv-cache-dtype fp8 --revision r1"))
        XCTAssertFalse(args.contains("--enable-prefix-caching"), "on by default in vLLM 0.27.1")
        var stated = launch
        stated.statesDefaults = true
        XCTAssertTrue(engine.serverArguments(stated).contains("--enable-prefix-caching"))
    }

    /// worker-vllm turns HF_TOKEN into a logged --hf-token: the token travels as HUGGING_FACE_HUB_TOKEN.
    func testWorkerEnvironmentMovesTheTokenAndKeepsTheSpecsEnv() {
        let launch = EngineLaunch(model: "m/x", revision: nil, port: 8000, settings: settings)
        let env = engine.workerEnvironment(launch, base: ["HF_TOKEN": "{{ RUNPOD_SECRET_hf }}", "A": "1", "MAX_MODEL_LEN": "1"])
        XCTAssertNil(env["HF_TOKEN"])
        XCTAssertEqual(env["HUGGING_FACE_HUB_TOKEN"], "{{ RUNPOD_SECRET_hf }}")
        XCTAssertEqual(env["A"], "1")
        XCTAssertEqual(env["MAX_MODEL_LEN"], "4096", "the plan's settings win over the spec's env")
        XCTAssertEqual(env["GPU_MEMORY_UTILIZATION"], "0.90")
        XCTAssertEqual(env["MAX_CONCURRENCY"], "50")
        XCTAssertNil(env["ENABLE_PREFIX_CACHING"])
        XCTAssertNil(env["MODEL_REVISION"])
    }

    func testDockerfileRecipeBaseAndSecrets() {
        let launch = EngineLaunch(model: "m/x", revision: nil, port: 8000, settings: settings, statesDefaults: true)
        let pod = engine.dockerfile(
            ImageBuild(
                style: .server, image: "runpod/worker-v1-vllm:v2.25.2", launch: launch,
                bakeWeights: true, cudaCompatFix: false))
        XCTAssertEqual(pod.base, VLLMEngine.serverImage)
        XCTAssertEqual(pod.buildSecrets, ["HF_TOKEN"])
        XCTAssertEqual(pod.lines.last, .exec("CMD", engine.serverArguments(launch)))
        let worker = engine.dockerfile(
            ImageBuild(
                style: .worker, image: "ghcr.io/acme/llm:1.0", launch: launch,
                bakeWeights: false, cudaCompatFix: true))
        XCTAssertEqual(worker.base, "ghcr.io/acme/llm:1.0")
        XCTAssertEqual(worker.buildSecrets, [])
        XCTAssertNotNil(worker.files["start.sh"])
    }
}
