import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// The load from the spec's traffic, with every default recorded in the trace (D-LOAD).
    func load(_ trace: inout TraceBuilder) -> Load {
        let concurrency = spec.concurrency ?? 1
        let prompt = spec.traffic.promptTokens ?? ServingDefaults.promptTokens(context: context)
        let output = spec.traffic.outputTokens ?? ServingDefaults.outputTokens(context: context)
        let pattern = spec.traffic.pattern ?? (spec.workload == .batch ? .batch : .bursty)
        // A schedule is the window traffic arrives in (and the hours a pod runs on a run day).
        let activeHours =
            spec.traffic.schedule?.hoursPerRunDay ?? spec.traffic.activeHoursPerDay ?? (pattern == .steady ? 24 : pattern == .batch ? 4 : 12)
        var requestsPerDay = spec.traffic.requestsPerDay ?? 0
        var peak = spec.traffic.peakRequestsPerSecond ?? 0
        if peak == 0 && requestsPerDay > 0 {
            let mean = requestsPerDay / (activeHours * 3600)
            peak = pattern == .bursty ? mean * 3 : mean * 1.5
        }
        if requestsPerDay == 0 && peak > 0 { requestsPerDay = peak * activeHours * 3600 / (pattern == .bursty ? 3 : 1.5) }
        var inputs = [
            "context": "\(context)", "concurrency": "\(concurrency)", "prompt_tokens": "\(prompt)",
            "output_tokens": "\(output)", "pattern": pattern.rawValue,
            "active_hours_per_day": fmt("%g", activeHours),
            "requests_per_day": fmt("%.0f", requestsPerDay), "peak_rps": fmt("%.3g", peak)
        ]
        if spec.traffic.promptTokens == nil { inputs["prompt_tokens"]! += " (default: \(ServingDefaults.promptTokensRule))" }
        if spec.traffic.outputTokens == nil { inputs["output_tokens"]! += " (default: \(ServingDefaults.outputTokensRule))" }
        let rateGiven = requestsPerDay > 0
        if !rateGiven {
            inputs["requests_per_day"]! += " (not given: serverless workers are priced as up through every active hour)"
        }
        if spec.traffic.peakRequestsPerSecond == nil && requestsPerDay > 0 {
            inputs["peak_rps"]! += " (derived: mean rate over active hours x \(pattern == .bursty ? 3 : 1.5))"
        }
        trace.add(
            .load, "What load must one deployment carry?", inputs: inputs,
            outcome: "\(concurrency) concurrent sequences of up to \(context) tokens", source: Source.seed001)
        return Load(
            context: context, concurrency: concurrency, prompt: prompt, output: output, peakRPS: peak,
            requestsPerDay: requestsPerDay, activeHours: activeHours, pattern: pattern, rateGiven: rateGiven)
    }

    /// Which pricing models the rules allow (D-MODE).
    func allowedModels(_ trace: inout TraceBuilder) -> Set<PricingModel> {
        switch spec.deploy.mode ?? .auto {
        case .pod:
            trace.add(.mode, "Pod or serverless?", inputs: ["deploy.mode": "pod"], outcome: "pod (the spec says so)", source: Source.seed001)
            return [.pod]
        case .serverless:
            if spec.sla.coldStart == ColdStart.none {
                trace.add(
                    .mode, "Pod or serverless?", inputs: ["deploy.mode": "serverless", "sla.cold_start": "none"],
                    outcome: "serverless with active workers only (no scale-up may start cold)", source: Source.seed002)
                return [.serverlessActive]
            }
            trace.add(
                .mode, "Pod or serverless?", inputs: ["deploy.mode": "serverless"], outcome: "serverless (the spec says so)", source: Source.seed001)
            return PricingModel.serverless
        case .auto:
            if spec.sla.coldStart == ColdStart.none {
                trace.add(
                    .mode, "Pod or serverless?", inputs: ["sla.cold_start": "none"],
                    outcome: "pod: zero cold starts (a pod when the SLA cannot tolerate even an occasional cold start)",
                    source: Source.seed001)
                return [.pod]
            }
            trace.add(
                .mode, "Pod or serverless?", inputs: ["deploy.mode": "auto"],
                outcome: "price \(PricingModel.listed(Set(PricingModel.allCases))); the cheapest that meets the SLA wins",
                source: Source.seed000)
            return Set(PricingModel.allCases)
        }
    }

    func compileServing() -> Result<Deployment, CompileFailure> {
        var trace = TraceBuilder()
        trace.add(
            .workload, "What class of workload is this?", inputs: ["workload": spec.workload.rawValue],
            outcome: spec.workload == .batch
                ? "batch inference: throughput per dollar, latency tolerant" : "realtime inference: TTFT and per-user tokens/s matter",
            source: Source.seed000)
        let load = self.load(&trace)
        let params = spec.model.parameters ?? architecture.parameterCount.total
        trace.add(
            .memoryModel, "How much memory does one replica need?",
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
        if let max = architecture.maxContext, load.context > max {
            return .failure(
                failure(
                    "context \(load.context) exceeds \(architecture.id)'s limit of \(max) tokens, as vLLM derives it from config.json (max_position_embeddings and rope scaling); vLLM refuses a larger --max-model-len",
                    suggestions: ["set context to \(max) or less"], trace: trace, code: "context-over-model-limit", at: "context"))
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
            return .failure(failure(message, suggestions: suggestions, trace: trace, code: "precision-checkpoint-mismatch", at: "precision"))
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
        let (modes, imageRefusal) = modesForImage(allowedModels(&trace), &trace)
        if let imageRefusal { return .failure(imageRefusal) }
        if weightsLocation == .networkVolume && spec.constraints.dataCenters.isEmpty {
            return .failure(
                failure(
                    "weights on a network volume need a data center (a volume lives in one)",
                    suggestions: ["set constraints.data_centers, e.g. [EU-RO-1]", "or deploy.weights: download"], trace: trace))
        }

        // Enumerate every GPU x tensor-parallel size x replica count (D-GPU-*), each priced (D-PRICING).
        // `sla.redundancy: n+1` adds one spare replica to each (`search`).
        let spare = spareReplicas
        let found = search(load: load, modes: modes)
        if let contradiction = littlesLawFailure(found, load: load, trace: trace) { return .failure(contradiction) }
        var (rejected, feasible) = (found.rejected, found.feasible)
        let (gpuRejections, maxReplicas) = (found.gpuRejections, found.maxReplicas)
        var options = found.options
        trace.add(
            .gpuFilter, "Which GPU types do the constraints allow?",
            inputs: [
                "gpus": spec.constraints.gpus.joined(separator: ", "), "exclude_gpus": spec.constraints.excludeGPUs.joined(separator: ", "),
                "cloud": (spec.constraints.cloud ?? .secure).rawValue, "require_ecc": "\(spec.constraints.requireECC ?? false)",
                "allow_consumer_gpus": "\(spec.constraints.allowConsumerGPUs ?? false)", "image": image
            ],
            outcome: "\(environment.gpus.gpus.count - gpuRejections.count) of \(environment.gpus.gpus.count) GPU types remain",
            source: Source.seed000)
        trace.add(
            .fit, "Which GPU x count x replicas hold the load and meet the SLA?",
            inputs: [
                "ttft_p95": spec.sla.ttftP95.map { fmt("%.2fs", $0) } ?? "none",
                "output_tokens_per_second": spec.sla.outputTokensPerSecond.map { fmt("%g", $0) } ?? "none",
                "max_workers": "\(maxReplicas)"
            ].merging(spare > 0 ? ["redundancy": "n+1 (one spare replica)"] : [:]) { a, _ in a },
            outcome: "\(feasible.count) feasible, \(rejected.count) rejected", source: Source.performance)
        if feasible.isEmpty && modes.contains(.pod) {
            // No single machine: an Instant Cluster (D-CLUSTER).
            let cluster = clusterCandidates(load: load)
            recordClusterSearch(cluster.feasible, cluster.rejected, singleNodeRejected: rejected, &trace)
            feasible = cluster.feasible
            rejected += cluster.rejected
            // Priced as pods of N nodes (D-COST-POD); no serverless form.
            options = cluster.feasible.compactMap { clusterOption($0) }
        }

        let unbudgeted = options
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
        // The cheapest option whose analytic SLA check holds, cold starts included; if none does, the
        // cheapest, whose verdict then says "not met". Then what can be had now (D-AVAILABILITY).
        let meeting = options.filter(\.meetsSLA)
        if !meeting.isEmpty { options = meeting }
        let stock = stocked(options)
        options = stock.options
        guard let best = options.min(by: Option.isCheaper) else {
            return .failure(infeasible(load: load, rejected: rejected, gpuRejections: gpuRejections, modes: modes, trace: trace))
        }
        if let problem = containerDiskProblem(best.candidate, mode: best.mode) {
            let needed = weightsOnContainerDiskGB(best.candidate, mode: best.mode) ?? 0
            return .failure(
                failure(
                    problem,
                    suggestions: [
                        "set deploy.container_disk to at least \(needed)GB, or omit it",
                        "use deploy.weights: network-volume"
                    ], trace: trace))
        }
        let availability = availabilityRecord(best, stock, &trace)
        var d = deployment(
            best, load: load, options: options, allOptions: unbudgeted, rejected: rejected, gpuRejections: gpuRejections, modes: modes, trace: trace)
        d.availability = availability
        if best.candidate.nodes > 1 { servingCluster(&d, best.candidate) }
        if availability.noStock { d.warnings.append(noStockWarning(best)) }
        return .success(withFallbackPools(d, best, load: load))
    }

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
