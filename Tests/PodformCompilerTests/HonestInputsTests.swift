import Foundation
import PodformCatalog
import PodformCore
import PodformRender
import XCTest

@testable import PodformCompiler

/// Issue 17's honest inputs and levers: a Little's-law contradiction is an error, a negotiated active
/// rate replaces the past list price, a plan that misses its SLA prices what would meet it, and an
/// opt-in KV cache sized for the typical sequence states its overflow risk.
final class HonestInputsTests: XCTestCase {
    func spec(concurrency: Int = 8, traffic: String, extra: String = "") -> String {
        """
        version: 1
        name: probe
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 4k
        concurrency: \(concurrency)
        traffic: {\(traffic)}

        """ + extra
    }

    /// The hold the error message quotes ("at least X s per request").
    func quotedHold(_ message: String) throws -> Double {
        let regex = try NSRegularExpression(pattern: #"at least ([0-9.]+) s per request"#)
        let m = try XCTUnwrap(regex.firstMatch(in: message, range: NSRange(message.startIndex..., in: message)))
        return try XCTUnwrap(Double(message[Range(m.range(at: 1), in: message)!]))
    }

    // MARK: 1. Little's law

    func testAWildlyInconsistentPeakIsAnErrorAtConcurrencyWithTheImpliedCount() throws {
        let f = try XCTUnwrap(Fixtures.compileFailure(spec(traffic: "peak_requests_per_second: 200, prompt_tokens: 800, output_tokens: 300")))
        XCTAssertEqual(f.code, "littles-law-inconsistent")
        XCTAssertEqual(f.keyPath, "concurrency")
        let hold = try quotedHold(f.message)
        let implied = (200 * hold).rounded(.up)
        XCTAssertGreaterThan(implied, 4 * 8)
        XCTAssertTrue(f.message.contains(fmt("implies at least %.0f requests in flight", implied)), f.message)
        XCTAssertTrue(f.suggestions.contains(fmt("set concurrency to at least %.0f", implied)), "\(f.suggestions)")
        XCTAssertTrue(f.suggestions.contains { $0.contains("traffic.peak_requests_per_second") }, "\(f.suggestions)")
        // The hold is no plan's own: the chosen plan at a consistent rate holds a request at least as long.
        let fast = try XCTUnwrap(Fixtures.deployment(spec(traffic: "peak_requests_per_second: 1, prompt_tokens: 800, output_tokens: 300")))
        XCTAssertGreaterThanOrEqual(300 / fast.estimates!.outputTokensPerSecondPerUser, hold * 0.9)
    }

    func testTheErrorStartsAtFourTimesConcurrencyAndNeverFiresOnTheExamples() throws {
        let f = try XCTUnwrap(Fixtures.compileFailure(spec(traffic: "peak_requests_per_second: 200, prompt_tokens: 800, output_tokens: 300")))
        let hold = try quotedHold(f.message)
        // Just under 4 x concurrency: not this error (the spec may still be infeasible for throughput).
        let under = spec(traffic: fmt("peak_requests_per_second: %.4f, prompt_tokens: 800, output_tokens: 300", 4 * 8 / hold * 0.97))
        if case .failure(let g)? = Fixtures.compile(under) { XCTAssertNotEqual(g.code, "littles-law-inconsistent", g.message) }
        let over = spec(traffic: fmt("peak_requests_per_second: %.4f, prompt_tokens: 800, output_tokens: 300", 4 * 8 / hold * 1.03))
        XCTAssertEqual(Fixtures.compileFailure(over)?.code, "littles-law-inconsistent")
        for url in try Fixtures.exampleFiles() {
            if case .failure(let g)? = Fixtures.compile(try String(contentsOf: url, encoding: .utf8), path: url.lastPathComponent) {
                XCTAssertNotEqual(g.code, "littles-law-inconsistent", url.lastPathComponent)
            }
        }
    }

    // MARK: 2. Negotiated active rate

    let activeOnly = "sla: {cold_start: none}\ndeploy: {mode: serverless, active_discount: 30%}\n"

    func testANegotiatedDiscountPricesActiveWorkersAndDropsThePastListPriceWarning() throws {
        let traffic = "requests_per_day: 20000, active_hours_per_day: 10, prompt_tokens: 800, output_tokens: 300"
        let d = try XCTUnwrap(Fixtures.deployment(spec(concurrency: 16, traffic: traffic, extra: activeOnly)))
        XCTAssertEqual(d.workerMode, .active)
        XCTAssertFalse(d.warnings.contains { $0.code == "active-price-unconfirmed" }, "\(d.warnings)")
        XCTAssertTrue(d.cost.priceSources[0].hasPrefix("spec: deploy.active_discount 30% off the flex rate"), "\(d.cost.priceSources)")
        // Every worker active all day (cold_start: none): workers x GPUs x flex x 0.7 x 86,400 s x days.
        let gpu = try XCTUnwrap(Fixtures.gpus.gpu(named: d.gpu.id))
        let flex = try XCTUnwrap(Fixtures.gpus.flexPerSecond(gpu)).usd
        let workers = try XCTUnwrap(d.workers)
        XCTAssertEqual(workers.min, workers.max)
        let expected = Double(workers.min * d.gpu.count) * flex * 0.7 * 86_400 * BillingMonth.days
        XCTAssertEqual(d.cost.computeMonthlyUSD, expected, accuracy: 0.01)
        // Without the discount: the catalog's published active rate, with the warning.
        let listed = try XCTUnwrap(
            Fixtures.deployment(
                spec(
                    concurrency: 16, traffic: traffic,
                    extra: "sla: {cold_start: none}\ndeploy: {mode: serverless}\n")))
        XCTAssertTrue(listed.warnings.contains { $0.code == "active-price-unconfirmed" })
        XCTAssertFalse(listed.cost.priceSources[0].hasPrefix("spec:"))
    }

    func testTheDiscountIsAPercentageUpTo90() throws {
        for (value, code) in [("30", "bad-unit"), ("95%", "out-of-range"), ("thirty%", "bad-unit")] {
            let (_, diagnostics) = Spec.validate(
                path: "s.yaml", text: spec(traffic: "requests_per_day: 1000", extra: "deploy: {active_discount: \(value)}\n"),
                environment: Fixtures.validation)
            XCTAssertEqual(diagnostics.filter { $0.severity == .error }.map(\.code), [code], value)
        }
        let (parsed, diagnostics) = Spec.validate(
            path: "s.yaml", text: spec(traffic: "requests_per_day: 1000", extra: "deploy: {active_discount: 12.5%}\n"),
            environment: Fixtures.validation)
        XCTAssertFalse(diagnostics.hasErrors)
        XCTAssertEqual(try XCTUnwrap(parsed?.deploy.activeDiscount), 0.125, accuracy: 1e-12)
    }

    // MARK: 3. Levers

    /// One A40 worker at most cannot keep TTFT waits under the SLA at this rate.
    var missing: String {
        spec(
            concurrency: 16, traffic: "requests_per_day: 13000, active_hours_per_day: 10, prompt_tokens: 800, output_tokens: 300",
            extra: "sla: {ttft_p95: 1s}\nconstraints: {max_workers: 1, gpus: [A40]}\ndeploy: {mode: serverless}\n")
    }

    func testAPlanThatMissesItsSLAPricesEachLeverThatMeetsIt() throws {
        let d = try XCTUnwrap(Fixtures.deployment(missing))
        XCTAssertEqual(d.estimates?.slaMet, false)
        let levers = try XCTUnwrap(d.levers)
        let more = try XCTUnwrap(levers.first { $0.lever == "more-workers" }, "\(levers)")
        XCTAssertEqual(more.change, "constraints.max_workers: 4")
        XCTAssertEqual(levers.map(\.monthlyUSD), levers.map(\.monthlyUSD).sorted(), "cheapest first")
        for lever in levers {
            XCTAssertEqual(lever.deltaMonthlyUSD, lever.monthlyUSD - d.cost.monthlyUSD, accuracy: 0.011)
        }
        // Following the lever gets that plan, at that price, and it meets the SLA.
        let followed = try XCTUnwrap(Fixtures.deployment(missing.replacingOccurrences(of: "max_workers: 1", with: "max_workers: 4")))
        XCTAssertEqual(followed.estimates?.slaMet, true)
        XCTAssertEqual(followed.cost.monthlyUSD, more.monthlyUSD, accuracy: 0.001)
        XCTAssertEqual(followed.gpu.id, more.gpu)
        XCTAssertEqual(followed.estimates?.replicas, more.replicas)
        XCTAssertNil(followed.levers, "a plan that meets its SLA has no levers")
        // Pods were not allowed (deploy.mode: serverless), so a pod was priced; one A40 pod misses too.
        XCTAssertFalse(levers.contains { $0.lever == "pod" }, "\(levers)")

        let text = PlanTextRenderer.deployment(d, explain: false)
        XCTAssertTrue(text.contains("levers (the SLA is not met as specified; each of these meets it):"), text)
        XCTAssertTrue(text.contains("(constraints.max_workers: 4): 1 x NVIDIA A40 serverless"), text)
        let json = String(decoding: try JSONEncoder().encode(d), as: UTF8.self)
        XCTAssertTrue(json.contains("\"levers\":[{"), json)
        let decoded = try JSONDecoder().decode(Deployment.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.levers, d.levers)
    }

    func testAMissWithNoLeverSaysSo() throws {
        var d = try XCTUnwrap(Fixtures.deployment(missing))
        d.levers = []
        XCTAssertTrue(
            PlanTextRenderer.deployment(d, explain: false).contains(
                "    - no single lever (baked weights, a network volume, a pod, active workers, more workers) meets the SLA"))
        d.levers = nil
        XCTAssertFalse(PlanTextRenderer.deployment(d, explain: false).contains("levers"))
    }

    // MARK: 4. KV sizing

    let kvSpec = """
        version: 1
        name: probe
        model: {id: meta-llama/Llama-3.1-8B-Instruct}
        context: 32k
        concurrency: 64
        traffic: {requests_per_day: 20000, active_hours_per_day: 10, prompt_tokens: 2000, output_tokens: 500}
        constraints: {gpus: [A40]}
        deploy: {mode: pod}

        """

    func testTypicalSizingReservesTheP99SequenceAndKeepsTheContext() throws {
        let full = try XCTUnwrap(Fixtures.deployment(kvSpec))
        let typical = try XCTUnwrap(Fixtures.deployment("kv_cache_sizing: typical\n" + kvSpec))
        // The 99th percentile of a log-normal with mean 2,500 and sigma 0.5: m exp(-s^2/2 + s z99).
        let z99 = 2.3263478740408408
        let p99 = Int((2500 * exp(-0.125 + 0.5 * z99)).rounded(.up))
        XCTAssertEqual(p99, 7061)
        let vllm = try XCTUnwrap(typical.vllm)
        XCTAssertEqual(vllm.maxModelLen, 32768, "max model len stays the context")
        let perReplica = Int64(vllm.maxNumSeqs)
        XCTAssertEqual(typical.sizing.kvCacheBytes, typical.sizing.kvBytesPerToken * Int64(p99) * perReplica)
        XCTAssertEqual(full.sizing.kvCacheBytes, full.sizing.kvBytesPerToken * 32768 * Int64(full.vllm!.maxNumSeqs))
        XCTAssertLessThan(typical.cost.monthlyUSD, full.cost.monthlyUSD, "fewer A40s hold the typical load")
        let note = try XCTUnwrap(typical.estimates?.slaNotes.first { $0.hasPrefix("KV cache sized for") })
        XCTAssertTrue(note.contains("\(vllm.maxNumSeqs) x \(p99) tokens"), note)
        XCTAssertTrue(note.contains("chance the sequences need more"), note)
        XCTAssertFalse(full.estimates!.slaNotes.contains { $0.hasPrefix("KV cache sized for") })
    }

    func testOverflowProbabilityAgreesWithAMonteCarloSum() {
        // 8 sequences of mean 1,000 tokens (sigma 0.5); capacity 11,000 tokens: P(sum > capacity).
        var rng = SplitMix(seed: 17)
        let n = 8, samples = 200_000, capacity = 11_000.0, sigma = 0.5
        var over = 0
        for _ in 0..<samples {
            var sum = 0.0
            for _ in 0..<n { sum += 1000 * exp(-sigma * sigma / 2 + sigma * rng.normal()) }
            if sum > capacity { over += 1 }
        }
        let simulated = Double(over) / Double(samples)
        let p = Compiler.kvOverflowProbability(sequences: n, capacityTokens: Int(capacity), meanTokens: 1000, context: 100_000)
        XCTAssertGreaterThan(simulated, 0.02)
        XCTAssertEqual(p, simulated, accuracy: simulated * 0.15, "Fenton-Wilkinson within 15% of the simulated tail")
        // Room for every sequence at the full context: no overflow at all.
        XCTAssertEqual(Compiler.kvOverflowProbability(sequences: n, capacityTokens: n * 4096, meanTokens: 1000, context: 4096), 0)
    }
}

/// A seeded generator for the Monte Carlo check (SplitMix64, Box-Muller normals).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }
    mutating func normal() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
}
