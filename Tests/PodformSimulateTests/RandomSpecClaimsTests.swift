import Foundation
import PodformCatalog
import PodformCompiler
import PodformCore
import PodformSimulate
import PodformSizing
import XCTest

/// The examples' claims hold (`ExampleClaimsTests`); so must the claims on specs nobody tuned for:
/// seeded random serving specs (six models, four rates, three patterns, SLAs from loose to tight),
/// each plan's cost and "SLA met" against its 3-day simulation. A sweep like this found a peak below
/// the mean over a schedule (now `traffic-inconsistent`), a flex worker that restarts tens of times a
/// day (`ServerlessFleet.flexStartWaits`) and QUEUE_DELAY's backlog worker (`Compiler.backlogWorker`).
final class RandomSpecClaimsTests: XCTestCase {
    static let models = [
        ("meta-llama/Llama-3.1-8B-Instruct", "bf16"), ("Qwen/Qwen3-8B", "fp8"), ("meta-llama/Llama-3.1-70B-Instruct", "int4"),
        ("openai/gpt-oss-20b", "mxfp4"), ("Qwen/Qwen3-30B-A3B", "bf16"), ("mistralai/Mistral-7B-Instruct-v0.3", "bf16")
    ]

    /// Plans that say "met" where the simulation does not, with why (open, in the closing notes).
    static let knownMisses = [
        // 3..5 active B200 workers, 3000-token prompts at 5.6/s: the TTFT's prefill queue is sized at the
        // peak over all 5 workers (1.1/s each), but the load lands on the 3 that are up, lowest first;
        // the simulation's prefill queue puts 8.6-12.6% of requests past the 1 s TTFT.
        "random-12": "prefill queue at peak / max workers",
        // 5.8% of requests past a 5 s TTFT against the 5% a p95 allows: at the edge of the slot-wait model.
        "random-13": "borderline slot waits"
    ]

    static func spec(_ i: Int, _ g: inout SplitMix64) -> String {
        func pick<T>(_ xs: [T]) -> T { xs[Int(g.next() % UInt64(xs.count))] }
        let (model, precision) = pick(models)
        let pattern = pick(["steady", "bursty", "scheduled"])
        let perDay = pick([500, 3000, 20000, 100000])
        var hours = pick([8, 12, 24])
        if pattern == "scheduled" { hours = min(hours, 15) }
        let peak = max((Double(perDay) / Double(hours * 3600) * pick([1.5, 3, 6]) * 1000).rounded() / 1000, 0.01)
        let schedule = pattern == "scheduled" ? String(format: "\n  schedule: {hours: \"08:00-%02d:00\", timezone: UTC}", 8 + hours) : ""
        return """
            version: 1
            name: random-\(i)
            workload: inference
            model: {id: \(model)}
            precision: \(precision)
            context: 8k
            concurrency: \(pick([4, 16, 32, 64]))
            traffic:
              pattern: \(pattern)\(schedule)
              requests_per_day: \(perDay)
              peak_requests_per_second: \(peak)
              active_hours_per_day: \(hours)
              prompt_tokens: \(pick([300, 1000, 3000]))
              output_tokens: \(pick([100, 300, 800]))
            sla: {ttft_p95: \(pick(["1s", "2s", "5s"])), output_tokens_per_second: \(pick([10, 20, 40])), cold_start: \(pick(["30s", "60s", "5m"]))}
            deploy: {mode: \(pick(["auto", "serverless", "auto"]))}
            """
    }

    func testRandomSpecsKeepTheirClaims() throws {
        let gpus = try GPUCatalog.bundled(), catalog = try ModelCatalog.bundled()
        let validation = ValidationEnvironment(
            resolveGPU: { gpus.gpu(named: $0)?.id }, gpuNames: gpus.allNames,
            model: { name in catalog.model(named: name).map { .init(canonicalID: $0.id, maxContext: $0.architecture.maxContext) } })
        var g = SplitMix64(seed: 20_261_201)
        var planned = 0, metClaims = 0
        var misses: Set<String> = []
        for i in 0..<24 {
            let text = Self.spec(i, &g)
            let (spec, diagnostics) = Spec.validate(path: "random-\(i).yaml", text: text, environment: validation)
            guard let spec, !diagnostics.hasErrors, let arch = catalog.model(named: spec.model.id)?.architecture else { continue }
            let environment = CompileEnvironment(gpus: gpus, now: ExampleClaimsTests.now)
            guard case .success(let d) = spec.compile(specFile: "random-\(i).yaml", architecture: arch, environment: environment),
                let model = spec.servingModel(deployment: d, architecture: arch, environment: environment)
            else { continue }
            planned += 1
            let report = simulate(model, options: .init(days: ExampleClaimsTests.days(model), seed: 1))
            let error = (model.claimedMonthlyUSD - report.monthlyUSD) / report.monthlyUSD
            let what = "random-\(i) (\(model.mode) \(model.minWorkers)..\(model.maxWorkers) idle \(Int(model.idleSeconds)))"
            print(
                String(
                    format: "%@: claimed $%.0f simulated $%.0f (%+.1f%%), met %@/%@", what, model.claimedMonthlyUSD, report.monthlyUSD, error * 100,
                    "\(model.claimedSLAMet)", "\(report.slaMet)"))
            XCTAssertLessThanOrEqual(abs(error), 0.10, "\(what): claimed $\(model.claimedMonthlyUSD), simulated $\(report.monthlyUSD)\n\(text)")
            if model.claimedSLAMet {
                metClaims += 1
                if !report.slaMet { misses.insert("random-\(i)") }
                if !report.slaMet && !Self.knownMisses.keys.contains("random-\(i)") {
                    XCTFail("\(what): the plan says SLA met; the simulation breaks \(report.terms.filter { !$0.met })\n\(text)")
                }
            }
        }
        // A ratchet: the known misses still miss (remove one here when the model learns it).
        XCTAssertEqual(misses, Set(Self.knownMisses.keys))
        // The generator must exercise the claims, not only refusals.
        XCTAssertGreaterThanOrEqual(planned, 16)
        XCTAssertGreaterThanOrEqual(metClaims, 10)
    }
}
