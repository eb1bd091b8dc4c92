import Foundation
import PodformApply
import PodformCompiler
import PodformCore
import PodformRender
import XCTest

/// D-AVAILABILITY: live plans skip GPU types RunPod cannot hand out, say so, rank fallbacks, and
/// keep what already runs; offline plans say stock was not checked.
final class AvailabilityTests: XCTestCase {
    func example(_ name: String) throws -> String {
        try String(contentsOf: Fixtures.examples.appendingPathComponent("\(name).yaml"), encoding: .utf8)
    }

    /// Compiles with stock: every read context HIGH everywhere except `out` (NONE for `product`).
    func compile(_ text: String, stock: GPUAvailability) throws -> Deployment {
        let (spec, diagnostics) = Spec.validate(path: "spec.yaml", text: text, environment: Fixtures.validation)
        let s = try XCTUnwrap(spec, "\(diagnostics)")
        var env = Fixtures.environment
        env.availability = stock
        return try s.compile(
            specFile: "spec.yaml", architecture: XCTUnwrap(Fixtures.models.model(named: s.model.id)).architecture,
            environment: env
        ).get()
    }

    /// Every bundled GPU in stock for every product, in two data centers; `none` out of stock.
    static func stock(none: [(GPUAvailability.Product, String)] = [], dataCenters: [String: [String: GPUAvailability.Level]] = [:]) -> GPUAvailability
    {
        var a = GPUAvailability()
        for product in GPUAvailability.Product.allCases {
            for cloud in ["SECURE", "COMMUNITY"] {
                var readings: [String: GPUAvailability.Stock] = [:]
                for g in Fixtures.gpus.gpus {
                    let out = none.contains { $0.0 == product && $0.1 == g.id }
                    let dcs = dataCenters[g.id] ?? ["EU-RO-1": out ? .none : .high, "US-KS-2": out ? .none : .medium]
                    readings[g.id] = GPUAvailability.Stock(level: out ? .none : (dcs.values.max() ?? .none), dataCenters: dcs)
                }
                a.record(product, cloud: cloud, readings)
            }
        }
        return a
    }

    func testOfflinePlansSayStockWasNotChecked() throws {
        let d = try XCTUnwrap(Fixtures.deployment(try example("llama3-70b-bf16")))
        XCTAssertEqual(d.availability?.checked ?? false, false)
        XCTAssertFalse(d.trace.contains { $0.rule == "D-AVAILABILITY" })
        let json = try encodeJSON(ReviewedPlan(offline: Plan(catalogAsOf: "x", deployments: [d])))
        XCTAssertTrue(json.contains("\"availability\" : {\n        \"checked\" : false\n      }"), json)
    }

    func testALivePlanSkipsAnOutOfStockFirstChoiceAndSaysWhy() throws {
        let text = try example("llama3-70b-bf16")
        let first = try compile(text, stock: Self.stock())
        XCTAssertEqual(first.availability?.checked, true)
        XCTAssertEqual(first.availability?.skipped, [])
        let out = try compile(text, stock: Self.stock(none: [(.pod, first.gpu.id)]))
        XCTAssertNotEqual(out.gpu.id, first.gpu.id)
        XCTAssertEqual(out.availability?.skipped.map(\.gpu), [first.gpu.id])
        XCTAssertTrue(out.availability?.skipped.first?.reason.contains("no POD stock") ?? false, "\(String(describing: out.availability))")
        let step = try XCTUnwrap(out.trace.first { $0.rule == "D-AVAILABILITY" })
        XCTAssertTrue(step.outcome.contains("skipped 1 cheaper choice") && step.outcome.contains(first.gpu.displayName), step.outcome)
        // The first fallback of the plan with stock is what the plan becomes without the first choice.
        let fallback = try XCTUnwrap(first.availability?.fallbacks.first)
        XCTAssertEqual(fallback.rank, 1)
        XCTAssertEqual([fallback.gpu, "\(fallback.count)", fallback.mode], [out.gpu.id, "\(out.gpu.count)", out.mode.rawValue])
        XCTAssertEqual(fallback.monthlyUSD, out.cost.monthlyUSD, accuracy: 0.01)
        let ranked = try XCTUnwrap(first.availability?.fallbacks)
        XCTAssertEqual(ranked.map(\.monthlyUSD), ranked.map(\.monthlyUSD).sorted())
        XCTAssertEqual(Set(ranked.map(\.gpu)).count, ranked.count)
        XCTAssertFalse(ranked.contains { $0.gpu == first.gpu.id })
    }

    func testARefusedTypeIsOutAndTheReplanIsTheNextFallback() throws {
        let text = try example("llama3-70b-bf16")
        var stock = Self.stock()
        let first = try compile(text, stock: stock)
        var seen = [first.gpu.id]
        for fallback in first.availability?.fallbacks ?? [] {
            stock.refused["llama3-70b-bf16", default: []].insert(GPUAvailability.Use(.pod, gpu: seen.last!))
            let next = try compile(text, stock: stock)
            XCTAssertEqual(next.gpu.id, fallback.gpu, "fallback \(fallback.rank)")
            XCTAssertTrue(next.availability?.skipped.contains { $0.reason.contains("refused") } ?? false)
            seen.append(next.gpu.id)
        }
        XCTAssertEqual(seen.count, 4)
    }

