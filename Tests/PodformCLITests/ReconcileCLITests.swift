import Foundation
import PodformTestSupport
import XCTest

/// `podform reconcile`, `plan DIR` and `apply DIR` as a user runs them: the built binary against
/// the loopback fake, over several rounds in one process.
final class ReconcileCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_RECONCILE_CLI_1618"

    func podform(_ args: [String], env: [String: String], timeout: TimeInterval = 90) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env, timeout: timeout)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// The examples the fake can place, copied into `dir` under their own names.
    func copyExamples(_ names: [String], to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(at: CLITests.root.appendingPathComponent("examples/\(name)"), to: dir.appendingPathComponent(name))
        }
    }

    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func setUp() async throws -> (FakeRunPodServer, URL, [String: String]) {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        await fake.state.setPodPhaseSeconds(0.05)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("podform-reconcile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.appendingPathComponent("cache").path
        ]
        return (fake, tmp, env)
    }

    /// The reproducer: round 2 onwards used to skip every spec (its own lock from round 1)
    /// and prune deleted everything. Now every round reconciles every spec, and nothing is deleted.
    func testEveryRoundReconcilesEverySpecAndPruneDeletesNothingInUse() async throws {
        let (fake, tmp, env) = try await setUp()
        let rec = tmp.appendingPathComponent("rec")
        try copyExamples(["support-chat.yaml", "internal-tool.yaml", "steady-api.yaml"], to: rec)
        let run = try await podform(["reconcile", rec.path, "--prune", "--interval", "1s", "--max-rounds", "4", "--log-format", "json"], env: env)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let lines = jsonLines(run.stdout)
        XCTAssertEqual(lines.count, run.stdout.split(separator: "\n").count, "every line is JSON: \(run.stdout)")
        let specLines = lines.filter { $0["msg"] as? String == "spec" }
        for round in 1...4 {
            let results = specLines.filter { $0["round"] as? Int == round }.compactMap { $0["result"] as? String }
            XCTAssertEqual(results.count, 3, "round \(round): \(run.stdout)")
            XCTAssertEqual(Set(results), round == 1 ? ["applied"] : ["in sync"], "round \(round): \(run.stdout)")
        }
        XCTAssertFalse(lines.contains { $0["result"] as? String == "skipped" || $0["msg"] as? String == "prune" })
        XCTAssertTrue(specLines.filter { $0["round"] as? Int == 4 }.allSatisfy { ($0["health"] as? String) == "Healthy" }, run.stdout)
        let counts = await fake.state.counts()
        XCTAssertEqual(counts["templates"], 3)
        XCTAssertEqual(counts["endpoints"]! + counts["pods"]!, 3)
        // Text logs are logfmt with quoting: values with spaces are quoted, numbers bare.
        let text = try await podform(["reconcile", rec.path, "--once"], env: env)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("result=\"in sync\" changes=0 writes=0 health=Healthy"), text.stdout)
        await fake.stop()
    }

    /// Prune stays in its scope: a spec removed from this directory is deleted; another
    /// directory's deployment, another label's and a selector that matches nothing are not.
    func testPruneOnlyWithinScopeAndSelector() async throws {
        let (fake, tmp, env) = try await setUp()
        let rec = tmp.appendingPathComponent("rec"), other = tmp.appendingPathComponent("other")
        try copyExamples(["support-chat.yaml", "internal-tool.yaml", "steady-api.yaml"], to: rec)
        try copyExamples(["llama3-70b-awq-endpoint.yaml"], to: other)
        let first = try await podform(["apply", "--auto-approve", other.path], env: env)
        XCTAssertEqual(first.status, 0, first.stderr)
        let once = try await podform(["reconcile", rec.path, "--once", "--prune"], env: env)
        XCTAssertEqual(once.status, 0, once.stdout + once.stderr)
        let all = await fake.state.names(.template)
        XCTAssertEqual(all.sorted(), ["podform-docs-helper", "podform-llama-70b-awq", "podform-public-api", "podform-support-chat"])

        // A selector only reconciles and prunes its own labels.
        let platform = try await podform(["reconcile", rec.path, "--once", "--prune", "-l", "team=platform"], env: env)
        XCTAssertEqual(platform.status, 0, platform.stdout + platform.stderr)
        XCTAssertFalse(platform.stdout.contains("support-chat"), platform.stdout)
        // A selector that matches nothing is an error with --prune, and deletes nothing.
        let none = try await podform(["reconcile", rec.path, "--once", "--prune", "--selector", "team=support,env=prod"], env: env)
        XCTAssertEqual(none.status, 1, none.stdout)
        XCTAssertTrue(none.stdout.contains("matches none of the 3 specs"), none.stdout)
        let names1 = await fake.state.names(.template)
        XCTAssertEqual(names1.count, 4)
        // A missing directory is an error for the round, never an empty desired state.
        let missing = try await podform(["reconcile", tmp.appendingPathComponent("no-such-dir").path, "--once", "--prune"], env: env)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stdout.contains("no such directory"), missing.stdout)
        let empty = tmp.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let emptyRun = try await podform(["reconcile", empty.path, "--once", "--prune"], env: env)
        XCTAssertEqual(emptyRun.status, 1)
        let names2 = await fake.state.names(.template)
        XCTAssertEqual(names2.count, 4)
        // A spec that does not parse blocks prune for the round (its name is unknown).
        try FileManager.default.removeItem(at: rec.appendingPathComponent("steady-api.yaml"))
        try "version: 1\nname: [broken\n".write(to: rec.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let blocked = try await podform(["reconcile", rec.path, "--once", "--prune"], env: env)
        XCTAssertEqual(blocked.status, 1, "an invalid spec makes --once fail")
        let names3 = await fake.state.names(.template)
        XCTAssertTrue(names3.contains("podform-public-api"))
        try FileManager.default.removeItem(at: rec.appendingPathComponent("broken.yaml"))

        // The PR that deletes a file shows what goes away; apply DIR then deletes it, and only it.
        let plan = try await podform(["plan", rec.path, "--detailed-exitcode"], env: env)
        XCTAssertEqual(plan.status, 2, plan.stdout + plan.stderr)
        XCTAssertTrue(plan.stdout.contains("- template \"podform-public-api\""), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("its spec is no longer in"), plan.stdout)
        XCTAssertFalse(plan.stdout.contains("llama-70b-awq"), plan.stdout)
        let json = try await podform(["plan", rec.path, "--format", "json"], env: env)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let removed = decoded?["removed"] as? [[String: Any]]
        XCTAssertEqual(removed?.compactMap { $0["spec"] as? String }, ["public-api"], json.stdout)
        let apply = try await podform(["apply", "--auto-approve", rec.path], env: env)
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        let names4 = await fake.state.names(.template)
        XCTAssertEqual(names4.sorted(), ["podform-docs-helper", "podform-llama-70b-awq", "podform-support-chat"])
        await fake.stop()
    }

    /// Two applies of one spec at once: the second waits for nothing and creates nothing (it
    /// takes the lock before reading live state and refuses).
    func testLockIsTakenBeforeLiveStateAndExcludesASecondApply() async throws {
        let (fake, tmp, env) = try await setUp()
        let rec = tmp.appendingPathComponent("rec")
        try copyExamples(["steady-api.yaml"], to: rec)
        let spec = rec.appendingPathComponent("steady-api.yaml").path
        // Slow the first apply's pod so the second one overlaps it.
        await fake.state.setPodPhaseSeconds(2)
        let a = Task.detached { try CLITests.run(CLITests.binary, ["apply", "--auto-approve", spec], env: env, timeout: 90) }
        try await Task.sleep(nanoseconds: 700_000_000)
        let b = try await podform(["apply", "--auto-approve", spec], env: env)
        let first = try await a.value
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(b.status, 1, b.stdout + b.stderr)
        XCTAssertTrue(b.stderr.contains("being applied by another podform"), b.stderr)
        let pods = await fake.state.names(.pod)
        XCTAssertEqual(pods, ["podform-public-api"], "exactly one pod")
        await fake.stop()
    }

    /// Two specs with one name collide on RunPod: validate says so at the second one's `name`,
    /// and plan refuses both.
    func testDuplicateSpecNamesAreLocatedErrors() async throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("podform-dup-\(UUID().uuidString)")
        try copyExamples(["support-chat.yaml"], to: tmp)
        try FileManager.default.copyItem(at: tmp.appendingPathComponent("support-chat.yaml"), to: tmp.appendingPathComponent("copy.yaml"))
        let files = [tmp.appendingPathComponent("copy.yaml").path, tmp.appendingPathComponent("support-chat.yaml").path]
        let validate = try await podform(["validate"] + files, env: [:])
        XCTAssertEqual(validate.status, 1)
        XCTAssertTrue(validate.stderr.contains("support-chat.yaml:5:7: error: another spec is also named `support-chat`"), validate.stderr)
        let plan = try await podform(["plan", "--offline", tmp.path], env: [:])
        XCTAssertEqual(plan.status, 1)
        XCTAssertTrue(plan.stderr.contains("[duplicate-spec-name]"), plan.stderr)
    }
}
