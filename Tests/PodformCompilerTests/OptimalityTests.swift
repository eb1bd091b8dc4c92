import Foundation
import PodformCatalog
import PodformCore
import PodformSizing
import XCTest

@testable import PodformCompiler

/// Over generated specs, an exhaustive search confirms the plan is the cheapest feasible one
/// (ties broken by the documented rule) and no plan breaks memory, SLA or constraints.
final class OptimalityTests: XCTestCase {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    static func generateSpecs(count: Int, seed: UInt64 = 42) -> [String] {
        var g = Generator(state: seed)
        let models = [
            "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct", "mistralai/Mistral-7B-Instruct-v0.3",
            "Qwen/Qwen3-8B", "google/gemma-2-9b-it", "microsoft/Phi-3-mini-4k-instruct", "Qwen/Qwen2.5-14B-Instruct",
            "Qwen/Qwen2.5-32B-Instruct", "meta-llama/Llama-3.1-70B-Instruct", "Qwen/Qwen3-30B-A3B",
            "openai/gpt-oss-20b", "meta-llama/Llama-3.2-3B-Instruct", "mistralai/Mixtral-8x7B-Instruct-v0.1"
        ]
        var specs: [String] = []
        for i in 0..<count {
            let model = g.pick(models)
            let maxContext = model.contains("Phi-3-mini") ? 4096 : model.contains("gemma-2") ? 8192 : 32768
            let context = min(g.pick([2048, 4096, 8192, 16384]), maxContext)
            // awq/int8 on a 16-bit repository are refused (D-PRECISION).
            let precision = model.contains("gpt-oss") ? "mxfp4" : g.pick(["bf16", "bf16", "fp8", "int4", "fp16"])
            let pattern = g.pick(["steady", "bursty", "scheduled", "batch"])
            let prompt = g.pick([200, 500, 1000]), output = g.pick([100, 200, 400])
            var yaml = """
                version: 1
                name: gen-\(i)
                workload: \(pattern == "batch" ? "batch" : "inference")
                model: {id: \(model)}
                precision: \(precision)
                kv_cache_dtype: \(g.pick(["auto", "auto", "fp8"]))
                context: \(context)
                concurrency: \(g.pick([1, 4, 8, 16, 32, 64]))
                traffic:
                  pattern: \(pattern)
                  requests_per_day: \(g.pick([100, 1000, 10000, 100000]))
                  active_hours_per_day: \(g.pick([4, 8, 12, 24]))
                  prompt_tokens: \(prompt)
                  output_tokens: \(output)
                sla:
                  ttft_p95: \(g.pick(["1s", "2s", "5s", "10s"]))
                  output_tokens_per_second: \(g.pick([5, 10, 20, 30]))
                  cold_start: \(g.pick(["30s", "60s", "120s", "none", "600s"]))
                constraints:
                  cloud: \(g.pick(["secure", "community", "any"]))
                  max_workers: \(g.pick([1, 2, 4, 8]))

                """
            if g.next() % 3 == 0 { yaml += "  require_ecc: true\n" }
            if g.next() % 4 == 0 { yaml += "  allow_consumer_gpus: true\n" }
            if g.next() % 4 == 0 {
                yaml += "  gpus: [\(g.pick(["H100", "L40S", "A100-SXM", "A6000", "H200"])), \(g.pick(["4090", "L4", "A40", "h100-nvl"]))]\n"
            }
            if g.next() % 5 == 0 { yaml += "  monthly_budget: \(g.pick([200, 1000, 5000])) USD\n" }
            yaml += "deploy:\n  mode: \(g.pick(["auto", "auto", "pod", "serverless"]))\n  weights: download\n"
            specs.append(yaml)
        }
        return specs
    }