    func testPinnedDataCentersAreWhereStockCounts() throws {
        let text = try example("llama3-70b-bf16").replacingOccurrences(
            of: "  require_ecc: true", with: "  require_ecc: true\n  data_centers: [EU-RO-1]")
        let first = try compile(text, stock: Self.stock())
        // In stock in US-KS-2 only: not where the spec may run.
        let elsewhere = try compile(text, stock: Self.stock(dataCenters: [first.gpu.id: ["EU-RO-1": .none, "US-KS-2": .high]]))
        XCTAssertNotEqual(elsewhere.gpu.id, first.gpu.id)
        XCTAssertTrue(elsewhere.availability?.skipped.first?.reason.contains("in EU-RO-1") ?? false)
        XCTAssertTrue(elsewhere.availability?.fallbacks.allSatisfy { $0.dataCenters == ["EU-RO-1"] } ?? false)
        let here = try compile(text, stock: Self.stock(dataCenters: [first.gpu.id: ["EU-RO-1": .low]]))
        XCTAssertEqual(here.gpu.id, first.gpu.id)
    }

    func testWhatASpecAlreadyRunsOnStaysWhenStockRunsOut() throws {
        let text = try example("llama3-70b-bf16")
        let first = try compile(text, stock: Self.stock())
        var stock = Self.stock(none: [(.pod, first.gpu.id)])
        stock.held["llama3-70b-bf16"] = [GPUAvailability.Use(.pod, gpu: first.gpu.id)]
        let held = try compile(text, stock: stock)
        XCTAssertEqual(held.gpu.id, first.gpu.id)
        XCTAssertEqual(held.availability?.skipped, [])
        // Another spec does not hold it.
        stock.held = ["other": [GPUAvailability.Use(.pod, gpu: first.gpu.id)]]
        XCTAssertNotEqual(try compile(text, stock: stock).gpu.id, first.gpu.id)
    }

    func testNothingInStockKeepsTheCheapestWithAWarning() throws {
        let text = try example("llama3-70b-bf16")
        let first = try compile(text, stock: Self.stock())
        let all = Fixtures.gpus.gpus.flatMap { g in GPUAvailability.Product.allCases.map { ($0, g.id) } }
        let none = try compile(text, stock: Self.stock(none: all))
        XCTAssertEqual(none.gpu.id, first.gpu.id)
        XCTAssertEqual(none.availability?.noStock, true)
        XCTAssertEqual(none.availability?.fallbacks, [])
        XCTAssertTrue(none.warnings.contains { $0.code == "no-stock" })
    }

    func testCommunityOrSecureTakesTheCloudWithStock() throws {
        let text = try example("llama3-70b-bf16").replacingOccurrences(of: "cloud: secure", with: "cloud: any\n  gpus: [NVIDIA H100 NVL]")
        let first = try compile(text, stock: Self.stock())
        var stock = Self.stock()
        let other = first.gpu.cloud == "SECURE" ? "COMMUNITY" : "SECURE"
        stock.record(.pod, cloud: first.gpu.cloud, [first.gpu.id: .init(level: .none)])
        let moved = try compile(text, stock: stock)
        XCTAssertEqual(first.gpu.id, "NVIDIA H100 NVL")
        XCTAssertEqual(moved.gpu.id, first.gpu.id)
        XCTAssertEqual(moved.gpu.cloud, other)
        XCTAssertEqual(moved.availability?.skipped, [])
    }

    func testLiveServerlessPlansListEveryFeasiblePoolInCostOrder() throws {
        let text = try example("support-chat")
        let offline = try XCTUnwrap(Fixtures.deployment(text))
        XCTAssertEqual(offline.serverless?.pools.count, 1)
        let live = try compile(text, stock: Self.stock())
        let serverless = try XCTUnwrap(live.serverless)
        XCTAssertGreaterThan(serverless.pools.count, 1, "\(serverless.pools)")
        XCTAssertTrue(serverless.pools.contains(try XCTUnwrap(live.gpu.pool)))
        XCTAssertEqual(Set(serverless.pools).count, serverless.pools.count)
        // Every exclusion is a member of a listed pool (RunPod answers 400 otherwise), and every
        // listed pool keeps a member that runs the worker.
        for id in serverless.excludedTypes {
            let pool = try XCTUnwrap(Fixtures.gpus.gpus.first { $0.id == id }?.serverlessPool)
            XCTAssertTrue(serverless.pools.contains(pool), "\(id) excluded outside the pools")
        }
        for pool in serverless.pools {
            XCTAssertTrue(Fixtures.gpus.gpus.contains { $0.serverlessPool == pool && !serverless.excludedTypes.contains($0.id) }, pool)
        }
        let step = try XCTUnwrap(live.trace.first { $0.rule == "D-AVAILABILITY" })
        XCTAssertTrue(step.outcome.contains("serverless pools in cost order"), step.outcome)
    }

    func testTrainingSkipsAnOutOfStockType() throws {
        let text = try example("lora-finetune")
        let first = try compile(text, stock: Self.stock())
        let out = try compile(text, stock: Self.stock(none: [(.pod, first.gpu.id)]))
        XCTAssertNotEqual(out.gpu.id, first.gpu.id)
        XCTAssertEqual(out.availability?.skipped.map(\.gpu), [first.gpu.id])
        XCTAssertEqual(first.availability?.fallbacks.first?.gpu, out.gpu.id)
    }
}
