import Foundation
import PodformTestSupport
import XCTest

/// Fixes from a review of the issue 17/20 merges: clusters always at the Secure rate, `simulate`
/// refuses what it does not model or cannot hold, the spend-limit peak uses the spec's active discount.
final class ReviewFixesCLITests: XCTestCase {
    func write(_ text: String, _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-fixes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func deployment(_ args: [String]) throws -> [String: Any] {
        let r = try CLITests.run(CLITests.binary, ["plan", "--offline", "--format", "json"] + args)
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return try XCTUnwrap((object?["deployments"] as? [[String: Any]])?.first)
    }

    /// Instant Clusters run in Secure Cloud: `cloud: community` does not make one cheaper.
    func testAClusterCostsTheSameWhateverTheCloudConstraint() throws {
        let secure = try deployment([try write(SpecFixtures.llama405B(), "secure.yaml")])
        let community = try deployment([
            try write(
                SpecFixtures.llama405B().replacingOccurrences(
                    of: "constraints: {gpus:", with: "constraints: {cloud: community, gpus:"), "community.yaml")
        ])
        XCTAssertNotNil(secure["cluster"])
        XCTAssertNotNil(community["cluster"])
        XCTAssertEqual(
            (secure["cost"] as? [String: Any])?["hourly_usd"] as? Double,
            (community["cost"] as? [String: Any])?["hourly_usd"] as? Double)
    }

    func testSimulateSaysWhatItDoesNotModelAndBoundsItsWork() throws {
        let cluster = try CLITests.run(CLITests.binary, ["simulate", "--offline", try write(SpecFixtures.llama405B(), "c.yaml")])
        XCTAssertEqual(cluster.status, 0, cluster.stderr)
        XCTAssertTrue(cluster.stderr.contains("multi-node Instant Cluster") && cluster.stderr.contains("not simulated"), cluster.stderr)

        let huge = try write(
            """
            version: 1
            name: huge-traffic
            model: {id: meta-llama/Llama-3.1-8B-Instruct}
            context: 4096
            concurrency: 64
            traffic: {pattern: steady, requests_per_day: 300000}
            deploy: {mode: pod}
            """, "huge.yaml")
        let start = Date()
        let refused = try CLITests.run(CLITests.binary, ["simulate", "--offline", huge, "--days", "366"], timeout: 60)
        XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("more than podform simulate holds (100 million)"), refused.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30, "refused before simulating")
    }

    /// The peak of an all-active endpoint priced with `deploy.active_discount`: workers x GPUs x
    /// flex x (1 - discount) x 3600, from the bundled catalog's flex price (not the list active rate).
    func testTheSpendLimitPeakUsesTheSpecsActiveDiscount() throws {
        let spec = """
            version: 1
            name: discounted
            model: {id: meta-llama/Llama-3.1-8B-Instruct}
            context: 4096
            concurrency: 32
            traffic: {pattern: steady, requests_per_day: 50000}
            sla: {ttft_p95: 2s, cold_start: none}
            deploy: {mode: serverless, active_discount: 40%}
            """
        let path = try write(spec, "discounted.yaml")
        let d = try deployment(["--spend-limit", "0.01", path])
        XCTAssertEqual(d["worker_mode"] as? String, "active")
        let gpu = try XCTUnwrap(d["gpu"] as? [String: Any])
        let workers = try XCTUnwrap((d["workers"] as? [String: Any])?["max"] as? Int)
        let catalog =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: CLITests.root.appendingPathComponent(
                        "Sources/PodformCatalog/Resources/gpus.json"))) as? [String: Any]
        let entry = try XCTUnwrap((catalog?["gpus"] as? [[String: Any]])?.first { $0["id"] as? String == gpu["id"] as? String })
        let prices = try XCTUnwrap(entry["prices"] as? [String: Any])
        let flex = try XCTUnwrap((prices["serverless_flex_usd_per_second"] as? [String: Any])?["usd"] as? Double)
        let peak = Double(workers) * Double(try XCTUnwrap(gpu["count"] as? Int)) * flex * 0.6 * 3600
        let messages = ((d["warnings"] as? [[String: Any]]) ?? []).filter { $0["code"] as? String == "spend-limit" }.compactMap {
            $0["message"] as? String
        }
        XCTAssertEqual(messages.count, 1, "\(messages)")
        XCTAssertTrue(messages.first?.contains(String(format: "bills $%.2f/hour", peak)) == true, "\(messages) vs \(peak)")
    }
}
