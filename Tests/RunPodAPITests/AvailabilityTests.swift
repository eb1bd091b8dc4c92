import Foundation
import PodformTestSupport
import XCTest

@testable import RunPodAPI

/// `GET /v2/catalog/gpus?include=AVAILABILITY&product=...` and RunPod's capacity answer, through the fake.
final class CatalogAvailabilityTests: XCTestCase {
    static let key = "rpa_SENTINEL_STOCK_31415"

    func testStockIsReadPerProductAndAFullTypeRefusesCreatesWithRunPodsAnswer() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.defaultGPUTypes)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: Self.key, retry: .none, timeout: 5)
        let all = try await client.gpuAvailability(product: "POD", cloud: "SECURE")
        XCTAssertEqual(all.count, 7)
        XCTAssertTrue(all.allSatisfy { $0.availability == "HIGH" && !($0.dataCenters ?? []).isEmpty && $0.cudaVersions?.first?.available == true })

        await fake.state.setStock("NVIDIA L40S", "NONE", product: "POD")
        await fake.state.setStock("NVIDIA RTX A6000", "LOW", product: "POD", dataCenters: ["EU-RO-1"])
        await fake.state.setStock("NVIDIA RTX A6000", "NONE", product: "POD", dataCenters: ["US-KS-2"])
        let pods = try await client.gpuAvailability(product: "POD")
        let l40s = try XCTUnwrap(pods.first { $0.id == "NVIDIA L40S" })
        XCTAssertEqual(l40s.availability, "NONE")
        XCTAssertNil(l40s.dataCenters, "omitted when unavailable everywhere")
        let a6000 = try XCTUnwrap(pods.first { $0.id == "NVIDIA RTX A6000" })
        XCTAssertEqual(a6000.dataCenters?.first { $0.id == "EU-RO-1" }?.availability, "LOW")
        XCTAssertNil(a6000.dataCenters?.first { $0.id == "US-KS-2" })
        // Stock is per product: serverless still has the L40S.
        let serverless = try await client.gpuAvailability(product: "SERVERLESS")
        XCTAssertEqual(serverless.first { $0.id == "NVIDIA L40S" }?.availability, "HIGH")

        // include without product, or product without include: 400, as the OpenAPI document says.
        do {
            _ = try await client.send("GET", "/v2/catalog/gpus", query: ["include": "AVAILABILITY"]); XCTFail("accepted")
        } catch RunPodError.badRequest(let detail, _) { XCTAssertTrue(detail.contains("requires product"), detail) }
        do { _ = try await client.send("GET", "/v2/catalog/gpus", query: ["product": "POD"]); XCTFail("accepted") } catch RunPodError.badRequest {}

        // A pod of a type with no stock where it is asked for fails as RunPod does: HTTP 500, capacity.
        let template = try await client.createOnce(
            .template, name: "t",
            body: [
                "name": "t", "image": "vllm/vllm-openai:v0.27.1", "disk": 30,
                "env": [:], "ports": ["8000/http"], "serverless": false
            ])
        func pod(_ gpu: String, _ dcs: [String]? = nil) -> JSONValue {
            var body: [String: JSONValue] = [
                "name": "p", "cloud": "SECURE", "templateId": .string(template.id), "gpu": ["id": .string(gpu), "count": 1]
            ]
            if let dcs { body["dataCenterIds"] = .array(dcs.map { .string($0) }) }
            return .object(body)
        }
        do { _ = try await client.createOnce(.pod, name: "p", body: pod("NVIDIA L40S")); XCTFail("created") } catch RunPodError.capacity(let detail) {
            XCTAssertEqual(detail, "create pod: There are no instances currently available")
        }
        do { _ = try await client.createOnce(.pod, name: "p", body: pod("NVIDIA RTX A6000", ["US-KS-2"])); XCTFail("created") } catch RunPodError
            .capacity
        {}
        let created = try await client.createOnce(.pod, name: "p", body: pod("NVIDIA RTX A6000", ["US-KS-2", "EU-RO-1"]))
        XCTAssertFalse(created.found)
        let counts = await fake.state.counts()
        XCTAssertEqual(counts["pods"], 1, "a refused create leaves nothing")
        await fake.stop()
    }

    func testRunPodsCapacityMessagesAreCapacityErrors() {
        for message in [
            "create pod: There are no instances currently available",
            "create pod: There are no longer any instances available with the request specifications. Please try again later.",
            "create pod: This machine does not have the resources to deploy your pod. Please try a different machine"
        ] {
            let body = Data(#"{"error": "\#(message)", "status": 500}"#.utf8)
            let problem = Data(#"{"title": "Internal Server Error", "status": 500, "detail": "\#(message)"}"#.utf8)
            for data in [body, problem] {
                guard case .capacity = RunPodError.from(status: 500, body: data, headers: [:]) else {
                    return XCTFail("\(message) is not a capacity error")
                }
            }
        }
    }
}
