import Foundation
import PodformApply
import PodformCatalog
import PodformCompiler
import RunPodAPI
import XCTest

/// Issue 16, "pools that fit" (D-POOL): each member of a serverless endpoint's pool either runs the
/// worker as configured (memory and the SLA's speed) or is in `excludedTypes`, with the reason in the trace.
final class PoolsThatFitTests: XCTestCase {
    func poolStep(_ d: Deployment) throws -> Deployment.TraceStep {
        try XCTUnwrap(d.trace.first { $0.rule == "D-POOL" }, "no D-POOL step")
    }

    func endpointExcludedTypes(_ d: Deployment) -> [String]? {
        guard let endpoint = RunPodResources.requests(for: d).first(where: { $0.kind == .endpoint }),
            case .object(let body) = endpoint.body, case .object(let gpu)? = body["gpu"]
        else { return nil }
        guard case .array(let types)? = gpu["excludedTypes"] else { return [] }
        return types.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    /// The reproducer: gpt-oss-20b (examples/gpt-oss-agent.yaml), 6 x 32k sequences per worker
    /// on 2 x A4500 (AMPERE_16; the constraint keeps the pool the issue saw now that the speed model
    /// prefers an A40). A 16 GB A4000 holds 4.6 of those sequences: it must not take the worker.
    func testAnA4000ThatCannotHoldTheWorkersSequencesIsExcluded() throws {
        let text = try String(contentsOf: Fixtures.examples.appendingPathComponent("gpt-oss-agent.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "  max_workers: 4", with: "  max_workers: 4\n  gpus: [RTX A4500, RTX A4000]")
        XCTAssertTrue(text.contains("gpus: [RTX A4500"))
        let d = try XCTUnwrap(Fixtures.deployment(text, path: "examples/gpt-oss-agent.yaml"))
        XCTAssertEqual(d.serverless?.pools, ["AMPERE_16"])
        XCTAssertEqual(d.vllm?.maxNumSeqs, 6)
        XCTAssertEqual(d.vllm?.maxModelLen, 32768)
        let excluded = try XCTUnwrap(d.serverless?.excludedTypes)
        XCTAssertTrue(excluded.contains("NVIDIA RTX A4000"), "\(excluded)")
        XCTAssertEqual(endpointExcludedTypes(d), excluded)
        let step = try poolStep(d)
        let why = try XCTUnwrap(step.inputs["NVIDIA RTX A4000"])
        XCTAssertTrue(why.contains("holds 4.6 of the worker's 6 x 32768-token sequences"), why)
        XCTAssertTrue(step.outcome.contains("RTX A4000 (holds 4.6"), step.outcome)
        XCTAssertFalse(excluded.contains(d.gpu.id))
    }

    /// An L4 (300 GB/s) beside A5000s (768 GB/s) in AMPERE_24: kept while its speed meets the SLA,
    /// excluded once the SLA's speed needs more than it gives. (The allow-list keeps the choice on the
    /// A5000 whatever the speed model prefers; the L4 is allowed, so only its speed can exclude it.)
    func testASlowPoolMemberIsExcludedWhenTheSLAsSpeedNeedsMore() throws {
        func plan(tps: Int) throws -> Deployment {
            try XCTUnwrap(
                Fixtures.deployment(
                    """
                    version: 1
                    name: pool-speed
                    model: {id: Qwen/Qwen2.5-7B-Instruct}
                    precision: bf16
                    context: 8k
                    concurrency: 4
                    traffic: {pattern: bursty, requests_per_day: 400, active_hours_per_day: 8, prompt_tokens: 3000, output_tokens: 400}
                    sla: {ttft_p95: 3s, output_tokens_per_second: \(tps), cold_start: 120s}
                    constraints: {cloud: secure, max_workers: 2, gpus: [RTX A5000, L4]}
                    deploy: {mode: serverless, weights: download}
                    """))
        }
        let fast = try plan(tps: 20)
        XCTAssertEqual(fast.gpu.id, "NVIDIA RTX A5000")
        XCTAssertTrue(fast.serverless?.excludedTypes.contains("NVIDIA L4") ?? false)
        let why = try XCTUnwrap(try poolStep(fast).inputs["NVIDIA L4"])
        XCTAssertTrue(why.contains("below the SLA's 20 (D-SLA-TPS)"), why)
        XCTAssertEqual(endpointExcludedTypes(fast), fast.serverless?.excludedTypes)

        let slow = try plan(tps: 15)
        XCTAssertEqual(slow.gpu.id, "NVIDIA RTX A5000")
        XCTAssertFalse(slow.serverless?.excludedTypes.contains("NVIDIA L4") ?? true, "an L4 meets 15 tokens/s per user")
        XCTAssertTrue(try poolStep(slow).outcome.contains("NVIDIA L4"))
    }

    /// Every serverless example: the pool's members are split into the ones that run the worker and
    /// the excluded ones, each excluded one with a reason; the chosen GPU runs it.
    func testEveryPoolMemberIsKeptOrExcludedWithAReason() throws {
        var serverless = 0
        for url in try Fixtures.exampleFiles() {
            let text = try String(contentsOf: url, encoding: .utf8)
            guard let d = Fixtures.deployment(text, path: "examples/\(url.lastPathComponent)"), let s = d.serverless else { continue }
            serverless += 1
            let members = Set(Fixtures.gpus.gpus.filter { $0.serverlessPool == s.pools.first }.map(\.id))
            let step = try poolStep(d)
            XCTAssertTrue(Set(s.excludedTypes).isSubset(of: members), url.lastPathComponent)
            XCTAssertFalse(s.excludedTypes.contains(d.gpu.id), url.lastPathComponent)
            for id in s.excludedTypes {
                XCTAssertTrue(step.inputs[id]?.hasPrefix("excluded: ") ?? false, "\(url.lastPathComponent): \(id) excluded without a reason")
            }
            for id in members.subtracting(s.excludedTypes) {
                XCTAssertTrue(step.outcome.contains(id), "\(url.lastPathComponent): \(id) neither kept nor excluded")
            }
        }
        XCTAssertGreaterThan(serverless, 0)
    }
}
