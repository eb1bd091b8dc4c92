import Foundation
import PodformCompiler
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

/// The plan's Terraform-shaped `resource_changes`: addresses, actions as Terraform spells them,
/// before and after in one shape, and secrets marked by what podform knows.
final class ResourceChangeTests: XCTestCase {
    func withFake(_ body: (FakeRunPodServer, RunPodClient) async throws -> Void) async throws {
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        await fake.state.setPodPhaseSeconds(0.02)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 5, sleep: { _ in })
        do { try await body(fake, client) } catch { await fake.stop(); throw error }
        await fake.stop()
    }

    func review(_ d: Deployment, _ client: RunPodClient) async throws -> ReviewedPlan {
        ReviewedPlan(Plan(catalogAsOf: "x", deployments: [d]), live: try await LiveState.fetch(client), gpus: ApplyTests.gpus)
    }

    func testOfflineEveryResourceIsACreateWithItsEffectiveState() throws {
        let d = try ApplyTests.deployment(ApplyTests.example("support-chat.yaml"))
        let changes = ReviewedPlan(offline: Plan(catalogAsOf: "x", deployments: [d])).resourceChanges
        XCTAssertEqual(
            changes.map(\.address),
            [
                "podform_network_volume.support-chat.podform-support-chat-weights",
                "podform_template.support-chat.podform-support-chat",
                "podform_endpoint.support-chat.podform-support-chat"
            ])
        for c in changes {
            XCTAssertEqual(c.change.actions, ["create"])
            XCTAssertEqual(c.change.before, .null)
            XCTAssertEqual(c.change.beforeSensitive, false)
        }
        // The endpoint as RunPod makes it: the template's container spread in, its own env on top.
        let endpoint = changes[2].change.after
        XCTAssertEqual(endpoint["image"], "runpod/worker-v1-vllm:v2.25.2")
        XCTAssertEqual(endpoint["env"]?["MODEL_NAME"], "meta-llama/Llama-3.1-8B-Instruct")
        XCTAssertEqual(endpoint["env"]?["PODFORM_SPEC"], "support-chat")
        XCTAssertEqual(endpoint["workers"]?["max"], .int(d.workers?.max ?? -1))
        // Sensitive: the env name whose planned value is a RunPod secret reference, nothing guessed.
        XCTAssertEqual(changes[1].change.afterSensitive, ["env": ["HUGGING_FACE_HUB_TOKEN": true]])
        XCTAssertEqual(changes[0].change.afterSensitive, false)
    }

    /// An update's before and after differ exactly at the live drift; a live literal under a secret
    /// name is hidden and marked; counts and tokenizer names are neither.
    func testAnUpdateShowsTheLiveValuesBeforeAndThePlannedAfter() async throws {
        let text = try ApplyTests.example("support-chat.yaml")
            .replacingOccurrences(
                of: "env: {VLLM_LOGGING_LEVEL: INFO}", with: "env: {VLLM_LOGGING_LEVEL: INFO, TOKENIZER_NAME: meta-llama/Llama-3.1-8B-Instruct}")
        let d = try ApplyTests.deployment(text)
        try await withFake { fake, client in
            _ = try await apply(
                diff(d, live: try await LiveState.fetch(client)), client: client, options: ApplyOptions(waitTimeout: 5, pollInterval: 0.02))
            let endpointIDs = await fake.state.ids(.endpoint)
            let endpointID = try XCTUnwrap(endpointIDs.first)
            await fake.state.mutate(.endpoint, id: endpointID) { e in
                var workers = e["workers"] as? [String: Any] ?? [:]
                workers["max"] = 5
                e["workers"] = workers
            }
            let templateIDs = await fake.state.ids(.template)
            let templateID = try XCTUnwrap(templateIDs.first)
            await fake.state.mutate(.template, id: templateID) { t in
                var env = t["env"] as? [String: Any] ?? [:]
                env["HUGGING_FACE_HUB_TOKEN"] = "pasted-by-hand-1234"  // a literal where the plan holds a reference
                env["MAX_NUM_BATCHED_TOKENS"] = "4096"
                t["env"] = env
            }
            let reviewed = try await self.review(d, client)
            let endpoint = try XCTUnwrap(reviewed.resourceChanges.first { $0.kind == .endpoint })
            XCTAssertEqual(endpoint.change.actions, ["update"])
            XCTAssertEqual(endpoint.id, endpointID)
            XCTAssertEqual(endpoint.change.before["workers"]?["max"], 5)
            XCTAssertEqual(endpoint.change.after["workers"]?["max"], .int(d.workers?.max ?? -1))
            XCTAssertEqual(endpoint.changedFields.map(\.path), ["workers.max"])
            let template = try XCTUnwrap(reviewed.resourceChanges.first { $0.kind == .template })
            XCTAssertEqual(Set(template.changedFields.map(\.path)), ["env.HUGGING_FACE_HUB_TOKEN", "env.MAX_NUM_BATCHED_TOKENS"])
            XCTAssertEqual(template.change.before["env"]?["HUGGING_FACE_HUB_TOKEN"], "(sensitive value hidden)")
            XCTAssertEqual(template.change.after["env"]?["HUGGING_FACE_HUB_TOKEN"], "{{ RUNPOD_SECRET_hf_token }}")
            XCTAssertEqual(template.change.before["env"]?["MAX_NUM_BATCHED_TOKENS"], "4096")
            XCTAssertTrue(template.isSensitive("env.HUGGING_FACE_HUB_TOKEN", after: false))
            XCTAssertTrue(template.isSensitive("env.HUGGING_FACE_HUB_TOKEN", after: true))
            XCTAssertFalse(template.isSensitive("env.MAX_NUM_BATCHED_TOKENS", after: false))
            XCTAssertFalse(template.isSensitive("env.TOKENIZER_NAME", after: true))
            XCTAssertEqual(template.change.after["env"]?["TOKENIZER_NAME"], "meta-llama/Llama-3.1-8B-Instruct")
            let volume = try XCTUnwrap(reviewed.resourceChanges.first { $0.kind == .networkVolume })
            XCTAssertEqual(volume.change.actions, ["no-op"])
            XCTAssertEqual(volume.change.before, volume.change.after)

            // A saved plan keeps them as reviewed.
            let saved = try JSONDecoder().decode(ReviewedPlan.self, from: JSONEncoder().encode(reviewed))
            XCTAssertEqual(saved.resourceChanges, reviewed.resourceChanges)
        }
    }

    /// A pod whose GPU changes is replaced, create before destroy: Terraform's `["create", "delete"]`.
    func testAReplaceIsCreateThenDeleteWithTheFieldsThatForceIt() async throws {
        let base = try ApplyTests.example("steady-api.yaml")
        let d = try ApplyTests.deployment(base)
        try await withFake { _, client in
            _ = try await apply(
                diff(d, live: try await LiveState.fetch(client)), client: client, options: ApplyOptions(waitTimeout: 5, pollInterval: 0.02))
            let oldGPU = d.gpu.id
            let moved = try ApplyTests.deployment(base.replacingOccurrences(of: "  require_ecc: true", with: "  require_ecc: true\n  gpus: [B200]"))
            let reviewed = try await self.review(moved, client)
            let pod = try XCTUnwrap(reviewed.resourceChanges.first { $0.kind == .pod })
            XCTAssertEqual(pod.change.actions, ["create", "delete"])
            XCTAssertEqual(pod.podformAction, .replace)
            XCTAssertEqual(pod.actionReason, "replace_because_cannot_update")
            XCTAssertEqual(pod.change.replacePaths, [["gpu", "id"]])
            XCTAssertEqual(pod.change.before["gpu"]?["id"], .string(oldGPU))
            XCTAssertEqual(pod.change.after["gpu"]?["id"], "NVIDIA B200")
            // The pod's API key: a RunPod secret reference, marked sensitive on both sides.
            XCTAssertEqual(pod.change.after["env"]?["VLLM_API_KEY"], "{{ RUNPOD_SECRET_podform_api_key }}")
            XCTAssertTrue(pod.isSensitive("env.VLLM_API_KEY", after: true))
            // A destroy: every resource a delete, before the id and name, after null.
            let destroy = ResourceChange.changes(
                spec: d.name, requests: [],
                changes: destroyChanges(spec: d.name, live: try await LiveState.fetch(client), allowDestroyVolumes: false))
            XCTAssertFalse(destroy.isEmpty)
            for c in destroy {
                XCTAssertEqual(c.change.actions, ["delete"])
                XCTAssertEqual(c.change.after, .null)
                XCTAssertEqual(c.change.before["id"], c.id.map { .string($0) })
            }
        }
    }
}
