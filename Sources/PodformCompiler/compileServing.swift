import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

/// What the serving search chose, and everything D-PRICING, the alternatives and the availability
/// record weigh it against.
struct ServingChoice {
    var best: Option
    var load: Load
    /// The options the winner was picked from: within the budget, meeting the SLA when any does, in stock.
    var options: [Option]
    /// Every option priced, before the budget.
    var allOptions: [Option]
    var rejected: [Candidate]
    var gpuRejections: [(GPUType, String, String)]
    /// The pricing models D-MODE and the image allow.
    var modes: Set<PricingModel>
    var stock: StockedOptions
}

extension Compiler {
    /// Compiles an inference or batch spec: the rules in `Specs/decisions.md` order, each recorded in
    /// the trace, then the cheapest option that meets the SLA as a deployment.
    func compileServing() -> Result<Deployment, CompileFailure> {
        var trace = TraceBuilder()
        trace.add(
            .workload, inputs: ["workload": spec.workload.rawValue],
            outcome: spec.workload == .batch
                ? "batch inference: throughput per dollar, latency tolerant" : "realtime inference: TTFT and per-user tokens/s matter",
            source: Source.seed000)
        let load = self.load(&trace)
        recordMemoryModel(load, &trace)
        if let refusal = servingRefusal(load, &trace) { return .failure(refusal) }
        let (modes, imageRefusal) = modesForImage(allowedModels(&trace), &trace)
        if let imageRefusal { return .failure(imageRefusal) }
        if weightsLocation == .networkVolume && spec.constraints.dataCenters.isEmpty {
            return .failure(
                failure(
                    "weights on a network volume need a data center (a volume lives in one)",
                    suggestions: ["set constraints.data_centers, e.g. [EU-RO-1]", "or deploy.weights: download"], trace: trace))
        }
        let found: Search
        switch searchServing(load: load, modes: modes, &trace) {
        case .success(let s): found = s
        case .failure(let f): return .failure(f)
        }
        let choice: ServingChoice
        switch choose(found, load: load, modes: modes, trace: trace) {
        case .success(let c): choice = c
        case .failure(let f): return .failure(f)
        }
        let best = choice.best
        let availability = availabilityRecord(best, choice.stock, &trace)
        var d = deployment(choice, trace: trace)
        d.availability = availability
        if best.candidate.nodes > 1 { servingCluster(&d, best.candidate) }
        if availability.noStock { d.warnings.append(noStockWarning(best)) }
        return .success(withFallbackPools(d, best, load: load))
    }

    /// D-MEMORY-MODEL: what one replica's memory is made of.
    func recordMemoryModel(_ load: Load, _ trace: inout TraceBuilder) {
        let params = spec.model.parameters ?? architecture.parameterCount.total
        trace.add(
            .memoryModel,
            inputs: [
                "model": architecture.id, "parameters": fmt("%.2fB", Double(params) / 1e9),
                "precision": precision.rawValue, "kv_cache_dtype": kvFormat.rawValue,
                "kv_bytes_per_token": "\(architecture.kvBytesPerToken(kvFormat, weights: precision))",
                "gpu_memory_utilization": fmt("%.2f", utilization), "accounting": environment.accounting.name
            ],
            outcome: fmt(
                "weights %.1f GB + KV %.1f GB for %d x %d tokens + activation/non-torch/graph overhead per GPU",
                Double(architecture.weightBytes(precision)) / 1e9,
                Double(architecture.kvBytesPerToken(kvFormat, weights: precision)) * Double(load.context * load.concurrency) / 1e9,
                load.concurrency, load.context),
            source: Source.sizing)
    }

    /// What vLLM refuses before any GPU is tried: a context over the model's limit, a precision the
    /// checkpoint cannot serve (D-PRECISION); and the tensor-parallel sizes it cannot load (D-TP).
    func servingRefusal(_ load: Load, _ trace: inout TraceBuilder) -> CompileFailure? {
        if let max = architecture.maxContext, load.context > max {
            return failure(
                "context \(load.context) exceeds \(architecture.id)'s limit of \(max) tokens, as vLLM derives it from config.json (max_position_embeddings and rope scaling); vLLM refuses a larger --max-model-len",
                suggestions: ["set context to \(max) or less"], trace: trace, code: "context-over-model-limit", at: "context")
        }
        let decision = precisionDecision()
        trace.add(
            .precision,
            inputs: [
                "precision": precision.rawValue, "model": spec.model.id,
                "quantization_config": architecture.quantization?.summary ?? "none"
            ],
            outcome: decision.outcome, source: decision.source ?? Source.vllmQuantization)
        if let (message, suggestions) = decision.refusal {
            return failure(message, suggestions: suggestions, trace: trace, code: "precision-checkpoint-mismatch", at: "precision")
        }
        let skipped = [1, 2, 4, 8].compactMap { tp in tensorParallelProblem(tp).map { "\(tp): \($0)" } }
        trace.add(
            .tensorParallel,
            inputs: [
                "heads": "\(architecture.heads)", "kv_heads": "\(architecture.kvHeads)",
                "fp8_block": architecture.quantization?.weightBlock.map { $0.map(String.init).joined(separator: "x") } ?? "none"
            ],
            outcome: skipped.isEmpty ? "every size of 1, 2, 4, 8 loads" : "skipped: " + skipped.joined(separator: "; "),
            source: Source.vllmParallel)
        return nil
    }

