import Foundation
import XCTest

/// `podform simulate` end to end on the built binary.
final class SimulateCLITests: XCTestCase {
    func testSimulatesASpecAsTextJSONAndSVG() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("day.svg").path
        let text = try CLITests.run(CLITests.binary, ["simulate", "--offline", "examples/support-chat.yaml", "--days", "1", "--svg", svg])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("TTFT:      p50"), text.stdout)
        XCTAssertTrue(text.stdout.contains("SLA ttft_p95: met"), text.stdout)
        // The claim it compares with is the plan's own figure.
        let claimed = try CLITests.run(CLITests.binary, ["plan", "--offline", "--format", "json", "examples/support-chat.yaml"])
        let object = try JSONSerialization.jsonObject(with: Data(claimed.stdout.utf8)) as? [String: Any]
        let deployment = try XCTUnwrap((object?["deployments"] as? [[String: Any]])?.first)
        let monthly = try XCTUnwrap((deployment["cost"] as? [String: Any])?["monthly_usd"] as? Double)
        XCTAssertTrue(text.stdout.contains(String(format: "the plan says $%.2f", monthly)), text.stdout)
        XCTAssertTrue(text.stdout.contains("█"), "sparkline: \(text.stdout)")
        let picture = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(picture.hasPrefix("<svg"))
        XCTAssertTrue(picture.contains("p95 TTFT"))

        let json = try CLITests.run(CLITests.binary, ["simulate", "--offline", "examples/support-chat.yaml", "--days", "1", "--seed", "5", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let report = try XCTUnwrap(decoded?.first?["report"] as? [String: Any])
        XCTAssertEqual(report["seed"] as? Int, 5)
        XCTAssertEqual((report["workers_by_time_of_day"] as? [Any])?.count, 288)
        XCTAssertGreaterThan(report["requests"] as? Int ?? 0, 15_000)

        // A saved plan simulates the same as its spec.
        let plan = dir.appendingPathComponent("plan.json").path
        let saved = try CLITests.run(CLITests.binary, ["plan", "--offline", "examples/support-chat.yaml", "--out", plan])
        XCTAssertEqual(saved.status, 0, saved.stderr)
        let fromPlan = try CLITests.run(CLITests.binary, ["simulate", "--offline", plan, "--days", "1", "--seed", "5", "--json"])
        XCTAssertEqual(fromPlan.stdout, json.stdout)
    }
}
