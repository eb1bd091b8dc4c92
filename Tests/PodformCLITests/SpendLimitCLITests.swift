import Foundation
import XCTest

/// Issue 20, "the account's spend limit": RunPod bills an account at most $80/hour by default
/// (RunPod's serverless pricing docs). A plan whose peak hourly bill, alone or summed over the specs
/// planned together, is over the limit says so with the figure; a flag or the spec states the real limit.
final class SpendLimitCLITests: XCTestCase {
    static let examples = ["examples/llama3-70b-bf16.yaml", "examples/steady-api.yaml", "examples/nightly-batch.yaml"]

    func plan(_ args: [String]) throws -> (status: Int32, deployments: [[String: Any]]) {
        let r = try CLITests.run(CLITests.binary, ["plan", "--offline", "--format", "json"] + args)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return (r.status, (object?["deployments"] as? [[String: Any]]) ?? [])
    }

    func warnings(_ d: [String: Any]) -> [String] {
        ((d["warnings"] as? [[String: Any]]) ?? []).filter { $0["code"] as? String == "spend-limit" }.compactMap { $0["message"] as? String }
    }

    func hourly(_ d: [String: Any]) -> Double { ((d["cost"] as? [String: Any])?["hourly_usd"] as? Double) ?? .nan }

    func testPodsUnderTheDefaultLimitSayNothingAndASumOverAStatedLimitIsNamedOnEach() throws {
        let quiet = try plan(Self.examples)
        XCTAssertEqual(quiet.status, 0)
        XCTAssertEqual(quiet.deployments.count, 3)
        XCTAssertTrue(quiet.deployments.allSatisfy { warnings($0).isEmpty }, "all three are under $80/hour")

        // Pods bill their running rate at peak; the three together are over $20/hour, none alone.
        let rates = quiet.deployments.map(hourly)
        let total = rates.reduce(0, +)
        XCTAssertTrue(rates.allSatisfy { $0 < 20 } && total > 20, "\(rates)")
        let summed = try plan(["--spend-limit", "20 USD/hour"] + Self.examples)
        XCTAssertEqual(summed.status, 0, "a warning, not an error")
        for (d, rate) in zip(summed.deployments, rates) {
            let w = warnings(d)
            XCTAssertEqual(w.count, 1, "\(w)")
            XCTAssertTrue(w.first?.contains(String(format: "bill $%.2f/hour together", total)) == true, "\(w)")
            XCTAssertTrue(w.first?.contains(String(format: "(this one $%.2f)", rate)) == true, "\(w)")
            XCTAssertTrue(w.first?.contains("the account's $20.00/hour spend limit") == true, "\(w)")
        }

        // One over it alone: only that one is named, with its own figure.
        let alone = try plan(["--spend-limit", "10"] + Self.examples)
        for (d, rate) in zip(alone.deployments, rates) {
            XCTAssertEqual(warnings(d).isEmpty, rate <= 10, "\(d["name"] ?? "") at $\(rate)/hour")
            if rate > 10 { XCTAssertTrue(warnings(d)[0].contains(String(format: "bills $%.2f/hour", rate)), warnings(d)[0]) }
        }
    }

    func testTheSpecStatesTheLimitAndABadOneIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podform-spend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try String(contentsOf: CLITests.root.appendingPathComponent("examples/llama3-70b-bf16.yaml"), encoding: .utf8)
        let limited = dir.appendingPathComponent("limited.yaml").path
        try base.replacingOccurrences(of: "  require_ecc: true", with: "  require_ecc: true\n  account_spend_limit: 5 USD/hour")
            .write(toFile: limited, atomically: true, encoding: .utf8)
        let stated = try plan([limited])
        XCTAssertEqual(stated.status, 0)
        let d = try XCTUnwrap(stated.deployments.first)
        XCTAssertEqual(warnings(d).count, 1)
        XCTAssertTrue(
            warnings(d)[0].contains(String(format: "bills $%.2f/hour, over the account's $5.00/hour spend limit", hourly(d))), warnings(d)[0])
        // The flag wins over the spec.
        XCTAssertTrue(warnings(try XCTUnwrap(try plan(["--spend-limit", "500", limited]).deployments.first)).isEmpty)

        let bad = dir.appendingPathComponent("bad.yaml").path
        try base.replacingOccurrences(of: "  require_ecc: true", with: "  require_ecc: true\n  account_spend_limit: lots")
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try CLITests.run(CLITests.binary, ["validate", bad])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(
            refused.stdout.contains("constraints.account_spend_limit") || refused.stderr.contains("constraints.account_spend_limit"),
            refused.stdout + refused.stderr)
        let flag = try CLITests.run(CLITests.binary, ["plan", "--offline", "--spend-limit=-3", limited])
        XCTAssertNotEqual(flag.status, 0)
        XCTAssertTrue(flag.stderr.contains("--spend-limit must be a positive amount per hour"), flag.stderr)
    }
}
