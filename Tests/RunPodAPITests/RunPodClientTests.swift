import Foundation
import PodformCatalog
import PodformTestSupport
import XCTest

@testable import RunPodAPI

/// A transport that answers from a closure (fast request-building tests, no sockets).
struct ClosureTransport: HTTPTransport {
    let handler: @Sendable (HTTPRequestData) async throws -> HTTPResponseData
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData { try await handler(request) }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

final class RunPodClientTests: XCTestCase {
    static let sentinel = "rpa_SENTINEL_4c7d1e9b2f"

    /// The list example of RunPod's OpenAPI document (GET /v2/catalog/gpus), plus an unknown field.
    static let catalogBody = Data(
        """
        {"gpus": [
          {"id": "NVIDIA GeForce RTX 4090", "name": "RTX 4090", "pool": "ADA_24", "manufacturer": "NVIDIA", "memory": 24,
           "secure": true, "community": true, "price": {"secure": 0.44, "community": 0.31, "serverless": 1.1},
           "maxCount": {"secure": 8, "community": 4}, "availability": "HIGH", "futureField": {"x": 1}},
          {"id": "NVIDIA H100 80GB HBM3", "name": "H100 SXM", "pool": "ADA_80_PRO", "manufacturer": "NVIDIA", "memory": 80,
           "secure": true, "community": false, "price": {"secure": 2.99, "community": 0, "serverless": 4.18},
           "maxCount": {"secure": 8, "community": 0}},
          {"id": "NVIDIA B300 Ultra", "name": "B300U", "pool": null, "manufacturer": "NVIDIA", "memory": 288,
           "secure": true, "community": false, "price": {"secure": 8.5, "community": 0}, "maxCount": {"secure": 8, "community": 0}}
        ]}
        """.utf8)

