import Foundation
import PodformApply
import PodformCompiler
import PodformRender
import PodformTestSupport
import RunPodAPI
import XCTest

/// D-CLUSTER: what no single machine holds becomes a RunPod Instant Cluster, whose request is valid
/// against the OpenAPI document, and whose image tells its nodes apart.
final class ClusterTests: XCTestCase {
    static let fullFineTune = """
        version: 1
        name: full-70b
        workload: training
        model: {id: meta-llama/Llama-3.1-70B-Instruct}
        training: {method: full, hours: 10, batch_size: 4, sequence_length: 2048}
        constraints: {gpus: [NVIDIA H100 80GB HBM3]}
        """

    func validate(_ d: Deployment) throws -> CreateClusterRequest {
        let requests = RunPodResources.requests(for: d)
        XCTAssertFalse(requests.contains { $0.kind == .template || $0.kind == .pod }, "a cluster takes its container inline")
        guard case .cluster(let request)? = requests.first(where: { $0.kind == .cluster }) else {
            XCTFail("no cluster request: \(requests.map(\.kind))")
            throw XCTSkip("no cluster")
        }
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(requests.first { $0.kind == .cluster }!.body))
        XCTAssertEqual(try OpenAPIValidator.bundled().validate(object, schema: "CreateClusterRequest"), [])
        XCTAssertEqual(request.env["PODFORM_MANAGED_BY"], "podform")
        XCTAssertEqual(request.env["PODFORM_SPEC"], d.name)
        return request
    }

    func testA405BBF16SpecLimitedToH100PlansTwoEightGPUNodes() throws {
        let d = try XCTUnwrap(Fixtures.deployment(SpecFixtures.llama405B(gpus: "NVIDIA H100 80GB HBM3")))
        let c = try XCTUnwrap(d.cluster)
        XCTAssertEqual([c.nodes, c.gpusPerNode, c.tensorParallel, c.pipelineParallel], [2, 8, 8, 2])
        XCTAssertEqual(c.type, "RAY")
        XCTAssertEqual(d.gpu.id, "NVIDIA H100 80GB HBM3")
        XCTAssertEqual(d.vllm?.pipelineParallelSize, 2)
        XCTAssertTrue(d.container.args?.contains("--pipeline-parallel-size 2 --distributed-executor-backend ray") ?? false)
        XCTAssertEqual(d.container.env["NCCL_SOCKET_IFNAME"], "ens1")
        XCTAssertTrue(d.trace.contains { $0.rule == "D-CLUSTER" })
        XCTAssertTrue(d.warnings.contains { $0.code == "cluster-needs-launcher" })
        // Priced for every node: 16 GPUs at the Secure Cloud rate, all day.
        let price = try XCTUnwrap(Fixtures.gpus.gpu(named: d.gpu.id)?.prices.podSecurePerHour?.usd)
        XCTAssertEqual(d.cost.computeMonthlyUSD, price * 16 * 24 * 30.4167, accuracy: 1)
        let request = try validate(d)
        XCTAssertEqual([request.compute.gpuCountPerPod, request.compute.podCount], [8, 2])
        XCTAssertEqual(request.type, "RAY")
        // The per-GPU memory that made one node too small holds on sixteen.
        XCTAssertLessThan(d.sizing.totalBytesPerGPU, d.sizing.gpu?.usableBytes ?? 0)
    }

    func testH100OrA100TakesTheCheaperClusterAndSingleNodeSpecsStaySingle() throws {
        let either = try XCTUnwrap(Fixtures.deployment(SpecFixtures.llama405B(gpus: "NVIDIA H100 80GB HBM3, NVIDIA A100-SXM4-80GB")))
        XCTAssertEqual(either.cluster?.nodes, 2)
        XCTAssertEqual(either.gpu.id, "NVIDIA A100-SXM4-80GB")
        for url in try Fixtures.exampleFiles() {
            guard let d = Fixtures.deployment(try String(contentsOf: url, encoding: .utf8)) else { continue }
            XCTAssertNil(d.cluster, url.lastPathComponent)
        }
        // Serverless cannot span machines: still refused.
        let serverless = SpecFixtures.llama405B(gpus: "NVIDIA H100 80GB HBM3").replacingOccurrences(of: "mode: pod", with: "mode: serverless")
        guard case .failure? = Fixtures.compile(serverless) else { return XCTFail("a serverless 405B plan") }
    }

    func testATwoNodeFullFineTuneShardsAcrossNodes() throws {
        let d = try XCTUnwrap(Fixtures.deployment(Self.fullFineTune))
        let c = try XCTUnwrap(d.cluster)
        XCTAssertEqual([c.nodes, c.gpusPerNode], [2, 8])
        XCTAssertEqual(c.type, "TRAINING")
        XCTAssertTrue(c.launch.contains("torchrun --nnodes=$NUM_NODES --node_rank=$NODE_RANK"), c.launch)
        // Seed 000: a 70B run's 2-byte gradients are ~140 GB a step, ~11 s over 100 GbE.
        XCTAssertEqual(c.crossNodeGBPerStep ?? 0, 141, accuracy: 2)
        XCTAssertEqual(c.crossNodeSecondsPerStep ?? 0, 11.3, accuracy: 0.5)
        XCTAssertTrue(d.warnings.contains { $0.code == "cross-node-traffic" })
        let training = try XCTUnwrap(d.training)
        XCTAssertGreaterThan(
            Double(training.totalBytes) / 8, Double(try XCTUnwrap(Fixtures.gpus.gpu(named: d.gpu.id)).cudaMemoryBytes) * 0.95,
            "one 8-GPU node would not hold it")
        let request = try validate(d)
        XCTAssertEqual(request.type, "TRAINING")
        XCTAssertEqual(request.mounts?.persistent?.path, "/workspace")
    }

    func testTheClusterImageTellsTheNodesApart() throws {
        let d = try XCTUnwrap(Fixtures.deployment(SpecFixtures.llama405B(gpus: "NVIDIA H100 80GB HBM3")))
        let (files, _) = try DockerfileRenderer.render(d, options: .init(target: .pod, bakeWeights: false, cudaCompatFix: false))
        let dockerfile = try XCTUnwrap(files["Dockerfile"])
        XCTAssertTrue(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/podform-cluster-launch\"]"), dockerfile)
        XCTAssertTrue(dockerfile.contains("COPY --chmod=0755 podform-cluster-launch /usr/local/bin/podform-cluster-launch"))
        XCTAssertFalse(dockerfile.contains("HEALTHCHECK"))
        XCTAssertTrue(dockerfile.contains("\"--pipeline-parallel-size\", \"2\""))
        let launcher = try XCTUnwrap(files["podform-cluster-launch"])
        for needle in ["PRIMARY_ADDR", "NODE_RANK", "ray start --head", "ray start --address=\"$HEAD\"", "NUM_NODES", "ens1"] {
            XCTAssertTrue(launcher.contains(needle), needle)
        }
        // A pod plan's image keeps its own entrypoint.
        let pod = try XCTUnwrap(
            Fixtures.deployment(try String(contentsOf: Fixtures.examples.appendingPathComponent("llama3-70b-bf16.yaml"), encoding: .utf8)))
        let podFiles = try DockerfileRenderer.render(pod, options: .init(target: .pod, bakeWeights: false, cudaCompatFix: false)).files
        XCTAssertNil(podFiles["podform-cluster-launch"])
    }
}
