import Foundation
import PodformCompiler
import PodformCore
import PodformRender
import XCTest

/// Issue 16: the serverless bake step, judged by worker-vllm v2.25.2's own files (vendored in
/// `Tests/Oracles/worker_vllm/`), and what a baked image does under each plan's weights location.
///
/// `BASE_PATH` is a build argument of the worker image (its Dockerfile derives `HF_HOME` from it
/// when the worker image is built); the released image keeps its cache under `/runpod-volume`, where
/// RunPod mounts a network volume. `Tests/Oracles/worker_bake_check.py` runs the generated step and
/// the worker's start-up code to see which path the worker hands `vllm serve`.
final class WorkerBakeTests: XCTestCase {
    struct Check: Decodable {
        struct Snapshot: Decodable { var repo_id: String; var cache_dir: String?; var ignore_patterns: [String]? }
        var released_cache: [String: String]
        var worker_cache_for_models: [String: String]
        var image_cache: [String: String]
        var image_base_path_env: String?
        var snapshots: [Snapshot]
        var args_file_written: String?
        var args_file_worker_reads: String
        var args_file_download_model_writes: String
        var local_model_args: [String: String]
        var start_env: [String: String?]
        var vllm_model: String?
        var vllm_tokenizer: String?
        var vllm_args: [String]
    }

