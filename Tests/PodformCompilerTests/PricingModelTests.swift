import Foundation
import XCTest

@testable import PodformCompiler

/// `PricingModel` is the one typed form of the plan's `mode` / `worker_mode` pair and of the
/// `cost.comparison` keys: the JSON the goldens pin stays what it was.
final class PricingModelTests: XCTestCase {
    func testModeAndWorkerModeRoundTrip() {
        for model in PricingModel.allCases {
            XCTAssertEqual(PricingModel(mode: model.mode, workerMode: model.workerMode), model)
        }
        XCTAssertNil(PricingModel.pod.workerMode)
        XCTAssertEqual(PricingModel.serverless, Set(PricingModel.allCases.filter { $0.mode == .serverless }))
    }

    func testLabelsAndTheirList() {
        XCTAssertEqual(PricingModel.allCases.map(\.label), ["pod", "serverless flex", "serverless active"])
        XCTAssertEqual(PricingModel.listed(Set(PricingModel.allCases)), "pod, serverless flex and serverless active")
        XCTAssertEqual(PricingModel.listed(PricingModel.serverless), "serverless flex and serverless active")
        XCTAssertEqual(PricingModel.listed([.pod]), "pod")
    }

    /// D-PRICING's tie-break: pods before serverless, flex before active.
    func testTieBreakIsDeclarationOrder() {
        XCTAssertEqual(PricingModel.allCases.sorted { $0.tieBreakRank < $1.tieBreakRank }, [.pod, .serverlessFlex, .serverlessActive])
    }

    /// Each model's rate source is a RunPod pricing page the rules already cite.
    func testSourcesAreThePricingPagesTheRulesCite() {
        for model in PricingModel.allCases {
            XCTAssertTrue(model.source.hasPrefix("https://docs.runpod.io/") && model.source.hasSuffix("/pricing"), model.source)
            XCTAssertTrue(Source.seed000.contains(model.source) || Source.seed002.contains(model.source), model.source)
        }
    }

    /// Every `cost.comparison` key of every golden plan is a key `comparisonKey` writes, and every
    /// plan's mode pair reads back as a model whose pair it is.
    func testGoldenPlansUseTheModelsKeysAndPairs() throws {
        let golden = Fixtures.root.appendingPathComponent("Tests/PodformCompilerTests/Golden")
        let keys = Set(PricingModel.allCases.flatMap { m in (0...64).map { m.comparisonKey(minWorkers: $0) } })
        var plans = 0
        for dir in try FileManager.default.contentsOfDirectory(atPath: golden.path) {
            let url = golden.appendingPathComponent(dir).appendingPathComponent("plan.json")
            guard let data = try? Data(contentsOf: url) else { continue }
            let plan = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            for case let d as [String: Any] in plan["deployments"] as? [Any] ?? [] {
                plans += 1
                let comparison = (d["cost"] as? [String: Any])?["comparison"] as? [String: Any] ?? [:]
                XCTAssertEqual(Set(comparison.keys).subtracting(keys), [], dir)
                let mode = try XCTUnwrap(DeploymentMode(rawValue: d["mode"] as? String ?? ""), dir)
                let workerMode = (d["worker_mode"] as? String).flatMap(WorkerMode.init(rawValue:))
                let model = PricingModel(mode: mode, workerMode: workerMode)
                XCTAssertEqual(model.mode, mode, dir)
                XCTAssertEqual(model.workerMode, workerMode, dir)
            }
        }
        XCTAssertGreaterThan(plans, 5, "the goldens were read")
    }
}
