import Foundation
import PodformTestSupport
import RunPodAPI
import XCTest

@testable import PodformApply

/// RunPod (or a proxy) answering badly: a clear error, no crash, nothing left half-done.
final class BadAnswerTests: XCTestCase {
    func testEveryBadAnswerIsAClearErrorOrToleratedAndApplyStillConverges() async throws {
        let d = try ApplyTests.deployment(ApplyTests.example("support-chat.yaml"))
        let kinds: [(Fault.Kind, String)] = [
            (.malformedBody, "malformed"), (.missingFields, "missing fields"), (.hugeBody, "huge body"),
            (.wrongContentType, "HTML page"), (.unknownEnum, "unknown enum"), (.delay(seconds: 1.5), "slow")
        ]
        for (kind, label) in kinds {
            for target in [("GET", "/v2/templates"), ("POST", "/v2/templates"), ("POST", "/v2/serverless"), ("GET", "/v2/pods")] {
                let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
                let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, retry: .none, timeout: 1, sleep: { _ in })
                await fake.state.inject(Fault(kind, method: target.0, pathPrefix: target.1, times: 1))
                var firstError: String?
                do {
                    let live = try await LiveState.fetch(client)
                    _ = try await apply(diff(d, live: live), client: client, options: ApplyOptions(waitTimeout: 5, pollInterval: 0.02))
                } catch {
                    firstError = "\(error)"
                    XCTAssertFalse(firstError!.contains(ApplyTests.key))
                    XCTAssertLessThan(firstError!.count, 1000, "\(label): error text should be short, not a dump")
                }
                // A second apply converges with exactly the planned resources.
                let patient = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, timeout: 5, sleep: { _ in })
                let live = try await LiveState.fetch(patient)
                _ = try await apply(diff(d, live: live), client: patient, options: ApplyOptions(waitTimeout: 5, pollInterval: 0.02))
                let counts = await fake.state.counts()
                XCTAssertEqual(
                    counts, ["pods": 0, "endpoints": 1, "templates": 1, "network_volumes": 1],
                    "\(label) at \(target): \(firstError ?? "no error")")
                let after = try await LiveState.fetch(patient)
                XCTAssertFalse(diff(d, live: after).hasChanges, "\(label) at \(target)")
                await fake.stop()
            }
        }
    }

    func testBadListAnswersSayWhatWasWrong() async throws {
        let fake = try await FakeRunPodServer(apiKey: ApplyTests.key, gpuTypes: ApplyTests.fakeGPUs)
        let client = RunPodClient(baseURL: fake.baseURL, apiKey: ApplyTests.key, retry: .none, timeout: 5, sleep: { _ in })
        await fake.state.inject(Fault(.missingFields, method: "GET", pathPrefix: "/v2/pods"))
        do { _ = try await client.listPods(); XCTFail() } catch RunPodError.invalidResponse(let m) {
            XCTAssertTrue(m.contains("missing `pods.0.id`") || m.contains("missing"), m)
        }
        await fake.state.inject(Fault(.hugeBody, method: "GET", pathPrefix: "/v2/pods"))
        do { _ = try await client.listPods(); XCTFail() } catch RunPodError.invalidResponse(let m) { XCTAssertTrue(m.contains("over"), m) }
        await fake.state.inject(Fault(.wrongContentType, method: "GET", pathPrefix: "/v2/pods"))
        do { _ = try await client.listPods(); XCTFail() } catch RunPodError.invalidResponse(let m) { XCTAssertTrue(m.contains("malformed"), m) }
        // Unknown enum values are tolerated: podform reads status as text.
        _ = try await client.createOnce(.pod, name: "p", body: ["name": "p", "gpu": ["id": "NVIDIA L40S", "count": 1]])
        await fake.state.inject(Fault(.unknownEnum, method: "GET", pathPrefix: "/v2/pods"))
        let pods = try await client.listPods()
        XCTAssertEqual(pods.first?.status, "HIBERNATING")
        await fake.stop()
    }
}
