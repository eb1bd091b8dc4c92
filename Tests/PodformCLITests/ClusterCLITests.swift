import Foundation
import PodformTestSupport
import XCTest

/// Instant Clusters end to end: plan, apply (the fake validates `CreateClusterRequest` against the
/// OpenAPI document), a second plan with nothing to do, status with the Ray head, a capacity
/// fallback to the other GPU type's cluster, destroy.
final class ClusterCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_CLUSTER_16180"

    func podform(_ args: [String], env: [String: String]) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env, timeout: 120)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func testA405BClusterIsPlannedAppliedShownFallenBackAndDestroyed() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("llama-405b.yaml").path
        try SpecFixtures.llama405B().write(toFile: spec, atomically: true, encoding: .utf8)
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": dir.appendingPathComponent("cache").path
        ]

        let offline = try await podform(["plan", "--offline", spec], env: env)
        XCTAssertEqual(offline.status, 0, offline.stderr)
        XCTAssertTrue(offline.stdout.contains("runs on:  instant cluster (RAY), 2 nodes x 8 x NVIDIA A100-SXM4-80GB"), offline.stdout)
        XCTAssertTrue(offline.stdout.contains("+ resource \"cluster\" \"podform-llama-405b\""), offline.stdout)

        // The A100's cluster stock runs out: the plan takes the H100's; its create is refused with
        // RunPod's capacity answer: apply moves back down to the A100 (in stock again).
        await fake.state.setStock("NVIDIA A100-SXM4-80GB", "NONE", product: "CLUSTER")
        let plan = try await podform(["plan", spec], env: env)
        XCTAssertTrue(plan.stdout.contains("2 nodes x 8 x NVIDIA H100 80GB HBM3"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("stock:    skipped 8 x NVIDIA A100-SXM4-80GB cluster"), plan.stdout)
        await fake.state.resetStock()
        await fake.state.inject(Fault(.noCapacity, method: "POST", pathPrefix: "/v2/clusters"))
        let apply = try await podform(["apply", "--auto-approve", spec], env: env)
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        XCTAssertTrue(
            apply.stdout.contains(
                "no capacity for 2 nodes x 8 x NVIDIA A100-SXM4-80GB (cluster); moved to 2 nodes x 8 x NVIDIA H100 80GB HBM3 (cluster)"), apply.stdout
        )
        var counts = await fake.state.counts()
        XCTAssertEqual([counts["clusters"], counts["cluster_pods"], counts["pods"], counts["templates"]], [1, 2, 0, 0])
        let creates = await fake.state.requests.filter { $0.method == "POST" && $0.path == "/v2/clusters" }
        XCTAssertEqual(creates.map(\.status), [500, 201], "validated against CreateClusterRequest, created once")

        let status = try await podform(["status", spec], env: env)
        XCTAssertTrue(status.stdout.contains("cluster podform-llama-405b"), status.stdout)
        XCTAssertTrue(status.stdout.contains("Ray head 10.65.0.2:6379 (PRIMARY_ADDR)"), status.stdout)
        XCTAssertTrue(status.stdout.contains("-8000.proxy.runpod.net"), status.stdout)

        // The cheaper A100 is back in stock: the next apply replaces the cluster, one at the end.
        let again = try await podform(["apply", "--auto-approve", spec], env: env)
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        counts = await fake.state.counts()
        XCTAssertEqual([counts["clusters"], counts["cluster_pods"]], [1, 2])
        // Create before destroy: the old cluster is deleted only after the new one's nodes run.
        XCTAssertTrue((again.stdout + again.stderr).contains("waiting for cluster podform-llama-405b's nodes to run"), again.stdout + again.stderr)
        XCTAssertTrue((again.stdout + again.stderr).contains("2 of 2 nodes running"), again.stdout + again.stderr)
        let log = await fake.state.requests
        let deleted = try XCTUnwrap(log.lastIndex { $0.method == "DELETE" && $0.path.hasPrefix("/v2/clusters/") })
        let oldID = String(log[deleted].path.dropFirst("/v2/clusters/".count))
        let polls = log.indices.filter {
            log[$0].method == "GET" && log[$0].path.hasSuffix("/pods") && log[$0].path.hasPrefix("/v2/clusters/")
                && !log[$0].path.contains(oldID)
        }
        XCTAssertFalse(polls.isEmpty, "the new cluster's pods were polled")
        XCTAssertTrue(polls.allSatisfy { $0 < deleted }, "every poll of the new cluster came before the old one's delete")
        let settled = try await podform(["plan", "--detailed-exitcode", spec], env: env)
        XCTAssertEqual(settled.status, 0, settled.stdout + settled.stderr)

        // Offline and live cluster plans are valid plan documents.
        if let tool = CLITests.tool("check-jsonschema") {
            var files: [String] = []
            for (name, extra) in [("offline.json", ["--offline"]), ("live.json", [])] {
                let r = try await podform(["plan", "--format", "json"] + extra + [spec], env: env)
                let path = dir.appendingPathComponent(name).path
                try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
                files.append(path)
            }
            let checked = try CLITests.run(tool, ["--schemafile", "Schemas/podform-plan.schema.json"] + files)
            XCTAssertEqual(checked.status, 0, checked.stdout + checked.stderr)
        }

        let destroy = try await podform(["destroy", "--auto-approve", spec], env: env)
        XCTAssertEqual(destroy.status, 0, destroy.stdout + destroy.stderr)
        XCTAssertTrue(destroy.stdout.contains("- cluster \"podform-llama-405b\""), destroy.stdout)
        counts = await fake.state.counts()
        XCTAssertEqual([counts["clusters"] ?? 0, counts["cluster_pods"] ?? 0], [0, 0])
        await fake.stop()
    }
}
