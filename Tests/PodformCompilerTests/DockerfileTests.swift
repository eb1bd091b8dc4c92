import Foundation
import PodformCompiler
import PodformRender
import XCTest

final class DockerfileTests: XCTestCase {
    func deployment(_ example: String) throws -> Deployment {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent(example), encoding: .utf8)
        return try XCTUnwrap(Fixtures.deployment(text, path: "examples/\(example)"))
    }

    /// Golden Dockerfiles for every inference example, in its plan's mode, with and without baked weights.
    func testGoldenDockerfilesForEveryExample() throws {
        for url in try Fixtures.exampleFiles() {
            let d = try deployment(url.lastPathComponent)
            let name = url.deletingPathExtension().lastPathComponent
            let target: DockerfileRenderer.Target = d.mode == .pod ? .pod : .serverless
            guard d.vllm != nil else {
                XCTAssertThrowsError(try DockerfileRenderer.render(d, options: .init(target: target, bakeWeights: false, cudaCompatFix: false)))
                continue
            }
            for bake in [false, true] {
                let files = try DockerfileRenderer.render(d, options: .init(target: target, bakeWeights: bake, cudaCompatFix: false)).files
                assertGolden(files["Dockerfile"]!, "\(name)/Dockerfile\(bake ? ".bake" : "")")
            }
        }
    }

    func testPodImageMatchesThePlan() throws {
        let d = try deployment("steady-api.yaml")
        let (files, build) = try DockerfileRenderer.render(d, options: .init(target: .pod, bakeWeights: false, cudaCompatFix: false))
        let dockerfile = try XCTUnwrap(files["Dockerfile"])
        XCTAssertTrue(dockerfile.contains("FROM vllm/vllm-openai:v0.27.1\n"))
        XCTAssertTrue(dockerfile.contains("EXPOSE 8000\n"))
        XCTAssertTrue(dockerfile.contains("http://127.0.0.1:8000/health"))
        XCTAssertTrue(dockerfile.contains("\"--max-model-len\", \"\(d.vllm!.maxModelLen)\""))
        XCTAssertTrue(dockerfile.contains("\"--tensor-parallel-size\", \"\(d.vllm!.tensorParallelSize)\""))
        XCTAssertFalse(dockerfile.contains("RUN --mount"))
        XCTAssertFalse(build.contains("--secret"))
        XCTAssertNotNil(files[".dockerignore"])
    }

    func testServerlessUsesWorkerEnvAndBakesWithASecretMount() throws {
        let d = try deployment("support-chat.yaml")
        let (files, build) = try DockerfileRenderer.render(d, options: .init(target: .serverless, bakeWeights: true, cudaCompatFix: false))
        let dockerfile = try XCTUnwrap(files["Dockerfile"])
        XCTAssertTrue(dockerfile.contains("FROM runpod/worker-v1-vllm:v2.25.2\n"))
        XCTAssertTrue(dockerfile.contains("MAX_MODEL_LEN=4096"))
        XCTAssertTrue(dockerfile.contains("MODEL_NAME=meta-llama/Llama-3.1-8B-Instruct"))
        // BASE_PATH is a build argument of the worker image: an ENV in an image FROM it moves nothing
        // (issue 16). The image sets the cache variables the worker's Dockerfile derives from it instead.
        XCTAssertFalse(dockerfile.split(separator: "\n").contains { !$0.hasPrefix("#") && $0.contains("BASE_PATH") }, dockerfile)
        XCTAssertTrue(dockerfile.contains("HF_HOME=/models/huggingface-cache/hub"))
        XCTAssertFalse(dockerfile.contains("/src/download_model.py\n"), "the worker's downloader fetches the whole repository")
        XCTAssertTrue(dockerfile.contains("RUN --mount=type=secret,id=HF_TOKEN,required=false [\"python3\", \"-c\""))
        XCTAssertTrue(dockerfile.contains("/local_model_args.json"))
        XCTAssertFalse(dockerfile.contains("ARG HF_TOKEN"))
        XCTAssertFalse(dockerfile.contains("ENV HF_TOKEN"))
        XCTAssertFalse(dockerfile.contains("RUNPOD_SECRET"))
        XCTAssertTrue(build.contains("--secret id=HF_TOKEN,env=HF_TOKEN"))
    }

    func testCudaCompatFixUsesTheSeedPattern() throws {
        let d = try deployment("steady-api.yaml")
        let pod = try DockerfileRenderer.render(d, options: .init(target: .pod, bakeWeights: false, cudaCompatFix: true)).files["Dockerfile"]!
        // Constant shell text; the plan's flags reach vLLM as "$@" from an exec-form CMD.
        XCTAssertTrue(
            pod.contains(
                #"ENTRYPOINT ["bash", "-c", "export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-} && exec python3 -m vllm.entrypoints.openai.api_server \"$@\"", "bash"]"#
            ), pod)
        XCTAssertTrue(pod.contains(#"CMD ["--model", ""#), pod)
        let serverless = try DockerfileRenderer.render(d, options: .init(target: .serverless, bakeWeights: false, cudaCompatFix: true)).files
        XCTAssertTrue(serverless["start.sh"]!.contains("LD_LIBRARY_PATH=\"/lib/x86_64-linux-gnu"))
        XCTAssertTrue(serverless["Dockerfile"]!.contains("ENTRYPOINT [\"/podform/start.sh\"]"))
    }

    /// The plan and the Dockerfile start vLLM with the same flags and worker env: both come from the engine.
    func testDockerfileAndPlanStartTheEngineAlike() throws {
        for example in try Fixtures.exampleFiles().map(\.lastPathComponent) {
            let d = try deployment(example)
            guard d.vllm != nil else { continue }
            let pod = d.mode == .pod
            let dockerfile = try XCTUnwrap(
                try DockerfileRenderer.render(
                    d, options: .init(target: pod ? .pod : .serverless, bakeWeights: false, cudaCompatFix: false)
                ).files["Dockerfile"])
            // The Dockerfile also states prefix caching, which the plan leaves at vLLM's default (on).
            let stated = ["--enable-prefix-caching", "ENABLE_PREFIX_CACHING"]
            if pod {
                let cmd = try XCTUnwrap(dockerfile.split(separator: "\n").first { $0.hasPrefix("CMD ") })
                let argv = try JSONDecoder().decode([String].self, from: Data(cmd.dropFirst(4).utf8))
                XCTAssertEqual(argv.filter { !stated.contains($0) }.joined(separator: " "), d.container.args, example)
            } else {
                for (name, value) in d.container.env where !name.hasPrefix("PODFORM_") {
                    let isEngine = ["MODEL_", "MAX_", "GPU_", "TENSOR_", "DTYPE", "QUANTIZATION", "KV_"].contains { name.hasPrefix($0) }
                    if isEngine { XCTAssertTrue(dockerfile.contains("\(name)=\(value)"), "\(example): \(name)=\(value)") }
                }
            }
        }
    }
}
