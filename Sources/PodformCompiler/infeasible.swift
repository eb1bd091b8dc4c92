import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    func describe(_ o: Option) -> String {
        let mode = o.model.label
        let replicas = o.candidate.replicas > 1 ? "\(o.candidate.replicas) replicas of " : ""
        return fmt("%@%d x %@ (%@) at $%.0f/month", replicas, o.candidate.tp, o.candidate.gpu.displayName, mode, o.monthlyUSD)
    }

    /// An infeasible spec: say what fails and what would work (D-INFEASIBLE).
    func infeasible(
        load: Load, rejected: [Candidate], gpuRejections: [(GPUType, String, String)], modes: Set<PricingModel>,
        trace: TraceBuilder
    ) -> CompileFailure {
        let one = architecture.estimate(
            ServingShape(
                weights: precision, kv: kvFormat, context: load.context,
                concurrency: load.concurrency, gpuMemoryUtilization: utilization),
            accounting: environment.accounting, parametersOverride: spec.model.parameters)
        var message = fmt(
            "no GPU meets this spec: it needs %.0f GB per replica (weights %.0f GB + KV cache %.0f GB + overhead)",
            Double(one.totalBytesPerGPU) / 1e9, Double(one.weightsBytes) / 1e9, Double(one.kvCacheBytes) / 1e9)
        let reasons = Dictionary(grouping: rejected.compactMap(\.rejectionRule), by: { $0 }).mapValues(\.count)
        if let top = reasons.max(by: { $0.value < $1.value }) {
            let example = rejected.first { $0.rejectionRule == top.key }?.rejection ?? ""
            message += "; most candidates fail \(top.key): \(example)"
        } else if rejected.isEmpty && !gpuRejections.isEmpty {
            message += "; the constraints rule out every GPU (\(gpuRejections.first!.2))"
        }
        var suggestions: [String] = []
        // What would work: the same spec without the allow-list/deny-list, and with a 4-bit format.
        var relaxed = spec
        relaxed.constraints.gpus = []
        relaxed.constraints.excludeGPUs = []
        relaxed.constraints.monthlyBudgetUSD = nil
        relaxed.constraints.requireECC = nil
        for variant in [
            (relaxed, ""),
            (
                {
                    var s = relaxed; s.precision = .awq; return s
                }(), "awq on "
            ),
            (
                {
                    var s = relaxed; s.kvCacheDType = .fp8; return s
                }(), "an fp8 KV cache on "
            )
        ] {
            if variant.0 == spec && variant.1.isEmpty { continue }
            if variant.1 == "awq on " && [.awq, .gptq, .int4, .mxfp4].contains(spec.precision) { continue }
            if variant.1.hasPrefix("an fp8") && spec.kvCacheDType == .fp8 { continue }
            let c = Compiler(spec: variant.0, specFile: specFile, architecture: architecture, environment: environment)
            var t = TraceBuilder()
            let l = c.load(&t)
            var best: Option?
            for gpu in environment.gpus.gpus where c.gpuRejection(gpu) == nil {
                for tp in c.tensorParallelSizes(gpu) {
                    let cand = c.evaluate(gpu, tp: tp, replicas: 1, load: l)
                    guard cand.rejectionDetail == nil else { continue }
                    for o in c.options(for: cand, load: l, allowed: modes) where best == nil || Option.isCheaper(o, best!) { best = o }
                }
            }
            if let best { suggestions.append(variant.1 + c.describe(best) + (variant.1.isEmpty ? " without the GPU constraints" : "")) }
        }
        if suggestions.isEmpty { suggestions.append("lower context or concurrency, or raise constraints.max_workers") }
        return failure(message, suggestions: suggestions, trace: trace)
    }
}