    func withFake(_ body: (FakeRunPodServer) async throws -> Void) async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.sentinel, gpuTypes: Self.catalogBody)
        do { try await body(fake) } catch { await fake.stop(); throw error }
        await fake.stop()
    }

    func client(_ fake: FakeRunPodServer, key: String = sentinel) -> RunPodClient {
        RunPodClient(baseURL: fake.baseURL, apiKey: key, sleep: { _ in })
    }

    func testListsGPUTypesOverURLSessionWithBearerAuth() async throws {
        try await withFake { fake in
            let data = try await self.client(fake).listGPUTypes()
            XCTAssertEqual(data, Self.catalogBody)
            let requests = await fake.state.requests
            XCTAssertEqual(requests.map(\.path), ["/v2/catalog/gpus"])
        }
    }

    func testWrongKeyIsAClearErrorWithoutTheKey() async throws {
        try await withFake { fake in
            do {
                _ = try await self.client(fake, key: "rpa_WRONG_KEY_123456").listGPUTypes()
                XCTFail("expected 401")
            } catch let error as RunPodError {
                guard case .unauthorized = error else { return XCTFail("\(error)") }
                XCTAssertTrue(error.description.contains("RUNPOD_API_KEY"))
                XCTAssertFalse(error.description.contains("rpa_WRONG_KEY_123456"))
            }
        }
    }

    func testRetriesTransientFailuresThenSucceeds() async throws {
        try await withFake { fake in
            await fake.state.setFaults([503, 429, 500])
            let data = try await self.client(fake).listGPUTypes()
            XCTAssertEqual(data, Self.catalogBody)
            let count = await fake.state.requests.count
            XCTAssertEqual(count, 4)
        }
    }

    func testGivesUpAfterBoundedAttempts() async throws {
        try await withFake { fake in
            await fake.state.setFaults([503, 503, 503, 503, 503])
            do {
                _ = try await self.client(fake).listGPUTypes()
                XCTFail("expected a server error")
            } catch RunPodError.server(let status, _) {
                XCTAssertEqual(status, 503)
            }
            let count = await fake.state.requests.count
            XCTAssertEqual(count, RetryPolicy().maxAttempts)
        }
    }

    func testCreatesAreNotBlindlyRetried() async throws {
        let calls = Counter()
        let transport = ClosureTransport { _ in
            _ = calls.next()
            return HTTPResponseData(status: 500, body: Data(#"{"title":"Internal","status":500}"#.utf8))
        }
        let client = RunPodClient(baseURL: URL(string: "http://127.0.0.1:9")!, apiKey: "k", transport: transport, sleep: { _ in })
        do {
            _ = try await client.send("POST", "/v2/pods", body: Data("{}".utf8))
            XCTFail("expected an error")
        } catch RunPodError.server {}
        XCTAssertEqual(calls.next(), 2)  // one call made, this is the second count
    }

    func testProblemBodiesBecomeTypedErrors() {
        let body = Data(
            #"{"title":"Unprocessable","status":422,"detail":"invalid request","errors":[{"field":"gpu.count","message":"must be >= 1"}]}"#.utf8)
        XCTAssertEqual(
            RunPodError.from(status: 422, body: body, headers: [:]),
            .unprocessable("invalid request", fields: ["gpu.count: must be >= 1"]))
        XCTAssertEqual(RunPodError.from(status: 429, body: Data(), headers: ["retry-after": "7"]), .rateLimited(retryAfter: 7))
        let capacity = Data(#"{"status":500,"detail":"There are no longer any instances available with the requested specifications"}"#.utf8)
        guard case .capacity = RunPodError.from(status: 500, body: capacity, headers: [:]) else { return XCTFail() }
        XCTAssertTrue(RunPodError.from(status: 403, body: Data(), headers: [:]).description.contains("permission"))
        XCTAssertTrue(RunPodError.from(status: 502, body: Data("<html>bad gateway</html>".utf8), headers: [:]).description.contains("502"))
    }

    func testConnectionFailureIsATransportError() async throws {
        let client = RunPodClient(baseURL: URL(string: "http://127.0.0.1:1")!, apiKey: Self.sentinel, retry: .none, timeout: 5)
        do {
            _ = try await client.listGPUTypes()
            XCTFail("expected a transport error")
        } catch let error as RunPodError {
            guard case .transport = error else { return XCTFail("\(error)") }
            XCTAssertFalse(error.description.contains(Self.sentinel))
        }
        XCTAssertFalse("\(client)".contains(Self.sentinel))
    }

    func testAPIKeyFromEnvironmentOrFile() throws {
        XCTAssertEqual(try RunPodClient.apiKey(environment: ["RUNPOD_API_KEY": " abc \n"], keyFile: nil), "abc")
        XCTAssertThrowsError(try RunPodClient.apiKey(environment: [:], keyFile: nil)) {
            XCTAssertEqual($0 as? RunPodError, .missingAPIKey)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString)")
        try "filekey\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try RunPodClient.apiKey(environment: ["RUNPOD_API_KEY": "env"], keyFile: file.path), "filekey")
    }

    func testOverlayUpdatesPricesAddsNewIdsAndMarksDelisted() throws {
        let overlay = try CatalogOverlay.fromListResponse(Self.catalogBody, fetchedAt: "2026-11-25", source: "fake")
        let merged = overlay.apply(to: try GPUCatalog.bundled())
        let h100 = try XCTUnwrap(merged.gpu(named: "NVIDIA H100 80GB HBM3"))
        XCTAssertEqual(h100.prices.podSecurePerHour?.usd, 2.99)
        XCTAssertEqual(h100.prices.podSecurePerHour?.asOf, "2026-11-25")
        XCTAssertEqual(h100.prices.podSecurePerHour?.official, true)
        XCTAssertEqual(h100.prices.serverlessFlexPerSecond?.usd ?? 0, 4.18 / 3600, accuracy: 1e-9)
        XCTAssertEqual(h100.delisted, false)
        let l40s = try XCTUnwrap(merged.gpu(named: "NVIDIA L40S"))
        XCTAssertEqual(l40s.delisted, true)  // not in the live list: kept, marked
        let new = try XCTUnwrap(merged.gpu(named: "NVIDIA B300 Ultra"))
        XCTAssertEqual(new.memoryGB, 288)
        XCTAssertEqual(merged.asOf, "2026-11-25")
        XCTAssertEqual(merged.gpus.count, 45)
        XCTAssertThrowsError(try CatalogOverlay.fromListResponse(Data("{not json".utf8), fetchedAt: "x", source: "y"))
    }
}
