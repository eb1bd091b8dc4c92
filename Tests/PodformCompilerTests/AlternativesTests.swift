import Foundation
import PodformCompiler
import XCTest

/// Alternatives, execution timeout and price warnings: what a plan says beside its choice (issue 17).
final class AlternativesTests: XCTestCase {
    let chat = """
        version: 1
        name: probe
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: 16
        traffic: {requests_per_day: 20000, active_hours_per_day: 10, prompt_tokens: 800, output_tokens: 300}
        sla: {ttft_p95: 2s}

        """

    func testAlternativesAreOnePerGPUPricedInTheirOwnModeWithDistinctReasons() throws {
        let d = try XCTUnwrap(Fixtures.deployment(chat))
        XCTAssertLessThanOrEqual(d.alternatives.count, 3)
        XCTAssertEqual(Set(d.alternatives.map(\.gpu)).count, d.alternatives.count, "one per GPU: \(d.alternatives)")
        XCTAssertFalse(d.alternatives.contains { $0.gpu == d.gpu.id })
        for a in d.alternatives {
            // A price is a plan's own: its delta is its monthly cost minus the chosen one.
            if let monthly = a.monthlyUSD, let delta = a.deltaMonthlyUSD {
                XCTAssertEqual(monthly - delta, d.cost.monthlyUSD, accuracy: 0.02, "\(a)")
            } else {
                XCTAssertNil(a.deltaMonthlyUSD, "an unpriced alternative has no delta: \(a)")
                XCTAssertTrue(a.reason.contains("D-MEMORY"), "\(a)")
            }
            XCTAssertFalse(a.reason.contains("\(a.replicas) replicas of \(a.count) x"), "the label carries the shape: \(a.reason)")
        }
    }

    func testAConstraintIsOfferedOnlyWhenLiftingItPays() throws {
        // GeForce cards are ruled out by default; one shows up only with the price lifting the rule gets.
        let d = try XCTUnwrap(Fixtures.deployment(chat))
        for a in d.alternatives where a.reason.contains("D-GPU-CONSUMER") {
            XCTAssertNotNil(a.monthlyUSD, "\(a)")
            XCTAssertLessThan(a.deltaMonthlyUSD ?? 0, 0, "\(a)")
            let lifted = try XCTUnwrap(Fixtures.deployment(chat + "constraints: {allow_consumer_gpus: true}\n"))
            XCTAssertLessThanOrEqual(lifted.cost.monthlyUSD, a.monthlyUSD! + 0.01, "following the advice gets that price")
        }
    }

    func testExecutionTimeoutCoversALongAnswerOnTheSlowestPoolMember() throws {
        let d = try XCTUnwrap(Fixtures.deployment(chat + "deploy: {mode: serverless}\n"))
        let serverless = try XCTUnwrap(d.serverless)
        let step = 1 / (d.estimates?.outputTokensPerSecondPerUser ?? 1)
        // At least a 99.9th-percentile answer (~4x the mean output at sigma 0.5) at the chosen GPU's speed.
        XCTAssertGreaterThanOrEqual(Double(serverless.executionTimeoutMs) / 1000, 4 * 300 * step)
        XCTAssertGreaterThanOrEqual(serverless.executionTimeoutMs, 60_000)
    }

    func testActiveWorkersCarryThePastListPriceWarning() throws {
        let d = try XCTUnwrap(
            Fixtures.deployment(
                chat.replacingOccurrences(of: "sla: {ttft_p95: 2s}", with: "sla: {ttft_p95: 2s, cold_start: none}")
                    + "deploy: {mode: serverless}\n"))
        XCTAssertEqual(d.workerMode, .active)
        XCTAssertTrue(d.warnings.contains { $0.code == "active-price-unconfirmed" }, "\(d.warnings)")
        let flex = try XCTUnwrap(Fixtures.deployment(chat + "deploy: {mode: serverless}\n"))
        if flex.workerMode == .flex { XCTAssertFalse(flex.warnings.contains { $0.code == "active-price-unconfirmed" }) }
    }
}
