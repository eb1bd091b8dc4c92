import Foundation
import PodformApply
import PodformCompiler
import PodformCore
import PodformRender
import PodformTestSupport
import XCTest

/// Every example compiles, validates clean, and renders exactly as its golden files.
final class GoldenTests: XCTestCase {
    func testEveryExampleValidatesCleanAndMatchesItsGoldenPlans() throws {
        let files = try Fixtures.exampleFiles()
        XCTAssertGreaterThanOrEqual(files.count, 8)
        for url in files {
            let text = try String(contentsOf: url, encoding: .utf8)
            let path = "examples/\(url.lastPathComponent)"
            let diagnostics = Spec.validate(path: path, text: text, environment: Fixtures.validation).1
            XCTAssertEqual(diagnostics, [], "\(path) should validate clean")
            guard let d = Fixtures.deployment(text, path: path) else { continue }
            let plan = ReviewedPlan(offline: Plan(catalogAsOf: Fixtures.gpus.asOf, deployments: [d]))
            let name = url.deletingPathExtension().lastPathComponent
            assertGolden(PlanTextRenderer.render(plan, explain: true), "\(name)/plan.txt")
            assertGolden(try encodeJSON(plan), "\(name)/plan.json")
            assertGolden(PlanMarkdownRenderer.render(plan), "\(name)/plan.md")
        }
    }

    /// What plans, PR comments and Dockerfiles cite is something a user can open: no source
    /// documents of podform's own research (`seeds/`, `NOTES.md`), no research notes in
    /// `price_sources`, which are public URLs (or RunPod's API) with a date.
    func testPlansCiteOnlyPublicSources() throws {
        for url in try Fixtures.exampleFiles() {
            let text = try String(contentsOf: url, encoding: .utf8)
            guard let d = Fixtures.deployment(text, path: "examples/\(url.lastPathComponent)") else { continue }
            let plan = ReviewedPlan(offline: Plan(catalogAsOf: Fixtures.gpus.asOf, deployments: [d]))
            let outputs =
                [PlanTextRenderer.render(plan, explain: true), try encodeJSON(plan), PlanMarkdownRenderer.render(plan)]
                + [DockerfileRenderer.Target.pod, .serverless].compactMap {
                    try? DockerfileRenderer.render(d, options: .init(target: $0, bakeWeights: true, cudaCompatFix: true)).files.values.joined()
                }
            for output in outputs {
                for private_ in ["seeds/", "NOTES.md", "Seed 00", "seed 00", "not retrievable", "repo snapshot"] {
                    XCTAssertFalse(output.contains(private_), "\(url.lastPathComponent) cites `\(private_)`")
                }
            }
            for source in d.cost.priceSources {
                XCTAssertTrue(source.hasPrefix("https://") || source.hasPrefix("RunPod REST v2"), source)
                XCTAssertTrue(source.contains("(as of 20"), source)
            }
        }
    }

    func testRenderingIsDeterministic() throws {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent("support-chat.yaml"), encoding: .utf8)
        let a = try XCTUnwrap(Fixtures.deployment(text)), b = try XCTUnwrap(Fixtures.deployment(text))
        let plan = { (d: Deployment) in ReviewedPlan(offline: Plan(catalogAsOf: "x", deployments: [d])) }
        XCTAssertEqual(try encodeJSON(plan(a)), try encodeJSON(plan(b)))
        XCTAssertEqual(PlanMarkdownRenderer.render(plan(a)), PlanMarkdownRenderer.render(plan(b)))
    }
}

final class MarkdownLimitTests: XCTestCase {
    /// Many specs: the comment stays under GitHub's 65,536 characters, with a note pointing to the JSON.
    func testLongPlansAreTruncatedWithANote() throws {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent("support-chat.yaml"), encoding: .utf8)
        let d = try XCTUnwrap(Fixtures.deployment(text))
        var many: [Deployment] = []
        for i in 0..<300 { var copy = d; copy.name = "support-chat-\(String(format: "%03d", i))"; many.append(copy) }
        let md = PlanMarkdownRenderer.render(ReviewedPlan(offline: Plan(catalogAsOf: "2026-11-09", deployments: many)))
        XCTAssertLessThan(md.count, 65_536)
        XCTAssertTrue(md.contains("left out to stay under GitHub's comment limit"), String(md.suffix(300)))
        XCTAssertTrue(md.contains("| `support-chat-299` |"))  // every spec keeps its summary row
        XCTAssertEqual(md, PlanMarkdownRenderer.render(ReviewedPlan(offline: Plan(catalogAsOf: "2026-11-09", deployments: many))))
    }
}

