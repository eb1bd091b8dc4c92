import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformSimulate
import PodformSizing
import XCTest

/// Every serving example's printed cost and SLA verdict against its simulation (`days`, seed 1; 7 with `podform simulate`):
/// cost within 10%, and no "SLA met" that the simulation breaks.
final class ExampleClaimsTests: XCTestCase {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")
    static let now = ISO8601DateFormatter().date(from: "2026-11-10T00:00:00Z")!

    /// Every example spec that validates, with its model's architecture.
    static func specs(gpus: GPUCatalog, catalog: ModelCatalog) throws -> [(String, Spec, ModelArchitecture)] {
        let validation = ValidationEnvironment(
            resolveGPU: { gpus.gpu(named: $0)?.id }, gpuNames: gpus.allNames,
            model: { name in catalog.model(named: name).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        let files = try FileManager.default.contentsOfDirectory(at: examples, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
        var out: [(String, Spec, ModelArchitecture)] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let (spec, diagnostics) = Spec.validate(path: file.lastPathComponent, text: text, environment: validation)
            guard let spec, !diagnostics.hasErrors, let arch = catalog.model(named: spec.model.id)?.architecture else {
                XCTFail("\(file.lastPathComponent) does not validate")
                continue
            }
            out.append((file.lastPathComponent, spec, arch))
        }
        return out
    }

    static func models() throws -> [(String, ServingModel)] {
        let gpus = try GPUCatalog.bundled(), catalog = try ModelCatalog.bundled()
        var out: [(String, ServingModel)] = []
        for (name, spec, arch) in try specs(gpus: gpus, catalog: catalog) {
            let environment = CompileEnvironment(gpus: gpus, now: now)
            guard case .success(let d) = spec.compile(specFile: name, architecture: arch, environment: environment) else {
                XCTFail("\(name) does not compile")
                continue
            }
            if let model = spec.servingModel(deployment: d, architecture: arch, environment: environment) {
                out.append((name, model))
            }
        }
        return out
    }

    /// Days to simulate: 3, or fewer where a day already holds 300,000 requests (at least one day). At
    /// that size the breach shares a p95 turns on move by well under 0.1 percentage point between seeds.
    static func days(_ model: ServingModel) -> Int {
        min(3, max(1, Int((300_000 / max(model.requestsPerDay, 1)).rounded(.up))))
    }

    func testEveryExampleKeepsItsClaims() throws {
        let models = try Self.models()
        XCTAssertGreaterThanOrEqual(models.count, 8)
        for (name, model) in models {
            let report = simulate(model, options: .init(days: Self.days(model), seed: 1))
            let error = (model.claimedMonthlyUSD - report.monthlyUSD) / report.monthlyUSD
            print(
                String(
                    format:
                        "example %@: %@ claimed $%.2f simulated $%.2f (%+.1f%%), claimed met %@ simulated met %@, ttft p95 %.2f s, cold hits %.2f%%, terms %@",
                    name,
                    "\(model.mode)/\(model.workerMode.map { "\($0)" } ?? "-") \(model.minWorkers)..\(model.maxWorkers) idle \(Int(model.idleSeconds))",
                    model.claimedMonthlyUSD, report.monthlyUSD, error * 100, "\(model.claimedSLAMet)", "\(report.slaMet)",
                    report.ttftSeconds.p95, report.coldHitShare * 100,
                    report.terms.map { "\($0.term) \(String(format: "%.2f%%", $0.breachShare * 100)) \($0.met)" }.joined(separator: ", ")))
            XCTAssertLessThanOrEqual(abs(error), 0.10, "\(name): claimed $\(model.claimedMonthlyUSD), simulated $\(report.monthlyUSD)")
            if model.claimedSLAMet {
                XCTAssertTrue(report.slaMet, "\(name): the plan says SLA met; the simulation breaks \(report.terms.filter { !$0.met })")
            }
        }
    }
}
