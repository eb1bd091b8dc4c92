import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

final class ApplyTests: XCTestCase {
    static let key = "rpa_SENTINEL_APPLY_3141592"
    static let gpus = try! GPUCatalog.bundled()
    static let models = try! ModelCatalog.bundled()
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func deployment(_ text: String) throws -> Deployment { try Self.deployment(text) }
    func example(_ name: String) throws -> String { try Self.example(name) }

    static func deployment(_ text: String, file: String = "spec.yaml", scope: String? = nil) throws -> Deployment {
        let env = ValidationEnvironment(
            resolveGPU: { Self.gpus.gpu(named: $0)?.id }, gpuNames: Self.gpus.allNames,
            model: { n in Self.models.model(named: n).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        let (spec, diagnostics) = Spec.validate(path: file, text: text, environment: env)
        guard let spec, !diagnostics.hasErrors else {
            struct InvalidSpec: Error, CustomStringConvertible { var description: String }
            throw InvalidSpec(description: "invalid spec: \(diagnostics.map(\.message))")
        }
        let arch = try XCTUnwrap(Self.models.model(named: spec.model.id)).architecture
        var environment = CompileEnvironment(gpus: Self.gpus, now: Date())
        if let scope { environment.scopes[file] = scope }
        let (plan, failures) = compilePlan([(spec, file, arch)], environment: environment)
        if let f = failures.first { throw f }
        return plan.deployments[0]
    }

    static func example(_ name: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent("examples/\(name)"), encoding: .utf8)
    }

    /// The plan's GPUs, plus the catalog's, in the fake's catalog.
    static var fakeGPUs: Data {
        let items = gpus.gpus.map { g -> [String: Any] in
            [
                "id": g.id, "name": g.displayName, "pool": g.serverlessPool ?? NSNull(), "manufacturer": g.manufacturer, "memory": Int(g.memoryGB),
                "secure": true, "community": true, "price": ["secure": 1.0, "community": 1.0], "maxCount": ["secure": 8, "community": 8]
            ]
        }
        return try! JSONSerialization.data(withJSONObject: ["gpus": items])
    }

    func withFake(_ body: (FakeRunPodServer, RunPodClient) async throws -> Void) async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: Self.fakeGPUs)
        await fake.state.setPodPhaseSeconds(0.02)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: Self.key, timeout: 5, sleep: { _ in })
        do { try await body(fake, client) } catch { await fake.stop(); throw error }
        await fake.stop()
    }

    let fast = ApplyOptions(waitTimeout: 5, pollInterval: 0.02)

    func converge(_ d: Deployment, _ client: RunPodClient, options: DiffOptions = DiffOptions()) async throws -> ApplyResult {
        let live = try await LiveState.fetch(client)
        return try await apply(diff(d, live: live, options: options), client: client, options: fast)
    }

    func testApplyFromEmptyThenAgainIsANoOpWithZeroWrites() async throws {
        let d = try deployment(example("support-chat.yaml"))
        try await withFake { fake, client in
            let first = try await self.converge(d, client)
            XCTAssertEqual(first.created.count, 3)
            XCTAssertEqual(first.urls.count, 1)
            XCTAssertTrue(first.urls[0].hasPrefix("https://api.runpod.ai/v2/ep"), first.urls[0])
            await fake.state.clearRequests()
            let live = try await LiveState.fetch(client)
            let again = diff(d, live: live)
            XCTAssertFalse(again.hasChanges, "\(again.changes.filter { $0.action != .noop })")
            let second = try await apply(again, client: client, options: self.fast)
            XCTAssertEqual(second.writes, 0)
            let writes = await fake.state.writeCount
            XCTAssertEqual(writes, 0)
            let counts = await fake.state.counts()
            XCTAssertEqual(counts, ["pods": 0, "endpoints": 1, "templates": 1, "network_volumes": 1])
        }
    }

    func testPodDeploymentWaitsForRunningAndReportsTheProxyURL() async throws {
        let d = try deployment(example("steady-api.yaml"))
        try await withFake { fake, client in
            let result = try await self.converge(d, client)
            XCTAssertEqual(result.urls.count, 1)
            XCTAssertTrue(result.urls[0].hasSuffix("-8000.proxy.runpod.net"), result.urls[0])
            let pods = try await client.listPods()
            XCTAssertEqual(pods.map(\.status), ["RUNNING"])
            let value1 = diff(d, live: try await LiveState.fetch(client)).hasChanges
            XCTAssertFalse(value1)
        }
    }

    func testEachFieldClassDiffsAndAppliesTheRightWay() async throws {
        let base = try example("steady-api.yaml")
        let d = try deployment(base)
        try await withFake { fake, client in
            _ = try await self.converge(d, client)
            // Template/container field: in place, the pod restarts.
            let newImage = try self.deployment(base.replacingOccurrences(of: "vllm/vllm-openai:v0.27.1", with: "vllm/vllm-openai:v0.27.2"))
            let imageDiff = diff(newImage, live: try await LiveState.fetch(client))
            XCTAssertEqual(imageDiff.changes.filter { $0.action == .update }.map(\.kind), [.template, .pod])
            XCTAssertEqual(imageDiff.changes.first { $0.kind == .pod }?.impact, "the pod restarts and its container disk is wiped")
            _ = try await apply(imageDiff, client: client, options: self.fast)
            let value2 = try await client.listPods().first?.image
            XCTAssertEqual(value2, "vllm/vllm-openai:v0.27.2")
            // GPU type: replace, create-before-destroy.
            let oldID = try await client.listPods().first!.id
            let moved = try self.deployment(
                base.replacingOccurrences(of: "vllm/vllm-openai:v0.27.1", with: "vllm/vllm-openai:v0.27.2")
                    .replacingOccurrences(of: "  require_ecc: true", with: "  require_ecc: true\n  gpus: [B200]"))
            let replace = diff(moved, live: try await LiveState.fetch(client))
            let podChange = try XCTUnwrap(replace.changes.first { $0.kind == .pod })
            XCTAssertEqual(podChange.action, .replace)
            XCTAssertEqual(podChange.fields.first?.path, "gpu.id")
            await fake.state.clearRequests()
            _ = try await apply(replace, client: client, options: self.fast)
            let log = await fake.state.requests.filter { $0.method != "GET" }.map {
                "\($0.method) \($0.path.hasPrefix("/v2/pods/") ? "/v2/pods/{id}" : $0.path)"
            }
            XCTAssertEqual(log, ["POST /v2/pods", "DELETE /v2/pods/{id}"])  // new first, old after it runs
            let pods = try await client.listPods()
            XCTAssertEqual(pods.count, 1)
            XCTAssertNotEqual(pods.first?.id, oldID)
            XCTAssertEqual(pods.first?.gpuTypeID, "NVIDIA B200")
            let value3 = diff(moved, live: try await LiveState.fetch(client)).hasChanges
            XCTAssertFalse(value3)
        }
    }

    func testTemplateEditsReachTheRunningEndpointBecauseRunPodDoesNotPassThemOn() async throws {
        let base = try example("support-chat.yaml")
        let d = try deployment(base)
        try await withFake { fake, client in
            _ = try await self.converge(d, client)
            let edited = try self.deployment(base.replacingOccurrences(of: "VLLM_LOGGING_LEVEL: INFO", with: "VLLM_LOGGING_LEVEL: DEBUG"))
            let change = diff(edited, live: try await LiveState.fetch(client))
            XCTAssertEqual(change.changes.filter { $0.action == .update }.map(\.kind), [.template, .endpoint])
            let endpointChange = try XCTUnwrap(change.changes.first { $0.kind == .endpoint })
            XCTAssertEqual(endpointChange.fields.map(\.path), ["env.VLLM_LOGGING_LEVEL"])
            // The PATCH carries the whole env (it replaces the endpoint's), markers included, and the GPU block.
            XCTAssertEqual(endpointChange.patch?["env"]?["VLLM_LOGGING_LEVEL"], .string("DEBUG"))
            XCTAssertEqual(endpointChange.patch?["env"]?["PODFORM_MANAGED_BY"], .string("podform"))
            XCTAssertNotNil(endpointChange.patch?["gpu"])
            _ = try await apply(change, client: client, options: self.fast)
            let endpoints = try await client.listEndpoints()
            let endpoint = try XCTUnwrap(endpoints.first)
            XCTAssertEqual(endpoint.env?["VLLM_LOGGING_LEVEL"], "DEBUG")
            XCTAssertEqual(endpoint.env?["PODFORM_SPEC"], "support-chat")
            await fake.state.clearRequests()
            _ = try await self.converge(edited, client)
            let writes = await fake.state.writeCount
            XCTAssertEqual(writes, 0)  // converged: nothing left to patch
        }
    }

    func testEndpointSettingsUpdateInPlaceAndIdleScaleDownIsClassified() async throws {
        let base = try example("internal-tool.yaml").replacingOccurrences(of: "  mode: auto", with: "  mode: serverless")
        let d = try deployment(base)
        try await withFake { fake, client in
            _ = try await self.converge(d, client)
            let endpointID = try await client.listEndpoints().first!.id
            let more = try self.deployment(base.replacingOccurrences(of: "  max_workers: 2", with: "  max_workers: 2\n  data_centers: [EU-SE-1]"))
            let change = diff(more, live: try await LiveState.fetch(client))
            let update = try XCTUnwrap(change.changes.first { $0.kind == .endpoint })
            XCTAssertEqual(update.action, .update)
            XCTAssertEqual(Set(update.fields.map(\.path)), ["dataCenterIds"])
            XCTAssertNotNil(update.patch?["gpu"])  // always sent: a PATCH without it drops excluded types
            _ = try await apply(change, client: client, options: self.fast)
            let value4 = try await client.getEndpoint(endpointID).dataCenterIds
            XCTAssertEqual(value4, ["EU-SE-1"])

            let value5 = diff(more, live: try await LiveState.fetch(client)).hasChanges
            XCTAssertFalse(value5)

            // RunPod lowers max workers on an idle endpoint: reported, not fought, unless the spec says so.
            await fake.state.mutate(.endpoint, id: endpointID) { o in
                var w = o["workers"] as? [String: Any] ?? [:]
                w["max"] = 0
                o["workers"] = w
            }
            let drift = diff(more, live: try await LiveState.fetch(client))
            XCTAssertFalse(drift.hasChanges)
            XCTAssertTrue(drift.notes.contains { $0.contains("idle scale-down") }, "\(drift.notes)")
            let restore = diff(more, live: try await LiveState.fetch(client), options: DiffOptions(restoreIdleScaleDown: true))
            XCTAssertEqual(restore.changes.first { $0.kind == .endpoint }?.fields.map(\.path), ["workers.max"])
        }
    }

    func testLiveSecretValuesNeverReachTheDiff() async throws {
        let d = try deployment(example("support-chat.yaml"))
        try await withFake { fake, client in
            _ = try await self.converge(d, client)
            // Somebody pasted a real token into the endpoint by hand.
            let id = try await client.listEndpoints()[0].id
            await fake.state.mutate(.endpoint, id: id) { o in
                var env = o["env"] as? [String: String] ?? [:]
                // The worker gets the token as HUGGING_FACE_HUB_TOKEN (worker-vllm logs --hf-token).
                env["HUGGING_FACE_HUB_TOKEN"] = "hf_SENTINELsecretvalue123"
                env["VLLM_LOGGING_LEVEL"] = "sk-SENTINELlookalike"
                o["env"] = env
            }
            let change = diff(d, live: try await LiveState.fetch(client))
            let fields = try XCTUnwrap(change.changes.first { $0.kind == .endpoint }).fields
            XCTAssertEqual(fields.map(\.path), ["env.HUGGING_FACE_HUB_TOKEN", "env.VLLM_LOGGING_LEVEL"])
            guard fields.count == 2 else { return }
            XCTAssertEqual(fields[0].old, .string("(sensitive value hidden)"))
            XCTAssertEqual(fields[0].new, .string("{{ RUNPOD_SECRET_hf_token }}"))  // a reference, not a secret
            XCTAssertEqual(fields[1].old, .string("(sensitive value hidden)"))
            XCTAssertEqual(fields[1].new, .string("INFO"))
            let json = String(decoding: try JSONEncoder().encode(change), as: UTF8.self)
            XCTAssertFalse(json.contains("SENTINEL"), json)
            _ = try await apply(change, client: client, options: self.fast)
            let env = try await client.listEndpoints()[0].env
            XCTAssertEqual(env?["HUGGING_FACE_HUB_TOKEN"], "{{ RUNPOD_SECRET_hf_token }}")  // the reference is restored
            XCTAssertNil(env?["HF_TOKEN"], "worker-vllm would log it as --hf-token")
        }
    }

    func testRunPodDefaultsOnTemplatesAndEndpointsAreNotDrift() async throws {
        let d = try deployment(example("support-chat.yaml"))
        try await withFake { fake, client in
            _ = try await self.converge(d, client)
            // The OpenAPI examples report `args: ""` where nothing was set.
            for id in await fake.state.ids(.template) { await fake.state.mutate(.template, id: id) { $0["args"] = "" } }
            for id in await fake.state.ids(.endpoint) { await fake.state.mutate(.endpoint, id: id) { $0["args"] = "" } }
            let change = diff(d, live: try await LiveState.fetch(client))
            XCTAssertFalse(change.hasChanges, "\(change.changes.filter { $0.action != .noop })")
        }
    }

    func testModeSwitchCreatesBeforeItDeletes() async throws {
        let base = try example("internal-tool.yaml")
        try await withFake { fake, client in
            _ = try await self.converge(try self.deployment(base.replacingOccurrences(of: "  mode: auto", with: "  mode: pod")), client)
            let value6 = try await client.listPods().count
            XCTAssertEqual(value6, 1)
            let serverless = try self.deployment(base.replacingOccurrences(of: "  mode: auto", with: "  mode: serverless"))
            let change = diff(serverless, live: try await LiveState.fetch(client))
            XCTAssertEqual(
                change.changes.filter { $0.action != .noop }.map { "\($0.action.rawValue) \($0.kind.rawValue)" },
                ["update template", "create endpoint", "delete pod"])
            // An endpoint needs a serverless template (RunPod answers 422 otherwise): the flag flips first.
            XCTAssertEqual(change.changes.first { $0.kind == .template }?.patch?["serverless"], .bool(true))
            _ = try await apply(change, client: client, options: self.fast)
            let counts = await fake.state.counts()
            XCTAssertEqual(counts["pods"], 0)
            XCTAssertEqual(counts["endpoints"], 1)
        }
    }
}

final class DiffUnitTests: XCTestCase {
    /// Fields RunPod adds to nested objects are not drift; fields the plan sets are.
    func testServerAddedFieldsAreNotDrift() {
        let live: JSONValue = [
            "workers": ["min": 0, "max": 3, "idleTimeout": 5, "ready": 2], "gpu": ["pools": ["ADA_24"], "count": 1, "allowedCudaVersions": []]
        ]
        let desired: JSONValue = ["workers": ["min": 0, "max": 3, "idleTimeout": 5], "gpu": ["pools": ["ADA_24"], "count": 1]]
        XCTAssertEqual(compare(live, desired, keys: ["workers", "gpu"]), [])
        let changed: JSONValue = ["workers": ["min": 1, "max": 3, "idleTimeout": 5], "gpu": ["pools": ["ADA_24"], "count": 1]]
        XCTAssertEqual(compare(live, changed, keys: ["workers", "gpu"]).map(\.path), ["workers.min"])
        XCTAssertTrue(same(.int(4), .number(4)))
        XCTAssertTrue(same(nil, .null))
    }
}
