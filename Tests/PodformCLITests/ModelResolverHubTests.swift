import Foundation
import PodformCatalog
import PodformKit
import RunPodAPI
import XCTest

/// Hub fetches in model resolution go through `ModelResolver.hub` (the HTTP transport seam): a fake
/// answers here, so these tests never open a socket.
final class ModelResolverHubTests: XCTestCase {
    /// Answers by URL path suffix and records every request.
    final class FakeHub: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var sent: [HTTPRequestData] = []
        let answers: [String: HTTPResponseData]
        let failure: (any Error)?
        init(_ answers: [String: HTTPResponseData] = [:], failure: (any Error)? = nil) {
            self.answers = answers
            self.failure = failure
        }
        var requests: [HTTPRequestData] { lock.lock(); defer { lock.unlock() }; return sent }
        private func record(_ request: HTTPRequestData) { lock.lock(); sent.append(request); lock.unlock() }
        func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
            record(request)
            if let failure { throw failure }
            return answers.first { request.url.path.hasSuffix($0.key) }?.value ?? HTTPResponseData(status: 404)
        }
    }

    var cacheDir: URL!
    let catalog = try! ModelCatalog.bundled()
    let config = try! Data(contentsOf: CLITests.root.appendingPathComponent("Tests/PodformCatalogTests/Fixtures/Qwen3-30B-A3B.config.json"))

    override func setUp() {
        cacheDir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-hub-\(UUID().uuidString)")
    }

    override func tearDown() { try? FileManager.default.removeItem(at: cacheDir) }

    func resolver(_ hub: FakeHub, token: String? = nil) -> ModelResolver {
        var env = ["PODFORM_CACHE_DIR": cacheDir.path, "HF_ENDPOINT": "https://hub.invalid"]
        env["HF_TOKEN"] = token
        return ModelResolver(catalog: catalog, environment: env, hub: hub)
    }

    func testConfigIsFetchedAtTheRevisionWithTheTokenThenCached() throws {
        let hub = FakeHub(["/config.json": HTTPResponseData(status: 200, body: config)])
        let arch = try resolver(hub, token: "hf_fake_token").resolve(id: "acme/qwen-copy", configPath: nil, revision: "v1.0")
        XCTAssertEqual(arch.id, "acme/qwen-copy")
        XCTAssertNil(arch.checkpoint, "no safetensors index (404): sized from the parameter count")
        XCTAssertEqual(
            hub.requests.map(\.url.absoluteString),
            [
                "https://hub.invalid/acme/qwen-copy/resolve/v1.0/config.json",
                "https://hub.invalid/acme/qwen-copy/resolve/v1.0/model.safetensors.index.json"
            ])
        XCTAssertEqual(hub.requests.first?.headers["Authorization"], "Bearer hf_fake_token")

        let again = FakeHub()
        XCTAssertEqual(try resolver(again).fetchFromHub("acme/qwen-copy", revision: "v1.0"), arch)
        XCTAssertTrue(again.requests.isEmpty, "the second resolution reads the cache")
    }

    func testHubAnswersBecomeClearFailures() {
        func message(_ hub: FakeHub, token: String? = nil) -> String {
            do { _ = try resolver(hub, token: token).fetchFromHub("acme/gated"); return "resolved" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(FakeHub(["/config.json": HTTPResponseData(status: 401)])).contains("is gated: set HF_TOKEN"))
        XCTAssertTrue(message(FakeHub()).contains("no model `acme/gated` on the Hugging Face Hub"))
        let unreachable = message(FakeHub(failure: URLError(.notConnectedToInternet)))
        XCTAssertTrue(unreachable.contains("could not reach the Hugging Face Hub"), unreachable)
        let echoed = message(
            FakeHub(["/config.json": HTTPResponseData(status: 500, body: Data("token hf_secret_value bad".utf8))]),
            token: "hf_secret_value")
        XCTAssertTrue(echoed.contains("HTTP 500"), echoed)
        XCTAssertFalse(echoed.contains("hf_secret_value"), echoed)
    }

    func testOfflineResolutionNeverAsksTheHub() {
        let hub = FakeHub(["/config.json": HTTPResponseData(status: 200, body: config)])
        var r = resolver(hub)
        r.allowHub = false
        XCTAssertThrowsError(try r.resolve(id: "acme/qwen-copy", configPath: nil))
        XCTAssertTrue(hub.requests.isEmpty)
    }
}
