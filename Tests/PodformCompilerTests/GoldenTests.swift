import Foundation
import PodformApply
import PodformCompiler
import PodformCore
import PodformRender
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
            let outputs = [PlanTextRenderer.render(plan, explain: true), try encodeJSON(plan), PlanMarkdownRenderer.render(plan)]
                + [DockerfileRenderer.Target.pod, .serverless].compactMap { try? DockerfileRenderer.render(d, options: .init(target: $0, bakeWeights: true, cudaCompatFix: true)).files.values.joined() }
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
