import Foundation
import PodformCatalog
import PodformCore
import PodformSimulate
import PodformSizing
import XCTest

@testable import PodformCompiler

/// The compiler ranks options with its analytic model (`ServerlessFleet`, `ServerlessScaling.slotWaitShare`,
/// the flex up-time); the plan claims what it says for the winner. Here the analytic verdict of the
/// cheapest options each example's search priced is checked against the simulation: an option the
/// analytic model calls "met" must meet the SLA in simulation (what the plan would print if it won),
/// and its cost must be within 10% of the simulated bill.
final class AnalyticVerdictTests: XCTestCase {
    /// Options checked per example: the cheapest that the analytic model says meet the SLA.
    static let perExample = 5

    func testOptionsTheAnalyticModelCallsMetHoldInSimulation() throws {
        let gpus = try GPUCatalog.bundled(), catalog = try ModelCatalog.bundled()
        var checked = 0
        for (name, spec, arch) in try ExampleClaimsTests.specs(gpus: gpus, catalog: catalog) {
            let compiler = Compiler(
                spec: spec, specFile: name, architecture: arch,
                environment: CompileEnvironment(gpus: gpus, now: ExampleClaimsTests.now))
            guard spec.workload == .inference || spec.workload == .batch else { continue }
            var trace = TraceBuilder()
            let load = compiler.load(&trace)
            let met = compiler.search(load: load, modes: compiler.allowedModels(&trace)).options
                .filter(\.meetsSLA).sorted(by: Option.isCheaper).prefix(Self.perExample)
            for option in met {
                let model = compiler.servingModel(option, load: load)
                let report = simulate(model, options: .init(days: ExampleClaimsTests.days(model), seed: 1))
                let error = (model.claimedMonthlyUSD - report.monthlyUSD) / report.monthlyUSD
                let label = "\(name): \(compiler.describe(option)) idle \(option.idleSeconds) s"
                print(
                    String(
                        format: "option %@: analytic ttft %.2f%% cold %.2f%%, simulated %@, cost %+.1f%%", label,
                        (option.ttftWaitShare ?? 0) * 100, (option.coldWaitShare ?? 0) * 100,
                        report.terms.map { "\($0.term) \(String(format: "%.2f%%", $0.breachShare * 100))" }.joined(separator: ", "),
                        error * 100))
                XCTAssertTrue(report.slaMet, "\(label): analytic met, simulation breaks \(report.terms.filter { !$0.met })")
                XCTAssertLessThanOrEqual(abs(error), 0.10, "\(label): claimed $\(model.claimedMonthlyUSD), simulated $\(report.monthlyUSD)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 30)
    }
}
