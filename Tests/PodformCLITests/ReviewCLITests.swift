import Foundation
import PodformTestSupport
import XCTest

/// Review on GitHub, end to end against the loopback fake: the PR comment rendered by GitHub's own
/// Markdown renderer (cmark-gfm, through `cmarkgfm`), the plan JSON checked by check-jsonschema
/// against `Schemas/podform-plan.schema.json`, and the reviewed plan applied as saved.
final class ReviewCLITests: XCTestCase {
    static let key = "rpa_SENTINEL_REVIEW_27182818"

    func podform(_ args: [String], env: [String: String], cwd: URL) async throws -> CLITests.Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: try CLITests.run(CLITests.binary, args, env: env, cwd: cwd, timeout: 120)) } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// The comment as GitHub shows it (`GitHubMarkdown`: cmark-gfm); a skip without the renderer, a failure in CI.
    static func renderGFM(_ markdown: String) throws -> GitHubMarkdown {
        do { return try GitHubMarkdown.render(markdown) } catch let missing as GitHubMarkdown.Unavailable {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("\(missing) (.ci/run installs it)") }
            throw XCTSkip(missing.description)
        }
    }

    func testThePRCommentAndPlanJSONShowEachChangeAndTheReviewedPlanIsWhatApplies() async throws {
        let fake = try await FakeRunPodServer(apiKey: Self.key, gpuTypes: FakeCatalog.bundled())
        await fake.state.setPodPhaseSeconds(0.02)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("podform-review-\(UUID().uuidString)")
        let specs = tmp.appendingPathComponent("deployments")
        try FileManager.default.createDirectory(at: specs, withIntermediateDirectories: true)
        let env = [
            "RUNPOD_API_KEY": Self.key, "RUNPOD_API_URL": fake.baseURL.absoluteString, "PODFORM_CACHE_DIR": tmp.appendingPathComponent("cache").path
        ]
        let chat = try String(contentsOf: CLITests.root.appendingPathComponent("examples/support-chat.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  cloud: secure\n", with: "  cloud: secure\n  gpus: [L40S, A6000, A100-PCIE, H100]\n")
        let api = try String(contentsOf: CLITests.root.appendingPathComponent("examples/steady-api.yaml"), encoding: .utf8)
        try chat.write(to: specs.appendingPathComponent("chat.yaml"), atomically: true, encoding: .utf8)
        try api.write(to: specs.appendingPathComponent("api.yaml"), atomically: true, encoding: .utf8)
        let created = try await podform(["apply", "--auto-approve", "--wait-timeout", "60", "deployments/"], env: env, cwd: tmp)
        XCTAssertEqual(created.status, 0, created.stderr)

        // Drift on the endpoint (max workers raised by hand) and a reviewed edit that moves the pod's GPU.
        let endpointIDs = await fake.state.ids(.endpoint)
        let endpointID = try XCTUnwrap(endpointIDs.first)
        await fake.state.mutate(.endpoint, id: endpointID) { e in
            var workers = e["workers"] as? [String: Any] ?? [:]
            workers["max"] = 5
            e["workers"] = workers
        }
        try api.replacingOccurrences(of: "  require_ecc: true", with: "  require_ecc: true\n  gpus: [B200]")
            .write(to: specs.appendingPathComponent("api.yaml"), atomically: true, encoding: .utf8)

        let json = try await podform(["plan", "--format", "json", "--detailed-exitcode", "--out", "plan.json", "deployments/"], env: env, cwd: tmp)
        XCTAssertEqual(json.status, 2, json.stderr)
        try assertPlanJSON(json.stdout, saved: tmp.appendingPathComponent("plan.json"))

        let md = try await podform(["plan", "--format", "markdown", "deployments/"], env: env, cwd: tmp)
        XCTAssertEqual(md.status, 0, md.stderr)
        try assertComment(md.stdout)
        // `show` renders the saved plan's changes the same way.
        let shown = try await podform(["show", "--format", "markdown", "plan.json"], env: [:], cwd: tmp)
        XCTAssertEqual(shown.status, 0, shown.stderr)
        try assertComment(shown.stdout, live: false)
        let shownText = try await podform(["show", "plan.json"], env: [:], cwd: tmp)
        XCTAssertTrue(shownText.stdout.contains("~ endpoint \"podform-support-chat\" (\(endpointID))"), shownText.stdout)
        XCTAssertTrue(shownText.stdout.contains("      ~ workers.max: 5 -> 1\n"), shownText.stdout)
        XCTAssertTrue(shownText.stdout.contains("Plan: 1 to add, 1 to change, 1 to destroy."), shownText.stdout)

        try await assertFailedPlansAreCommented(env: env, cwd: tmp)

        // The reviewed plan applies as saved (no prompt, no --auto-approve), then is stale.
        let applied = try await podform(["apply", "--wait-timeout", "60", "plan.json"], env: env, cwd: tmp)
        XCTAssertEqual(applied.status, 0, applied.stdout + applied.stderr)
        XCTAssertTrue(applied.stdout.contains("public-api: 1 created, 0 updated, 1 deleted"), applied.stdout)
        XCTAssertTrue(applied.stdout.contains("support-chat: 0 created, 1 updated, 0 deleted"), applied.stdout)
        let again = try await podform(["apply", "plan.json"], env: env, cwd: tmp)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("stale"), again.stderr)
        let offline = try await podform(["plan", "--offline", "--out", "offline.json", "deployments/"], env: env, cwd: tmp)
        XCTAssertEqual(offline.status, 0, offline.stderr)
        let refused = try await podform(["apply", "offline.json"], env: env, cwd: tmp)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("offline plan"), refused.stderr)
        await fake.stop()
    }

    /// Terraform's shape, checked by check-jsonschema, and the values a policy bot reads.
    func assertPlanJSON(_ text: String, saved: URL) throws {
        XCTAssertEqual(try String(contentsOf: saved, encoding: .utf8), text, "--out saves what was printed")
        if let checker = CLITests.tool("check-jsonschema") {
            let r = try CLITests.run(checker, ["--schemafile", "Schemas/podform-plan.schema.json", saved.path])
            XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        }
        let plan = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let changes = try XCTUnwrap(plan["resource_changes"] as? [[String: Any]])
        func change(_ address: String) throws -> [String: Any] {
            try XCTUnwrap(
                changes.first { $0["address"] as? String == address }?["change"] as? [String: Any],
                "\(address) in \(changes.map { "\($0["address"] ?? "") \(($0["change"] as? [String: Any])?["actions"] ?? "")" })")
        }
        let endpoint = try change("podform_endpoint.support-chat.podform-support-chat")
        XCTAssertEqual(endpoint["actions"] as? [String], ["update"])
        XCTAssertEqual(((endpoint["before"] as? [String: Any])?["workers"] as? [String: Any])?["max"] as? Int, 5)
        XCTAssertEqual(((endpoint["after"] as? [String: Any])?["workers"] as? [String: Any])?["max"] as? Int, 1)
        let pod = try change("podform_pod.public-api.podform-public-api")
        XCTAssertEqual(pod["actions"] as? [String], ["create", "delete"])
        XCTAssertEqual(pod["replace_paths"] as? [[String]], [["gpu", "id"]])
        XCTAssertEqual(((pod["after_sensitive"] as? [String: Any])?["env"] as? [String: Any])?["VLLM_API_KEY"] as? Bool, true)
        let volume = try change("podform_network_volume.support-chat.podform-support-chat-weights")
        XCTAssertEqual(volume["actions"] as? [String], ["no-op"])
    }

    /// The comment as a reviewer sees it on GitHub: what changes, field by field, and the cost.
    func assertComment(_ markdown: String, live: Bool = true) throws {
        let html = try Self.renderGFM(markdown)
        XCTAssertTrue(html.headings.contains("Changes"), "\(html.headings)")
        XCTAssertTrue(html.headings.contains("support-chat") && html.headings.contains("public-api"), "\(html.headings)")
        XCTAssertTrue(html.rows.contains(["field", "change"]), "\(html.rows)")
        XCTAssertTrue(html.rows.contains(["workers.max", "5 → 1"]), "\(html.rows)")
        let gpu = try XCTUnwrap(html.rows.first { $0.first == "gpu.id" }, "\(html.rows)")
        XCTAssertTrue(gpu.last?.hasSuffix("→ \"NVIDIA B200\"") == true, "\(gpu)")
        XCTAssertFalse(gpu.last?.hasPrefix("\"NVIDIA B200\"") == true, "\(gpu)")
        XCTAssertTrue(html.paragraphs.contains { $0.hasPrefix("~ update endpoint podform-support-chat") }, "\(html.paragraphs)")
        XCTAssertTrue(html.paragraphs.contains { $0.hasPrefix("+/- replace pod podform-public-api") }, "\(html.paragraphs)")
        if live {
            XCTAssertTrue(
                html.paragraphs.contains {
                    $0.range(of: #"^Monthly cost: \$[0-9.]+ now → \$[0-9.]+ planned \([+-]\$[0-9.]+/month\)"#, options: .regularExpression) != nil
                },
                "\(html.paragraphs)")
        }
        // The summary table survives too (a row per spec), with the deployment details after it.
        XCTAssertTrue(html.rows.contains { $0.first == "support-chat" }, "\(html.rows)")
        XCTAssertTrue(html.rows.contains(["action", "kind", "name"]))
    }

    /// A plan that fails still makes a comment, with each error located.
    func assertFailedPlansAreCommented(env: [String: String], cwd: URL) async throws {
        let broken = cwd.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "version: 1\nname: bad-spec\nmodel: meta-llama/Llama-3.1-8B-Instruct\ncontext: 4k\nconcurrency: eight\n"
            .write(to: broken.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        try "version: 1\nname: huge\nmodel: meta-llama/Llama-3.1-8B-Instruct\ncontext: 4k\nconcurrency: 64\nconstraints: {monthly_budget: 5 USD}\n"
            .write(to: broken.appendingPathComponent("huge.yaml"), atomically: true, encoding: .utf8)
        let r = try await podform(["plan", "--format", "markdown", "broken/"], env: env, cwd: cwd)
        XCTAssertEqual(r.status, 1)
        let html = try Self.renderGFM(r.stdout)
        XCTAssertTrue(html.headings.contains("Errors"), r.stdout)
        XCTAssertTrue(html.items.contains { $0.hasPrefix("error: broken/bad.yaml:5:") && $0.contains("[type-mismatch]") }, "\(html.items)")
        XCTAssertTrue(html.items.contains { $0.hasPrefix("error: broken/huge.yaml:") && $0.contains("budget") }, "\(html.items)")
        // RunPod unreachable: still a comment, saying so.
        var down = env
        down["RUNPOD_API_URL"] = "http://127.0.0.1:9"
        let unreachable = try await podform(["plan", "--format", "markdown", "deployments/"], env: down, cwd: cwd)
        XCTAssertEqual(unreachable.status, 1)
        let downHTML = try Self.renderGFM(unreachable.stdout)
        XCTAssertTrue(downHTML.items.contains { $0.hasPrefix("error: RunPod:") }, unreachable.stdout + unreachable.stderr)
    }
}
