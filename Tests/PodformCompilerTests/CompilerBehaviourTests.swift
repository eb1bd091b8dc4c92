import RunPodAPI
import Foundation
import PodformCompiler
import XCTest

final class CompilerBehaviourTests: XCTestCase {
    let base = """
        version: 1
        name: probe
        model: {id: meta-llama/Llama-3.1-70B-Instruct}
        context: 8k
        concurrency: 64

        """

    func testInfeasibleSpecSaysWhatFailsAndWhatWouldWork() throws {
        let text = base + "constraints: {gpus: [L40S], max_gpus_per_worker: 1, max_workers: 1}\n"
        guard case .failure(let f)? = Fixtures.compile(text) else { return XCTFail("expected an infeasible spec") }
        XCTAssertTrue(f.message.contains("needs"), f.message)
        XCTAssertTrue(f.message.contains("GB per replica"), f.message)
        XCTAssertFalse(f.suggestions.isEmpty)
        XCTAssertTrue(f.suggestions.contains { $0.hasPrefix("awq on") }, "\(f.suggestions)")
    }

    func testBudgetTooSmallIsAnError() throws {
        // With traffic: an endpoint no request reaches bills only its storage (no worker ever starts).
        let text = base + "traffic: {requests_per_day: 20000}\nconstraints: {monthly_budget: 10 USD}\n"
        guard case .failure(let f)? = Fixtures.compile(text) else { return XCTFail("expected over budget") }
        XCTAssertTrue(f.message.contains("budget"), f.message)
    }

    func testColdStartNoneMeansAPod() throws {
        let d = try XCTUnwrap(Fixtures.deployment(base.replacingOccurrences(of: "concurrency: 64", with: "concurrency: 4") + "sla: {cold_start: none}\n"))
        XCTAssertEqual(d.mode, .pod)
        XCTAssertTrue(d.trace.contains { $0.rule == "D-MODE" && $0.outcome.contains("pod") })
    }

    func testTraceCitesSourcesAndPlanHasAlternatives() throws {
        let d = try XCTUnwrap(Fixtures.deployment(base))
        XCTAssertTrue(d.trace.allSatisfy { !$0.source.isEmpty })
        XCTAssertEqual(Set(d.trace.map(\.rule)).isSuperset(of: ["D-WORKLOAD", "D-LOAD", "D-MODE", "D-GPU", "D-PRICING", "D-VLLM"]), true)
        XCTAssertLessThanOrEqual(d.alternatives.count, 3)
        XCTAssertFalse(d.alternatives.isEmpty)
    }

    func testResourceBodiesFollowTheOpenAPIShapes() throws {
        let d = try XCTUnwrap(Fixtures.deployment(base + "deploy: {mode: serverless}\nconstraints: {data_centers: [EU-RO-1]}\n"))
        let endpoint = try XCTUnwrap(d.resources.first { $0.kind == "endpoint" })
        XCTAssertEqual(endpoint.path, "/v2/serverless")
        for key in ["name", "type", "scaling"] { XCTAssertNotNil(endpoint.body[key], key) }  // required by CreateEndpointRequest
        XCTAssertNotNil(endpoint.body["gpu"]?["pools"])
        let volume = try XCTUnwrap(d.resources.first { $0.kind == "network_volume" })
        for key in ["name", "size", "dataCenter"] { XCTAssertNotNil(volume.body[key], key) }
        let template = try XCTUnwrap(d.resources.first { $0.kind == "template" })
        XCTAssertEqual(template.body["env"]?["TENSOR_PARALLEL_SIZE"]?.stringValue, String(d.gpu.count))
        XCTAssertEqual(template.body["env"]?["MAX_MODEL_LEN"]?.stringValue, "8192")
    }