    /// Every GPU x tensor-parallel size x replica count (D-GPU-*), each priced (D-PRICING), recorded as
    /// D-GPU-FILTER and D-FIT; when no single machine holds it, Instant Clusters (D-CLUSTER).
    /// `sla.redundancy: n+1` adds one spare replica to each (`search`).
    func searchServing(load: Load, modes: Set<PricingModel>, _ trace: inout TraceBuilder) -> Result<Search, CompileFailure> {
        var found = search(load: load, modes: modes)
        if let contradiction = littlesLawFailure(found, load: load, trace: trace) { return .failure(contradiction) }
        trace.add(
            .gpuFilter,
            inputs: [
                "gpus": spec.constraints.gpus.joined(separator: ", "), "exclude_gpus": spec.constraints.excludeGPUs.joined(separator: ", "),
                "cloud": (spec.constraints.cloud ?? .secure).rawValue, "require_ecc": "\(spec.constraints.requireECC ?? false)",
                "allow_consumer_gpus": "\(spec.constraints.allowConsumerGPUs ?? false)", "image": image
            ],
            outcome: "\(environment.gpus.gpus.count - found.gpuRejections.count) of \(environment.gpus.gpus.count) GPU types remain",
            source: Source.seed000)
        trace.add(
            .fit,
            inputs: [
                "ttft_p95": spec.sla.ttftP95.map { fmt("%.2fs", $0) } ?? "none",
                "output_tokens_per_second": spec.sla.outputTokensPerSecond.map { fmt("%g", $0) } ?? "none",
                "max_workers": "\(found.maxReplicas)"
            ].merging(spareReplicas > 0 ? ["redundancy": "n+1 (one spare replica)"] : [:]) { a, _ in a },
            outcome: "\(found.feasible.count) feasible, \(found.rejected.count) rejected", source: Source.performance)
        if found.feasible.isEmpty && modes.contains(.pod) {
            // No single machine: an Instant Cluster (D-CLUSTER).
            let cluster = clusterCandidates(load: load)
            recordClusterSearch(cluster.feasible, cluster.rejected, singleNodeRejected: found.rejected, &trace)
            found.feasible = cluster.feasible
            found.rejected += cluster.rejected
            // Priced as pods of N nodes (D-COST-POD); no serverless form.
            found.options = cluster.feasible.compactMap { clusterOption($0) }
        }
        return .success(found)
    }

    /// The winner among the priced options: within `constraints.monthly_budget`, the cheapest whose
    /// analytic SLA check holds, cold starts included (if none does, the cheapest, whose verdict then
    /// says "not met"), then what can be had now (D-AVAILABILITY).
    func choose(_ found: Search, load: Load, modes: Set<PricingModel>, trace: TraceBuilder) -> Result<ServingChoice, CompileFailure> {
        var options = found.options
        if let budget = spec.constraints.monthlyBudgetUSD {
            let within = options.filter { $0.monthlyUSD <= budget }
            let meetingAll = options.filter(\.meetsSLA)
            if within.isEmpty, let cheapest = (meetingAll.isEmpty ? options : meetingAll).min(by: Option.isCheaper) {
                let what = meetingAll.isEmpty ? "the cheapest deployment (none meets the SLA)" : "the cheapest deployment that meets the SLA"
                return .failure(
                    failure(
                        fmt("%@ costs $%.0f/month, over the $%.0f budget", what, cheapest.monthlyUSD, budget),
                        suggestions: [describe(cheapest), "raise constraints.monthly_budget or relax the SLA"], trace: trace))
            }
            options = within
        }
        let meeting = options.filter(\.meetsSLA)
        if !meeting.isEmpty { options = meeting }
        let stock = stocked(options)
        options = stock.options
        guard let best = options.min(by: Option.isCheaper) else {
            return .failure(infeasible(load: load, rejected: found.rejected, gpuRejections: found.gpuRejections, modes: modes, trace: trace))
        }
        if let problem = containerDiskProblem(best.mode) {
            let needed = weightsOnContainerDiskGB(best.mode) ?? 0
            return .failure(
                failure(
                    problem,
                    suggestions: [
                        "set deploy.container_disk to at least \(needed)GB, or omit it",
                        "use deploy.weights: network-volume"
                    ], trace: trace))
        }
        return .success(
            ServingChoice(
                best: best, load: load, options: options, allOptions: found.options, rejected: found.rejected,
                gpuRejections: found.gpuRejections, modes: modes, stock: stock))
    }
}