    func testPlansAreTheCheapestFeasibleAndNeverBreakMemorySLAOrConstraints() throws {
        let specs = Self.generateSpecs(count: 220)
        var compiled = 0, infeasible = 0
        for text in specs {
            let (spec, diagnostics) = Spec.validate(path: "gen.yaml", text: text, environment: Fixtures.validation)
            guard let spec, !diagnostics.hasErrors else { continue }
            let arch = try XCTUnwrap(Fixtures.models.model(named: spec.model.id)).architecture
            let compiler = Compiler(spec: spec, specFile: "gen.yaml", architecture: arch, environment: Fixtures.environment)
            var trace = TraceBuilder()
            let load = compiler.load(&trace)
            let modes = compiler.allowedModels(&trace)
            // A precision the checkpoint cannot serve is refused before any search (D-PRECISION).
            if compiler.precisionDecision().refusal != nil {
                guard case .failure(let f) = spec.compile(specFile: "gen.yaml", architecture: arch, environment: Fixtures.environment) else {
                    XCTFail("\(spec.name): a refused precision compiled"); continue
                }
                XCTAssertEqual(f.code, "precision-checkpoint-mismatch")
                infeasible += 1
                continue
            }

            // Exhaustive: every GPU the constraints allow x every allowed tp x every replica count x every mode.
            var best: Option?
            for gpu in Fixtures.gpus.gpus where compiler.gpuRejection(gpu) == nil {
                for tp in compiler.tensorParallelSizes(gpu) {
                    for replicas in 1...min(spec.constraints.maxWorkers ?? 16, 64) {
                        let c = compiler.evaluate(gpu, tp: tp, replicas: replicas, load: load)
                        guard c.rejectionDetail == nil else { continue }
                        for o in compiler.options(for: c, load: load, allowed: modes)
                        where spec.constraints.monthlyBudgetUSD.map({ o.monthlyUSD <= $0 }) ?? true {
                            // The compiler's rule: the cheapest option that meets the SLA (analytic, cold starts
                            // included); only when none does, the cheapest.
                            if best == nil || (o.meetsSLA && !best!.meetsSLA)
                                || (o.meetsSLA == best!.meetsSLA && Option.isCheaper(o, best!))
                            {
                                best = o
                            }
                        }
                    }
                }
            }
            switch spec.compile(specFile: "gen.yaml", architecture: arch, environment: Fixtures.environment) {
            case .failure(let failure):
                XCTAssertNil(best, "\(spec.name): compiler found nothing (\(failure.message)) but \(best.map(compiler.describe) ?? "") is feasible")
                infeasible += 1
            case .success(let d):
                compiled += 1
                guard let best else { XCTFail("\(spec.name): exhaustive search found nothing the compiler found"); continue }
                XCTAssertEqual(
                    d.cost.monthlyUSD, (best.monthlyUSD * 100).rounded() / 100, accuracy: 0.011,
                    "\(spec.name): plan \(d.gpu.count) x \(d.gpu.id) \(d.mode) vs exhaustive \(compiler.describe(best))")
                XCTAssertEqual(d.gpu.id, best.candidate.gpu.id, spec.name)
                XCTAssertEqual(d.gpu.count, best.candidate.tp, spec.name)
                checkInvariants(d, spec: spec, arch: arch)
            }
        }
        XCTAssertGreaterThanOrEqual(compiled, 150, "too few generated specs compiled (\(compiled); \(infeasible) infeasible)")
        print("optimality: \(compiled) plans checked, \(infeasible) infeasible specs confirmed infeasible")
    }

    /// Independent re-checks of a plan, from the formulas rather than the compiler's code path.
    func checkInvariants(_ d: Deployment, spec: Spec, arch: ModelArchitecture) {
        let gpu = Fixtures.gpus.gpu(named: d.gpu.id)!
        // Memory: weights/tp + KV for the per-replica load + overhead must fit gpu x utilization.
        let vllm = d.vllm!
        let format = WeightFormat(rawValue: spec.precision.rawValue)!
        let kv = KVFormat(rawValue: spec.kvCacheDType.rawValue)!
        let weights = Double(arch.weightBytes(format)) / Double(d.gpu.count)
        let kvBytes = Double(arch.kvAccountedBytesPerTokenPerGPU(kv, weights: format, tp: d.gpu.count)) * Double(vllm.maxModelLen * vllm.maxNumSeqs)
        let usable = Double(gpu.cudaMemoryBytes) * vllm.gpuMemoryUtilization
        XCTAssertLessThanOrEqual(weights + kvBytes + Double(d.sizing.overheadBytesPerGPU), usable, "\(spec.name) would OOM")
        XCTAssertGreaterThanOrEqual(vllm.maxNumSeqs * (d.estimates?.replicas ?? 1), spec.concurrency ?? 1)
        // SLA.
        if let ttft = spec.sla.ttftP95 { XCTAssertLessThanOrEqual(d.estimates!.ttftP95Seconds, ttft + 0.001, spec.name) }
        if let tps = spec.sla.outputTokensPerSecond { XCTAssertGreaterThanOrEqual(d.estimates!.outputTokensPerSecondPerUser, tps - 0.05, spec.name) }
        if spec.sla.coldStart == ColdStart.none { XCTAssertTrue(d.mode == .pod || (d.workers?.min == d.workers?.max), spec.name) }
        if case .seconds(let limit)? = spec.sla.coldStart, d.workerMode == .flex {
            XCTAssertLessThanOrEqual(d.estimates!.coldStartSeconds ?? 0, limit + 0.5, spec.name)
        }
        // Constraints.
        if spec.constraints.requireECC == true { XCTAssertTrue(gpu.ecc, spec.name) }
        let allowed = spec.constraints.gpus.compactMap { Fixtures.gpus.gpu(named: $0)?.id }
        if !allowed.isEmpty { XCTAssertTrue(allowed.contains(gpu.id), spec.name) }
        if gpu.consumer { XCTAssertTrue(spec.constraints.allowConsumerGPUs == true || allowed.contains(gpu.id), spec.name) }
        if let budget = spec.constraints.monthlyBudgetUSD { XCTAssertLessThanOrEqual(d.cost.monthlyUSD, budget + 0.01, spec.name) }
        if spec.precision == .fp8 { XCTAssertTrue(gpu.fp8, spec.name) }
        if let max = spec.constraints.maxWorkers { XCTAssertLessThanOrEqual(d.estimates?.replicas ?? 1, max, spec.name) }
        XCTAssertTrue(arch.supportsTensorParallel(d.gpu.count), spec.name)
        if spec.deploy.mode == .pod { XCTAssertEqual(d.mode, .pod) }
        if spec.deploy.mode == .serverless { XCTAssertEqual(d.mode, .serverless) }
    }
}