    func deployment(_ example: String) throws -> Deployment {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent(example), encoding: .utf8)
        return try XCTUnwrap(Fixtures.deployment(text, path: "examples/\(example)"))
    }

    /// Runs a tool; returns its status and output.
    func run(_ tool: URL, _ args: [String]) throws -> (status: Int32, out: Data, err: String) {
        let process = Process()
        process.executableURL = tool
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, data, errors)
    }

    /// Every inference example's serverless image with baked weights: the worker, started as its
    /// image starts it, hands `vllm serve` the baked snapshot under `/models`, never a path under
    /// `/runpod-volume`; the cache variables are the ones worker-vllm's own Dockerfile derives
    /// from `BASE_PATH=/models`; the args file is the one its `main.py` reads.
    func testTheWorkerServesTheBakedSnapshotFromWhereNoVolumeIsMounted() throws {
        guard let python = DockerfileInjectionTests.tool("python3") else { throw XCTSkip("python3 not installed") }
        let script = VLLMOracleTests.oracles.appendingPathComponent("worker_bake_check.py").path
        var paths: [URL] = []
        for url in try Fixtures.exampleFiles() {
            let d = try deployment(url.lastPathComponent)
            guard let vllm = d.vllm else { continue }
            let dockerfile = try XCTUnwrap(
                try DockerfileRenderer.render(
                    d, options: .init(target: .serverless, bakeWeights: true, cudaCompatFix: false)
                ).files["Dockerfile"])
            let path = try DockerfileInjectionTests.write(dockerfile)
            paths.append(path)
            let r = try run(python, [script, path.path])
            guard r.status == 0 else {
                if r.err.contains("No module named 'dockerfile_parse'") && ProcessInfo.processInfo.environment["CI"] != "true" {
                    throw XCTSkip("dockerfile-parse not installed")
                }
                XCTFail("\(url.lastPathComponent): \(r.err)")
                continue
            }
            let c = try JSONDecoder().decode(Check.self, from: r.out)
            let name = url.lastPathComponent
            // Why an ENV BASE_PATH did nothing: the released image's cache is the volume's mount point.
            XCTAssertEqual(c.released_cache["HF_HOME"], "/runpod-volume/huggingface-cache/hub", name)
            XCTAssertNil(c.image_base_path_env, "\(name): BASE_PATH as ENV moves nothing")
            XCTAssertEqual(c.image_cache, c.worker_cache_for_models, "\(name): not what the worker's Dockerfile derives from BASE_PATH=/models")
            let home = try XCTUnwrap(c.image_cache["HF_HOME"])
            XCTAssertFalse(home.hasPrefix("/runpod-volume"), name)
            XCTAssertEqual(c.snapshots.map(\.repo_id), [d.model.id], name)
            XCTAssertEqual(c.snapshots.first?.cache_dir, home, "\(name): downloads elsewhere than $HF_HOME (download_model.py line 21)")
            XCTAssertEqual(c.snapshots.first?.ignore_patterns, ["original/*"], name)
            XCTAssertEqual(c.args_file_written, c.args_file_worker_reads, "\(name): the worker's main.py reads another file")
            XCTAssertEqual(c.args_file_worker_reads, c.args_file_download_model_writes, name)
            let model = try XCTUnwrap(c.vllm_model, name)
            XCTAssertEqual(model, c.local_model_args["MODEL_NAME"], name)
            XCTAssertTrue(model.hasPrefix(home + "/models--"), "\(name): vllm serve --model \(model)")
            XCTAssertEqual(c.vllm_tokenizer, model, name)
            XCTAssertEqual(c.start_env["HF_HUB_OFFLINE"], "1", name)
            XCTAssertEqual(c.local_model_args["QUANTIZATION"], vllm.quantization, name)
            let args = c.vllm_args
            XCTAssertTrue(zip(args, args.dropFirst()).contains { $0 == ("--max-model-len", String(vllm.maxModelLen)) }, "\(name): \(args)")
        }
        XCTAssertGreaterThanOrEqual(paths.count, 7)
        if let hadolint = DockerfileInjectionTests.tool("hadolint") {
            let lint = try run(hadolint, ["--failure-threshold", "warning", "--no-color"] + paths.map(\.path))
            XCTAssertEqual(lint.status, 0, String(decoding: lint.out, as: UTF8.self) + lint.err)
        }
    }

    // MARK: - Baked weights against the plan's weights location

    func compiled(_ text: String) throws -> (Deployment, Spec) {
        let d = try XCTUnwrap(Fixtures.deployment(text))
        return (d, try XCTUnwrap(Spec.parse(path: "spec.yaml", text: text).0))
    }

    static let base = "version: 1\nname: bake\nmodel: {id: meta-llama/Llama-3.1-8B-Instruct}\ncontext: 4k\nconcurrency: 4\n"

    /// Serverless, weights on a network volume: the worker serves the baked copy (the volume at
    /// /runpod-volume cannot shadow /models), so the volume is unused: a warning at deploy.weights.
    func testAServerlessVolumeBesideBakedWeightsIsAWarningAtDeployWeights() throws {
        let text = Self.base + "constraints: {data_centers: [EU-RO-1]}\ndeploy:\n  mode: serverless\n  weights: network-volume\n"
        let (d, spec) = try compiled(text)
        XCTAssertEqual(d.container.weights, "network-volume")
        let found = d.bakedWeightsDiagnostics(target: .serverless, spec: spec)
        XCTAssertEqual(found.map(\.code), ["baked-weights-not-planned"])
        XCTAssertEqual(found.first?.severity, .warning)
        XCTAssertEqual(found.first.map { [$0.location.line, $0.location.column] }, [9, 12])
        XCTAssertTrue(found.first?.message.contains("/runpod-volume") ?? false)
        XCTAssertTrue(found.first?.hint?.contains("deploy.weights: image") ?? false)
        // The same spec's auto choice (secure cloud, pinned data center) points at what made it.
        let auto = try compiled(Self.base + "constraints: {data_centers: [EU-RO-1]}\ndeploy: {mode: serverless}\n")
        XCTAssertEqual(auto.0.bakedWeightsDiagnostics(target: .serverless, spec: auto.1).map(\.location.keyPath), ["constraints.data_centers"])
        // An image of the other mode is not what this plan runs.
        XCTAssertEqual(d.bakedWeightsDiagnostics(target: .pod, spec: spec), [])
    }

    /// Pods: the plan's HF_HOME replaces the image's; on a volume, vLLM never sees the baked copy
    /// and the image's offline mode forbids the download: refused.
    func testAPodVolumeBesideBakedWeightsIsRefused() throws {
        let (d, spec) = try compiled(Self.base + "deploy: {mode: pod}\n")
        XCTAssertEqual(d.container.weights, "pod-volume")
        let found = d.bakedWeightsDiagnostics(target: .pod, spec: spec)
        XCTAssertEqual(found.map(\.code), ["baked-weights-unreachable"])
        XCTAssertEqual(found.first?.severity, .error)
        XCTAssertTrue(found.first?.message.contains("HF_HOME=/root/.cache/huggingface") ?? false, found.first?.message ?? "")
    }

    /// Weights in the image: nothing to say, and a pod's plan points HF_HOME at the baked copy, offline
    /// (the pod's env replaces the image's, so the plan must agree with it).
    func testWeightsInTheImageAgreeWithTheBakedImage() throws {
        let (pod, podSpec) = try compiled(Self.base + "deploy: {mode: pod, weights: image}\n")
        XCTAssertEqual(pod.bakedWeightsDiagnostics(target: .pod, spec: podSpec), [])
        XCTAssertEqual(pod.container.env["HF_HOME"], "/models/huggingface")
        XCTAssertEqual(pod.container.env["HF_HUB_OFFLINE"], "1")
        XCTAssertNil(pod.container.volumeGB)
        let dockerfile = try XCTUnwrap(
            try DockerfileRenderer.render(pod, options: .init(target: .pod, bakeWeights: true, cudaCompatFix: false)).files["Dockerfile"])
        XCTAssertTrue(dockerfile.contains("HF_HOME=/models/huggingface"), dockerfile)
        let (worker, workerSpec) = try compiled(Self.base + "deploy: {mode: serverless, weights: image}\n")
        XCTAssertEqual(worker.bakedWeightsDiagnostics(target: .serverless, spec: workerSpec), [])
    }
}