/// The PR comment's field changes as GitHub renders them (cmark-gfm): a long change collapsed in
/// `<details>`, table cells that survive pipes and backticks, secrets never shown.
final class MarkdownChangesTests: XCTestCase {
    func testFieldChangesRenderAsGitHubShowsThem() throws {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent("support-chat.yaml"), encoding: .utf8)
        let d = try XCTUnwrap(Fixtures.deployment(text))
        var object = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(try encodeJSON(ReviewedPlan(offline: Plan(catalogAsOf: "x", deployments: [d]))).utf8))
                as? [String: Any])
        object["offline"] = false
        object["live_fingerprint"] = "x"
        var before: [String: String] = ["HUGGING_FACE_HUB_TOKEN": "(sensitive value hidden)", "NOTE": "a|b`c"]
        var after: [String: String] = ["HUGGING_FACE_HUB_TOKEN": "{{ RUNPOD_SECRET_hf_token }}", "NOTE": "plain"]
        for i in 0..<8 { before["V\(i)"] = "\(i)"; after["V\(i)"] = "\(i + 1)" }
        let update: [String: Any] = [
            "address": "podform_template.support-chat.podform-support-chat", "spec": "support-chat", "type": "podform_template",
            "kind": "template", "name": "podform-support-chat", "id": "tpl1", "podform_action": "update",
            "change": [
                "actions": ["update"], "before": ["env": before], "after": ["env": after],
                "before_sensitive": ["env": ["HUGGING_FACE_HUB_TOKEN": true]], "after_sensitive": ["env": ["HUGGING_FACE_HUB_TOKEN": true]]
            ]
        ]
        let small: [String: Any] = [
            "address": "podform_endpoint.support-chat.podform-support-chat", "spec": "support-chat", "type": "podform_endpoint",
            "kind": "endpoint", "name": "podform-support-chat", "id": "ep1", "podform_action": "update", "impact": "RunPod rolls the workers",
            "change": [
                "actions": ["update"], "before": ["workers": ["max": 5, "min": 0]], "after": ["workers": ["max": 1, "min": 0]],
                "before_sensitive": false, "after_sensitive": false
            ]
        ]
        object["resource_changes"] = [update, small]
        let reviewed = try JSONDecoder().decode(ReviewedPlan.self, from: JSONSerialization.data(withJSONObject: object))
        let markdown = PlanMarkdownRenderer.render(reviewed)
        let shown: GitHubMarkdown
        do { shown = try GitHubMarkdown.render(markdown) } catch let missing as GitHubMarkdown.Unavailable {
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("\(missing)") }
            throw XCTSkip(missing.description)
        }
        XCTAssertTrue(shown.summaries.contains("10 fields change: env.HUGGING_FACE_HUB_TOKEN, env.NOTE, env.V0, env.V1, …"), "\(shown.summaries)")
        XCTAssertTrue(shown.rows.contains(["env.NOTE", "\"a|b`c\" → \"plain\""]), "\(shown.rows)")
        XCTAssertTrue(shown.rows.contains(["env.HUGGING_FACE_HUB_TOKEN", "(sensitive value) → \"{{ RUNPOD_SECRET_hf_token }}\""]), "\(shown.rows)")
        XCTAssertTrue(shown.rows.contains(["workers.max", "5 → 1"]), "\(shown.rows)")
        XCTAssertFalse(shown.rows.contains { $0.first == "workers.min" }, "unchanged fields are not listed")
        XCTAssertTrue(shown.paragraphs.contains("~ update endpoint podform-support-chat (ep1): RunPod rolls the workers"), "\(shown.paragraphs)")
        // The short change is not collapsed: its table is outside every <details>.
        let collapsed = shown.html.components(separatedBy: "<details>").dropFirst().map { $0.components(separatedBy: "</details>")[0] }
        XCTAssertFalse(collapsed.contains { $0.contains("workers.max") })
        XCTAssertTrue(collapsed.contains { $0.contains("env.V7") })
    }
}
