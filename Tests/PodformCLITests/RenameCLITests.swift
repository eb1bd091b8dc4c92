import Foundation
import PodformTestSupport
import XCTest

/// The defect as a user met it: `podform apply` of the INT4 pod example, the pod renamed in the
/// console, then `podform plan` proposed a second 80 GB pod. Now the plan renames it back in place.
final class RenameCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_RENAME_CLI_1618"

    func podform(_ args: [String], env: [String: String]) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func testARenamedPodIsRenamedBackNotDuplicated() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        await fake.state.setPodPhaseSeconds(0.01)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("podform-rename-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.appendingPathComponent("cache").path
        ]
        let spec = tmp.appendingPathComponent("llama3-70b-int4.yaml")
        try String(contentsOf: CLITests.root.appendingPathComponent("examples/llama3-70b-int4.yaml"), encoding: .utf8)
            .write(to: spec, atomically: true, encoding: .utf8)
        let applied = try await podform(["apply", "--auto-approve", "--wait-timeout", "10", spec.path], env: env)
        XCTAssertEqual(applied.status, 0, applied.stderr)
        let podIDs = await fake.state.ids(.pod)
        let podID = try XCTUnwrap(podIDs.first)
        XCTAssertEqual(podIDs.count, 1)
        // The console rename.
        await fake.state.mutate(.pod, id: podID) { $0["name"] = "my-pod" }
        let plan = try await podform(["plan", "--detailed-exitcode", spec.path], env: env)
        XCTAssertEqual(plan.status, 2, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("  ~ pod \"podform-llama3-70b-int4\" (\(podID)): renamed in place; the pod keeps running\n"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("      ~ name: \"my-pod\" -> \"podform-llama3-70b-int4\"\n"), plan.stdout)
        XCTAssertFalse(plan.stdout.contains("+ pod"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy.\n"), plan.stdout)
        await fake.state.clearRequests()
        let again = try await podform(["apply", "--auto-approve", "--wait-timeout", "10", spec.path], env: env)
        XCTAssertEqual(again.status, 0, again.stderr)
        let writes = await fake.state.requests.filter { $0.method != "GET" }.map { "\($0.method) \($0.path)" }
        XCTAssertEqual(writes, ["PATCH /v2/pods/\(podID)"], "one rename, no POST")
        let names = await fake.state.names(.pod)
        XCTAssertEqual(names, ["podform-llama3-70b-int4"])
        let quiet = try await podform(["plan", "--detailed-exitcode", spec.path], env: env)
        XCTAssertEqual(quiet.status, 0, quiet.stdout + quiet.stderr)
        await fake.stop()
    }
}