    func testTrainingUsesThePodAndShardsFullTraining() throws {
        let text = """
            version: 1
            name: full-train
            workload: training
            model: {id: meta-llama/Llama-3.1-8B-Instruct}
            training: {method: full, batch_size: 4, sequence_length: 2048, gradient_checkpointing: true, hours: 10}

            """
        let d = try XCTUnwrap(Fixtures.deployment(text))
        XCTAssertEqual(d.mode, .pod)
        // 16 bytes/param x 8.03B = 128 GB of states: more than one 80 GB card.
        XCTAssertGreaterThan(d.gpu.count * Int(d.gpu.memoryGB), 128)
        // Nothing stops the pod when the run ends: priced for the month (730 h), with the 10-hour run's cost said.
        XCTAssertEqual(d.cost.monthlyUSD, (d.cost.hourlyUSD * 730 * 100).rounded() / 100, accuracy: 0.05 * 73)
        let warning = try XCTUnwrap(d.warnings.first { $0.code == "pod-runs-until-destroyed" })
        XCTAssertTrue(warning.message.contains(String(format: "the planned 10 hours cost $%.2f", d.cost.hourlyUSD * 10)), warning.message)
    }

    func testPodsThatMountANetworkVolumeAreSecureCloud() throws {
        let text = base.replacingOccurrences(of: "concurrency: 64", with: "concurrency: 4")
            + "constraints: {cloud: any, data_centers: [EU-RO-1]}\ndeploy: {mode: pod, weights: network-volume}\n"
        let d = try XCTUnwrap(Fixtures.deployment(text))
        XCTAssertEqual(d.gpu.cloud, "SECURE")
        let pod = try XCTUnwrap(d.resources.first { $0.kind == "pod" })
        XCTAssertEqual(pod.body["cloud"]?.stringValue, "SECURE")
        XCTAssertNotNil(pod.body["mounts"]?["network"])
        // With only a pinned data center on `cloud: any`, weights are downloaded instead (no Secure-only volume).
        let auto = try XCTUnwrap(Fixtures.deployment(base.replacingOccurrences(of: "concurrency: 64", with: "concurrency: 4")
            + "constraints: {cloud: any, data_centers: [EU-RO-1]}\n"))
        XCTAssertNotEqual(auto.container.weights, "network-volume")
    }

    /// The user's image is the image: only one that cannot run in the mode is replaced, with a warning.
    func testServerlessImagesAreDeployedAsWrittenUnlessTheyCannotRun() throws {
        XCTAssertEqual(ImageKind("vllm/vllm-openai:v0.27.1"), .vllmOpenAI)
        XCTAssertEqual(ImageKind("docker.io/vllm/vllm-openai@sha256:abc"), .vllmOpenAI)
        XCTAssertEqual(ImageKind("runpod/worker-v1-vllm:v2.25.2"), .worker)
        XCTAssertEqual(ImageKind("ghcr.io/acme/llm-server:1.0"), .custom)
        XCTAssertEqual(ImageKind("ghcr.io/acme/worker-tools:1.0"), .custom, "a word in the name is not a kind")
        let small = "version: 1\nname: probe\nmodel: {id: meta-llama/Llama-3.1-8B-Instruct}\ncontext: 4k\nconcurrency: 4\n"
        let custom = try XCTUnwrap(Fixtures.deployment(small + "deploy: {mode: serverless, image: \"ghcr.io/acme/llm-server:1.0\"}\n"))
        XCTAssertEqual(custom.container.image, "ghcr.io/acme/llm-server:1.0")
        XCTAssertFalse(custom.warnings.contains { $0.code == "image-replaced" })
        let openai = try XCTUnwrap(Fixtures.deployment(small + "deploy: {mode: serverless, image: \"vllm/vllm-openai:v0.27.1\"}\n"))
        XCTAssertEqual(openai.container.image, "runpod/worker-v1-vllm:v2.25.2")
        XCTAssertTrue(openai.warnings.contains { $0.code == "image-replaced" }, "\(openai.warnings)")
        let pod = try XCTUnwrap(Fixtures.deployment(small + "deploy: {mode: pod, image: \"runpod/worker-v1-vllm:v2.25.2\"}\n"))
        XCTAssertEqual(pod.container.image, "vllm/vllm-openai:v0.27.1")
        XCTAssertTrue(pod.warnings.contains { $0.code == "image-replaced" })
    }
}
