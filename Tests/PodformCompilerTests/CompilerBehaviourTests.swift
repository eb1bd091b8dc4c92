import Foundation
import PodformApply
import PodformCompiler
import PodformCore
import PodformRender
import RunPodAPI
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
        let d = try XCTUnwrap(
            Fixtures.deployment(base.replacingOccurrences(of: "concurrency: 64", with: "concurrency: 4") + "sla: {cold_start: none}\n"))
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
        let endpoint = try XCTUnwrap(RunPodResources.requests(for: d).first { $0.kind == .endpoint })
        XCTAssertEqual(endpoint.path, "/v2/serverless")
        for key in ["name", "type", "scaling"] { XCTAssertNotNil(endpoint.body[key], key) }  // required by CreateEndpointRequest
        XCTAssertNotNil(endpoint.body["gpu"]?["pools"])
        let volume = try XCTUnwrap(RunPodResources.requests(for: d).first { $0.kind == .networkVolume })
        for key in ["name", "size", "dataCenter"] { XCTAssertNotNil(volume.body[key], key) }
        let template = try XCTUnwrap(RunPodResources.requests(for: d).first { $0.kind == .template })
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
        let text =
            base.replacingOccurrences(of: "concurrency: 64", with: "concurrency: 4")
            + "constraints: {cloud: any, data_centers: [EU-RO-1]}\ndeploy: {mode: pod, weights: network-volume}\n"
        let d = try XCTUnwrap(Fixtures.deployment(text))
        XCTAssertEqual(d.gpu.cloud, "SECURE")
        let pod = try XCTUnwrap(RunPodResources.requests(for: d).first { $0.kind == .pod })
        XCTAssertEqual(pod.body["cloud"]?.stringValue, "SECURE")
        XCTAssertNotNil(pod.body["mounts"]?["network"])
        // With only a pinned data center on `cloud: any`, weights are downloaded instead (no Secure-only volume).
        let auto = try XCTUnwrap(
            Fixtures.deployment(
                base.replacingOccurrences(of: "concurrency: 64", with: "concurrency: 4")
                    + "constraints: {cloud: any, data_centers: [EU-RO-1]}\n"))
        XCTAssertNotEqual(auto.container.weights, "network-volume")
    }

    /// The user's image is the image: deployed as written, never swapped. One that cannot run in
    /// the mode the spec asks for is refused at `deploy.image`; with `mode: auto` it narrows the modes.
    func testImagesAreDeployedAsWrittenOrRefused() throws {
        let small = "version: 1\nname: probe\nmodel: {id: meta-llama/Llama-3.1-8B-Instruct}\ncontext: 4k\nconcurrency: 4\n"
        let custom = try XCTUnwrap(Fixtures.deployment(small + "deploy: {mode: serverless, image: \"ghcr.io/acme/llm-server:1.0\"}\n"))
        XCTAssertEqual(custom.container.image, "ghcr.io/acme/llm-server:1.0")
        XCTAssertTrue(custom.trace.contains { $0.rule == "D-CONTAINER" && $0.outcome.contains("as written") })
        for (deploy, why) in [
            ("{mode: serverless, image: \"vllm/vllm-openai:v0.27.1\"}", "takes no jobs from a queue endpoint"),
            ("{mode: pod, image: \"runpod/worker-v1-vllm:v2.25.2\"}", "serves no HTTP on a pod")
        ] {
            let failure = try XCTUnwrap(Fixtures.compileFailure(small + "deploy: \(deploy)\n"), deploy)
            XCTAssertEqual(failure.code, "image-mode-conflict")
            XCTAssertEqual(failure.keyPath, "deploy.image")
            XCTAssertTrue(failure.message.contains(why), failure.message)
            XCTAssertTrue(failure.suggestions.contains { $0.contains("omit deploy.image") }, "\(failure.suggestions)")
        }
        // `mode: auto`: the image decides (a worker image is serverless, vLLM's server a pod), and says so.
        let worker = try XCTUnwrap(Fixtures.deployment(small + "deploy: {image: \"runpod/worker-v1-vllm:v2.25.2\"}\n"))
        XCTAssertEqual(worker.mode, .serverless)
        XCTAssertEqual(worker.container.image, "runpod/worker-v1-vllm:v2.25.2")
        let server = try XCTUnwrap(Fixtures.deployment(small + "deploy: {image: \"vllm/vllm-openai:v0.27.1\"}\n"))
        XCTAssertEqual(server.mode, .pod)
        XCTAssertTrue(server.trace.contains { $0.rule == "D-CONTAINER" && $0.outcome.hasPrefix("pods only") }, "\(server.trace.map(\.outcome))")
    }

    /// Pods expose their port on RunPod's public proxy: vLLM gets an API key from a RunPod secret, as
    /// env (a reference, never a literal, never an argument); `deploy.public` opts out, loudly.
    func testPodsRequireAnAPIKeyFromARunPodSecret() throws {
        let pod = "version: 1\nname: probe\nmodel: {id: meta-llama/Llama-3.1-8B-Instruct}\ncontext: 4k\nconcurrency: 4\n"
        let keyed = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {mode: pod}\n"))
        XCTAssertEqual(keyed.container.env["VLLM_API_KEY"], "{{ RUNPOD_SECRET_podform_api_key }}")
        XCTAssertFalse(keyed.container.args?.contains("api-key") ?? true, keyed.container.args ?? "")
        XCTAssertTrue(keyed.trace.contains { $0.rule == "D-ACCESS" && $0.outcome.contains("podform_api_key") })
        let named = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {mode: pod, api_key_secret: chat_key}\n"))
        XCTAssertEqual(named.container.env["VLLM_API_KEY"], "{{ RUNPOD_SECRET_chat_key }}")
        let open = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {mode: pod, public: true}\n"))
        XCTAssertNil(open.container.env["VLLM_API_KEY"])
        XCTAssertTrue(open.warnings.contains { $0.code == "public-endpoint" })
        // A key the spec sets itself is kept; serverless endpoints are behind RunPod's own key.
        let own = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {mode: pod, secrets: {VLLM_API_KEY: mine}}\n"))
        XCTAssertEqual(own.container.env["VLLM_API_KEY"], "{{ RUNPOD_SECRET_mine }}")
        let serverless = try XCTUnwrap(Fixtures.deployment(pod + "deploy: {mode: serverless}\n"))
        XCTAssertNil(serverless.container.env["VLLM_API_KEY"])
        // The Dockerfile never carries the key.
        let files = try DockerfileRenderer.render(keyed, options: .init(target: .pod, bakeWeights: false, cudaCompatFix: false)).files
        XCTAssertFalse(files.values.contains { $0.contains("API_KEY") }, "\(files)")
    }

    /// `sla.redundancy: n+1` adds one replica sized as without it; more than one pod is said to be
    /// that many URLs.
    func testRedundancyAddsASpareReplicaAndPodsSayTheyAreNotLoadBalanced() throws {
        let api =
            "version: 1\nname: probe\nmodel: {id: meta-llama/Llama-3.1-8B-Instruct}\ncontext: 4k\nconcurrency: 16\n"
            + "traffic: {pattern: steady, requests_per_day: 200000}\n"
        let single = try XCTUnwrap(Fixtures.deployment(api + "deploy: {mode: pod}\n"))
        // On the same GPU (a spare makes many small replicas relatively cheaper, so it may choose another).
        let sameGPU = "constraints: {gpus: [\"\(single.gpu.id)\"]}\n"
        let spare = try XCTUnwrap(Fixtures.deployment(api + sameGPU + "sla: {redundancy: n+1}\ndeploy: {mode: pod}\n"))
        XCTAssertEqual(spare.gpu.id, single.gpu.id)
        XCTAssertEqual(spare.placement.pods, single.placement.pods + 1)
        XCTAssertEqual(spare.vllm?.maxNumSeqs, single.vllm?.maxNumSeqs, "each replica is sized for the peak without the spare")
        XCTAssertEqual(spare.cost.monthlyUSD, single.cost.monthlyUSD * Double(spare.placement.pods) / Double(single.placement.pods), accuracy: 1)
        XCTAssertTrue(spare.warnings.contains { $0.code == "pods-not-load-balanced" && $0.message.contains("separate URLs") }, "\(spare.warnings)")
        XCTAssertEqual(single.placement.pods == 1, !single.warnings.contains { $0.code == "pods-not-load-balanced" })
        let active = try XCTUnwrap(Fixtures.deployment(api + "sla: {redundancy: n+1, cold_start: none}\ndeploy: {mode: serverless}\n"))
        XCTAssertGreaterThanOrEqual(active.workers?.min ?? 0, 2)
        let tooFew = Spec.validate(
            path: "p.yaml", text: api + "sla: {redundancy: n+1}\nconstraints: {max_workers: 1}\n",
            environment: Fixtures.validation
        ).1
        XCTAssertTrue(tooFew.contains { $0.code == "redundancy-conflict" && $0.location.keyPath == "sla.redundancy" }, "\(tooFew)")
    }
}
