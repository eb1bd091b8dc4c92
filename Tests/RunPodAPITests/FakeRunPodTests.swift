import Foundation
import PodformTestSupport
import XCTest

@testable import RunPodAPI

/// Records the waits the client asks for, instead of sleeping.
final class SleepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    func add(_ v: Double) { lock.lock(); values.append(v); lock.unlock() }
    var all: [Double] { lock.lock(); defer { lock.unlock() }; return values }
}

final class FakeRunPodTests: XCTestCase {
    static let key = "rpa_SENTINEL_FAKE_77aa88bb99"

    func withFake(_ body: (FakeRunPodServer, RunPodClient, SleepLog) async throws -> Void) async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.defaultGPUTypes)
        let sleeps = SleepLog()
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: Self.key, timeout: 5, sleep: { sleeps.add($0) })
        do { try await body(fake, client, sleeps) } catch { await fake.stop(); throw error }
        let log = await fake.state.requests
        for r in log { XCTAssertFalse(String(decoding: r.body, as: UTF8.self).contains(Self.key)) }
        await fake.stop()
    }

    static let template: JSONValue = [
        "name": "podform-chat", "image": "runpod/worker-v1-vllm:v2.25.2", "disk": 30,
        "env": ["MODEL_NAME": "meta-llama/Llama-3.1-8B-Instruct", "HF_TOKEN": "{{ RUNPOD_SECRET_hf_token }}"],
        "serverless": true, "ports": []
    ]

    func endpointBody(_ templateID: String, volume: String? = nil) -> JSONValue {
        var body: [String: JSONValue] = [
            "name": "podform-chat", "type": "QUEUE", "templateId": .string(templateID),
            "gpu": ["pools": ["ADA_48_PRO"], "count": 1, "excludedTypes": ["NVIDIA RTX A6000"]],
            "workers": ["min": 0, "max": 3], "scaling": ["type": "REQUEST_COUNT", "requestCount": 8],
            "flashboot": "FLASHBOOT", "timeout": 120_000
        ]
        if let volume { body["networkVolumes"] = [.string(volume)]; body["dataCenterIds"] = ["EU-RO-1"] }
        return .object(body)
    }

    func testIdleTimeoutIsRefusedWithRequestCountScalingLikeRunPod() async throws {
        try await withFake { _, client, _ in
            let template = try await client.createOnce(.template, name: "podform-chat", body: Self.template)
            var body = self.endpointBody(template.id)
            if case .object(var o) = body { o["workers"] = ["min": 0, "max": 3, "idleTimeout": 5]; body = .object(o) }
            do {
                _ = try await client.createOnce(.endpoint, name: "podform-chat", body: body)
                XCTFail("accepted workers.idleTimeout with REQUEST_COUNT scaling")
            } catch let error as RunPodError {
                XCTAssertTrue("\(error)".contains("workers.idleTimeout"), "\(error)")
            }
            // With queue-delay scaling the idle timeout applies.
            if case .object(var o) = body { o["scaling"] = ["type": "QUEUE_DELAY", "queueDelay": 4]; body = .object(o) }
            let created = try await client.createOnce(.endpoint, name: "podform-chat", body: body)
            let endpoint = try await client.getEndpoint(created.id)
            XCTAssertEqual(endpoint.workers?["idleTimeout"], .int(5))
        }
    }

    func testFullLifecycleOfEveryResourceKind() async throws {
        try await withFake { fake, client, _ in
            let volume = try await client.createOnce(
                .networkVolume, name: "podform-chat-weights",
                body: ["name": "podform-chat-weights", "size": 30, "dataCenter": "EU-RO-1"])
            XCTAssertFalse(volume.found)
            let template = try await client.createOnce(.template, name: "podform-chat", body: Self.template)
            let endpoint = try await client.createOnce(.endpoint, name: "podform-chat", body: self.endpointBody(template.id, volume: volume.id))
            let got = try await client.getEndpoint(endpoint.id)
            XCTAssertEqual(got.name, "podform-chat")
            XCTAssertEqual(got.networkVolumes, [volume.id])
            XCTAssertEqual(got.flashboot, "FLASHBOOT")
            let value1 = try await client.listEndpoints().count
            XCTAssertEqual(value1, 1)
            let value2 = try await client.listTemplates().map(\.name)
            XCTAssertEqual(value2, ["podform-chat"])
            let value3 = try await client.listNetworkVolumes().map(\.size)
            XCTAssertEqual(value3, [30])
            let grown = try await client.updateNetworkVolume(volume.id, ["size": 40])
            XCTAssertEqual(grown.size, 40)
            let updated = try await client.updateEndpoint(endpoint.id, ["workers": ["min": 1, "max": 3]])
            XCTAssertEqual(updated.workers?["min"], 1)
            _ = try await client.updateTemplate(template.id, ["env": ["MODEL_NAME": "x/y"]])
            let value4 = try await client.getTemplate(template.id).env?["MODEL_NAME"]
            XCTAssertEqual(value4, "x/y")
            let workers = try await client.endpointWorkers(endpoint.id)
            XCTAssertEqual(workers.workers.count, 1)  // one running worker once min workers is 1
            // Deleting in the wrong order is refused, as RunPod does for attached volumes and used templates.
            do { try await client.deleteNetworkVolume(volume.id); XCTFail("attached volume deleted") } catch RunPodError.conflict {}
            do { try await client.deleteTemplate(template.id); XCTFail("used template deleted") } catch RunPodError.conflict {}
            try await client.deleteEndpoint(endpoint.id)
            try await client.deleteTemplate(template.id)
            try await client.deleteNetworkVolume(volume.id)
            let counts = await fake.state.counts()
            XCTAssertEqual(counts.values.reduce(0, +), 0)
            do { _ = try await client.getEndpoint(endpoint.id); XCTFail() } catch RunPodError.notFound {}
            let value5 = try await client.listDataCenters().isEmpty
            XCTAssertFalse(value5)
            let value6 = try await client.listRegistries().count
            XCTAssertEqual(value6, 0)
        }
    }

    func testPodsMoveThroughStatesAndKeepTheirPlacement() async throws {
        try await withFake { fake, client, _ in
            await fake.state.setPodPhaseSeconds(0.15)
            let template = try await client.createOnce(
                .template, name: "podform-api",
                body: ["name": "podform-api", "image": "vllm/vllm-openai:v0.27.1", "disk": 30, "env": ["A": "1"]])
            let pod = try await client.createOnce(
                .pod, name: "podform-api",
                body: [
                    "name": "podform-api", "cloud": "SECURE", "templateId": .string(template.id),
                    "gpu": ["id": "NVIDIA L40S", "count": 1], "disk": 40, "ports": ["8000/http"],
                    "mounts": ["persistent": ["size": 50, "path": "/root/.cache/huggingface"]], "env": ["B": "2"]
                ])
            let value7 = try await client.getPod(pod.id).status
            XCTAssertEqual(value7, "PROVISIONING")
            try await Task.sleep(nanoseconds: 200_000_000)
            let value8 = try await client.getPod(pod.id).status
            XCTAssertEqual(value8, "STARTING")
            try await Task.sleep(nanoseconds: 200_000_000)
            let running = try await client.getPod(pod.id)
            XCTAssertEqual(running.status, "RUNNING")
            XCTAssertEqual(running.gpuTypeID, "NVIDIA L40S")
            XCTAssertEqual(running.env, ["A": "1", "B": "2"])  // template env merged, body wins per key
            XCTAssertEqual(running.image, "vllm/vllm-openai:v0.27.1")
            do {
                _ = try await client.updatePod(pod.id, ["gpu": ["id": "NVIDIA H100 80GB HBM3", "count": 1]])
                XCTFail("GPU changed in place")
            } catch RunPodError.badRequest(let detail, let fields) {
                XCTAssertTrue(detail.contains("cannot be changed"), detail)
                XCTAssertEqual(fields, ["gpu: not updatable"])
            }
            let restarted = try await client.updatePod(pod.id, ["image": "vllm/vllm-openai:v0.27.2"])
            XCTAssertEqual(restarted.status, "PROVISIONING")  // a pod PATCH restarts the container
            try await client.podAction(pod.id, "stop")
            let value9 = try await client.getPod(pod.id).status
            XCTAssertEqual(value9, "EXITED")
            let value10 = try await client.podLogs(pod.id).contains("started")
            XCTAssertTrue(value10)
            try await client.deletePod(pod.id)
            let value11 = try await client.listPods().count
            XCTAssertEqual(value11, 0)
        }
    }

    func testRunPodRulesAreEnforced() async throws {
        try await withFake { fake, client, _ in
            let volume = try await client.createOnce(.networkVolume, name: "v", body: ["name": "v", "size": 20, "dataCenter": "EU-RO-1"])
            do { _ = try await client.updateNetworkVolume(volume.id, ["size": 10]); XCTFail() } catch RunPodError.badRequest(let d, _) {
                XCTAssertTrue(d.contains("only increase"), d)
            }
            do {
                _ = try await client.createOnce(
                    .pod, name: "p",
                    body: [
                        "name": "p", "cloud": "COMMUNITY", "gpu": ["id": "NVIDIA L40S", "count": 1],
                        "mounts": ["network": [["volumeId": .string(volume.id), "path": "/workspace"]]]
                    ])
                XCTFail("community pod with a network volume")
            } catch RunPodError.badRequest(let d, _) { XCTAssertTrue(d.contains("Secure Cloud"), d) }
            do {
                _ = try await client.createOnce(.pod, name: "p", body: ["name": "p", "gpu": ["id": "NVIDIA H1OO", "count": 1]])
                XCTFail("unknown GPU")
            } catch RunPodError.badRequest(_, let fields) { XCTAssertEqual(fields, ["gpu.id: unknown GPU type"]) }
            do {
                _ = try await client.createOnce(
                    .endpoint, name: "e",
                    body: [
                        "name": "e", "type": "QUEUE",
                        "scaling": ["type": "QUEUE_DELAY", "queueDelay": 0.1],
                        "gpu": ["pools": ["ADA_24"]]
                    ])
                XCTFail("queueDelay below 0.5")
            } catch RunPodError.badRequest(_, let fields) {
                XCTAssertTrue(fields.contains { $0.hasPrefix("scaling") }, "\(fields)")
            }
            do {
                _ = try await client.createOnce(
                    .pod, name: "p",
                    body: [
                        "name": "p", "gpu": ["id": "NVIDIA L40S", "count": 1],
                        "dataCenterIds": ["US-KS-2"],
                        "mounts": ["network": [["volumeId": .string(volume.id), "path": "/w"]]]
                    ])
                XCTFail("volume outside the pinned data centers")
            } catch RunPodError.badRequest(let d, _) { XCTAssertTrue(d.contains("outside dataCenterIds"), d) }
            let counts = await fake.state.counts()
            XCTAssertEqual(counts["pods"], 0)
            XCTAssertEqual(counts["endpoints"], 0)
        }
    }

    func testPatchingAnEndpointGPUDropsExclusionsLikeRunPod() async throws {
        try await withFake { _, client, _ in
            let template = try await client.createOnce(.template, name: "podform-chat", body: Self.template)
            let endpoint = try await client.createOnce(.endpoint, name: "podform-chat", body: self.endpointBody(template.id))
            let value12 = try await client.getEndpoint(endpoint.id).gpu?["excludedTypes"]
            XCTAssertEqual(value12, ["NVIDIA RTX A6000"])
            _ = try await client.updateEndpoint(endpoint.id, ["gpu": ["pools": ["ADA_48_PRO"], "count": 1]])
            let value13 = try await client.getEndpoint(endpoint.id).gpu?["excludedTypes"]
            XCTAssertEqual(value13, [])
        }
    }

    // MARK: faults

    func testCreateThatSucceedsBut500sIsFoundNotDuplicated() async throws {
        try await withFake { fake, client, _ in
            await fake.state.inject(Fault(.succeedThen500, method: "POST", pathPrefix: "/v2/pods"))
            let pod = try await client.createOnce(.pod, name: "podform-api", body: ["name": "podform-api", "gpu": ["id": "NVIDIA L40S", "count": 1]])
            XCTAssertTrue(pod.found)
            let pods = try await client.listPods()
            XCTAssertEqual(pods.map(\.id), [pod.id])
            let posts = await fake.state.requests.filter { $0.method == "POST" }.count
            XCTAssertEqual(posts, 1)  // looked up, not re-created
        }
    }

    func testCreateThatFailsBeforeCreatingIsTriedAgainOnce() async throws {
        try await withFake { fake, client, _ in
            await fake.state.inject(Fault(.status(503), method: "POST", pathPrefix: "/v2/templates"))
            let t = try await client.createOnce(.template, name: "podform-x", body: ["name": "podform-x", "image": "img:1"])
            XCTAssertFalse(t.found)
            let methods = await fake.state.requests.map { "\($0.method) \($0.path) \($0.status)" }
            XCTAssertEqual(methods, ["POST /v2/templates 503", "GET /v2/templates 200", "POST /v2/templates 201"])
            let value14 = await fake.state.names(.template)
            XCTAssertEqual(value14, ["podform-x"])
        }
    }

    func testNoCapacityIsNotRetriedAndSaysWhatToDo() async throws {
        try await withFake { fake, client, _ in
            await fake.state.inject(Fault(.noCapacity, method: "POST", pathPrefix: "/v2/pods", times: 5))
            do {
                _ = try await client.createOnce(.pod, name: "p", body: ["name": "p", "gpu": ["id": "NVIDIA L40S", "count": 1]])
                XCTFail("expected no capacity")
            } catch let error as RunPodError {
                guard case .capacity = error else { return XCTFail("\(error)") }
                XCTAssertTrue(error.description.contains("try other GPU types"))
            }
            let posts = await fake.state.requests.filter { $0.method == "POST" }.count
            XCTAssertEqual(posts, 1)
            let value15 = await fake.state.counts()["pods"]
            XCTAssertEqual(value15, 0)
        }
    }

    func testRateLimitHonoursRetryAfterAndServerErrorsBackOff() async throws {
        try await withFake { fake, client, sleeps in
            await fake.state.inject(Fault(.rateLimited(retryAfter: 3), method: "GET", pathPrefix: "/v2/pods"))
            await fake.state.inject(Fault(.status(502), method: "GET", pathPrefix: "/v2/pods"))
            let value16 = try await client.listPods().count
            XCTAssertEqual(value16, 0)
            let waits = sleeps.all
            XCTAssertEqual(waits.count, 2)
            XCTAssertEqual(waits.first, 3)  // Retry-After
            XCTAssertGreaterThanOrEqual(waits[1], 0.5)  // backoff after the 2nd attempt: 1 s base, jittered to [0.5, 1]
            XCTAssertLessThanOrEqual(waits[1], 1.0)
        }
    }

    func testSlowResponsesTimeOutAndMalformedBodiesAreClearErrors() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.defaultGPUTypes)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: Self.key, retry: .none, timeout: 1, sleep: { _ in })
        await fake.state.inject(Fault(.delay(seconds: 2.5), method: "GET", pathPrefix: "/v2/serverless"))
        do { _ = try await client.listEndpoints(); XCTFail("expected a timeout") } catch let error as RunPodError {
            guard case .transport = error else { return XCTFail("\(error)") }
        }
        await fake.state.inject(Fault(.malformedBody, method: "GET", pathPrefix: "/v2/pods"))
        do { _ = try await client.listPods(); XCTFail("expected a decoding error") } catch let error as RunPodError {
            guard case .invalidResponse(let m) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(m.contains("malformed JSON"), m)
        }
        await fake.stop()
    }

    // MARK: the OpenAPI document

    func testEveryResponseExampleInTheOpenAPIDocumentDecodes() throws {
        let validator = try OpenAPIValidator.bundled()
        let types: [String: (Data) throws -> Void] = [
            "Pod": { _ = try JSONDecoder().decode(Pod.self, from: $0) },
            "ListPodsResponse": { _ = try JSONDecoder().decode(PodList.self, from: $0) },
            "Endpoint": { _ = try JSONDecoder().decode(Endpoint.self, from: $0) },
            "ListEndpointsResponse": { _ = try JSONDecoder().decode(EndpointList.self, from: $0) },
            "Template": { _ = try JSONDecoder().decode(Template.self, from: $0) },
            "ListTemplatesResponse": { _ = try JSONDecoder().decode(TemplateList.self, from: $0) },
            "NetworkVolume": { _ = try JSONDecoder().decode(NetworkVolume.self, from: $0) },
            "ListNetworkVolumesResponse": { _ = try JSONDecoder().decode(NetworkVolumeList.self, from: $0) },
            "Registry": { _ = try JSONDecoder().decode(Registry.self, from: $0) },
            "ListRegistriesResponse": { _ = try JSONDecoder().decode(RegistryList.self, from: $0) },
            "ListDataCentersResponse": { _ = try JSONDecoder().decode(DataCenterList.self, from: $0) },
            "ListEndpointWorkersResponse": { _ = try JSONDecoder().decode(WorkerList.self, from: $0) }
        ]
        var decoded = 0
        for example in validator.responseExamples() {
            guard let decode = types[example.schema] else { continue }
            let data = try JSONSerialization.data(withJSONObject: example.value)
            XCTAssertNoThrow(try decode(data), "\(example.method) \(example.path) \(example.status) (\(example.schema))")
            // The fake would accept what RunPod documents: the examples are valid against their own schemas.
            XCTAssertEqual(validator.validate(example.value, schema: example.schema), [], "\(example.method) \(example.path)")
            decoded += 1
        }
        XCTAssertGreaterThanOrEqual(decoded, 18)
    }

    func testValidatorRejectsWhatRunPodWould() throws {
        let v = try OpenAPIValidator.bundled()
        XCTAssertEqual(v.validate(["name": "n", "size": 20, "dataCenter": "EU-RO-1"], schema: "CreateNetworkVolumeRequest"), [])
        XCTAssertEqual(
            v.validate(["name": "n", "size": 5000, "dataCenter": "EU-RO-1"], schema: "CreateNetworkVolumeRequest"),
            ["size: 5000 is above the maximum 4096.0"])
        XCTAssertFalse(
            v.validate(
                ["name": "e", "type": "QUEUE", "scaling": ["type": "QUEUE_DELAY", "queueDelay": 1], "flashboot": "ON"],
                schema: "CreateEndpointRequest"
            ).isEmpty)
        XCTAssertEqual(v.validate(["action": "terminate"], schema: "PodActionRequest"), [])
        XCTAssertFalse(v.validate(["action": "reset"], schema: "PodActionRequest").isEmpty)  // v2 has no reset
    }
}
