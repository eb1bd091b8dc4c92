import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// The chosen option as a deployment: each rule records its step in `trace` (`Specs/decisions.md`).
    func deployment(
        _ best: Option, load: Load, options: [Option], allOptions: [Option], rejected: [Candidate],
        gpuRejections: [(GPUType, String, String)], modes: Set<PricingModel>,
        trace inputTrace: TraceBuilder
    ) -> Deployment {
        var trace = inputTrace
        var warnings: [Deployment.Warning] = []
        let c = best.candidate
        let gpu = c.gpu
        let storage = storagePlan(c)
        let vllm = vllmSettings(c, load: load)
        let perf = c.performance!

        recordGPU(c, &trace, &warnings)
        recordTraffic(best, load: load, &warnings)
        let (comparison, breakEven) = pricing(best, load: load, allOptions: allOptions, &trace)
        if best.mode == .pod { recordLifecycle(load, &trace, &warnings) }
        let containerImage = self.containerImage(best.mode, &trace)
        let scaling = best.mode == .serverless ? serverlessScaling(best, load: load, vllm: vllm, &trace, &warnings) : nil
        let weightsText = self.weights(best.mode, c, storage: storage, &trace, &warnings)
        let access = best.mode == .pod ? podAccess(&trace, &warnings) : [:]
        let container = self.container(best.mode, image: containerImage, vllm: vllm, storage: storage, weights: weightsText, access: access)
        if best.mode == .pod && c.replicas > 1 {
            // RunPod gives each pod its own proxy URL; nothing in the plan spreads requests across them.
            warnings.append(
                .init(
                    code: "pods-not-load-balanced",
                    message:
                        "\(c.replicas) pods are \(c.replicas) separate URLs (one RunPod proxy URL each) and nothing balances load across them: spread requests over all of them (a load balancer or the client), or use deploy.mode: serverless for one endpoint"
                ))
        }
        recordEngineSettings(vllm, &trace)
        if let image = spec.deploy.image, !StringShape.isPinnedImage(image) {
            warnings.append(.init(code: "unpinned-image", message: "image `\(image)` is not pinned to a version"))
        }
        if let age = environment.gpus.ageInDays(now: environment.now), age > 30 {
            warnings.append(
                .init(
                    code: "stale-catalog", message: "GPU prices are \(age) days old (as of \(environment.gpus.asOf)); run `podform catalog refresh`"))
        }
        let (verdictNotes, slaMet) = slaVerdict(best, perf, &warnings)
        let notes = verdictNotes + kvSizingNotes(c, load: load, &warnings)
        let cost = self.cost(best, load: load, comparison: comparison, breakEven: breakEven)

        let serverless = scaling?.serverless, workers = scaling?.workers
        let deploymentMode = best.mode
        let gpuOut = Deployment.GPU(
            id: gpu.id, displayName: gpu.displayName, count: c.tp, memoryGB: gpu.memoryGB,
            cloud: deploymentMode == .pod ? (podPrice(gpu)?.1 ?? "SECURE") : "SERVERLESS",
            pool: deploymentMode == .serverless ? gpu.serverlessPool : nil)
        return Deployment(
            name: spec.name, specFile: specFile, workload: spec.workload.rawValue,
            model: .init(
                id: spec.model.id, parameters: c.memory.parameters, activeParameters: c.memory.activeParameters,
                maxContext: architecture.maxContext),
            precision: precision.rawValue, mode: deploymentMode, workerMode: best.workerMode, gpu: gpuOut, workers: workers,
            serverless: serverless, vllm: vllm, training: nil, container: container, cost: cost, sizing: c.memory,
            estimates: .init(
                ttftP95Seconds: round3(perf.ttftP95Seconds), ttftP95SecondsRange: perf.ttftP95SecondsRange.map(round3),
                outputTokensPerSecondPerUser: round1(perf.outputTokensPerSecondPerUser),
                outputTokensPerSecondPerUserRange: perf.outputTokensPerSecondPerUserRange.map(round1),
                replicaRequestsPerSecond: round3(perf.requestsPerSecond), replicas: c.replicas,
                coldStartSeconds: best.coldStartSeconds.map { $0.rounded() }, slaMet: slaMet, slaNotes: notes),
            placement: placement(best),
            alternatives: alternatives(
                best, options: options, allOptions: allOptions, rejected: rejected,
                gpuRejections: gpuRejections, load: load, modes: modes),
            trace: trace.steps, warnings: warnings)
    }

    /// D-GPU: the chosen GPU, count and replicas, and the warnings the hardware earns.
    func recordGPU(_ c: Candidate, _ trace: inout TraceBuilder, _ warnings: inout [Deployment.Warning]) {
        let gpu = c.gpu
        let perf = c.performance!
        trace.add(
            .gpu, "Which GPU, how many per replica, how many replicas?",
            inputs: [
                "gpu": gpu.id, "tensor_parallel": "\(c.tp)", "replicas": "\(c.replicas)",
                "per_replica_concurrency": "\(c.perReplicaConcurrency)",
                "kv_capacity_tokens": "\(c.memory.gpu?.kvCapacityTokens ?? 0)",
                "margin_gb": fmt("%.1f", Double(c.marginBytes) / 1e9)
            ],
            outcome: fmt(
                "%d x %@ per replica: %.1f GB needed of %.1f GB usable per GPU", c.tp, gpu.displayName,
                Double(c.memory.totalBytesPerGPU) / 1e9, Double(c.memory.gpu?.usableBytes ?? 0) / 1e9),
            source: Source.seed001)
        if c.tp > 1 && !gpu.fastInterconnect {
            warnings.append(
                .init(
                    code: "pcie-tensor-parallel",
                    message:
                        "tensor parallel over PCIe (\(gpu.displayName)): all-reduces cost more than on NVLink/SXM; the estimate includes a PCIe penalty (Specs/performance.md)"
                ))
        }
        for note in perf.uncalibrated {
            warnings.append(
                .init(
                    code: "speed-uncalibrated",
                    message: "\(note): the speed estimate uses fallback efficiency factors and a wider range (Specs/performance.md §2)"))
        }
        if gpu.consumer {
            warnings.append(
                .init(
                    code: "consumer-gpu",
                    message: "\(gpu.displayName) is a GeForce card: no ECC, and NVIDIA's GeForce driver licence does not permit datacenter deployment"
                ))
        }
    }

    /// Warnings on the traffic and prices: active workers at a past list price, and a peak that
    /// implies more requests in flight than the spec's concurrency (Little's law).
    func recordTraffic(_ best: Option, load: Load, _ warnings: inout [Deployment.Warning]) {
        let perf = best.candidate.performance!
        warnings += priceWarnings(best)
        // Little's law: the peak rate x the time a request holds a slot is the concurrency the traffic implies.
        let holdSeconds = perf.ttftSeconds + Double(load.output) * perf.stepSeconds
        let implied = load.peakRPS * holdSeconds
        if implied > Double(load.concurrency) * 1.25 {
            warnings.append(
                .init(
                    code: "littles-law",
                    message: fmt(
                        "the peak of %.2f requests/s x ~%.1f s per request implies ~%.0f requests in flight (Little's law), above concurrency %d: requests queue for a slot; raise concurrency or lower the peak",
                        load.peakRPS, holdSeconds, implied, load.concurrency)))
        }
    }

    /// D-PRICING: the cheapest pricing model, with the others' monthly cost and the pod/flex break-even.
    func pricing(_ best: Option, load: Load, allOptions: [Option], _ trace: inout TraceBuilder)
        -> (comparison: [String: Double], breakEven: Double?)
    {
        let c = best.candidate
        let gpu = c.gpu
        let modeText = best.model.label
        var comparison: [String: Double] = [:]
        for o in allOptions where o.candidate.gpu.id == gpu.id && o.candidate.tp == c.tp && o.candidate.replicas == c.replicas {
            comparison[o.model.comparisonKey(minWorkers: o.minWorkers)] = (o.monthlyUSD * 100).rounded() / 100
        }
        var breakEven: Double?
        if let pod = comparison[PricingModel.pod.comparisonKey(minWorkers: c.replicas)],
            let flex = comparison[PricingModel.serverlessFlex.comparisonKey(minWorkers: 0)], load.requestsPerDay > 0, flex > 0
        {
            let storage = Double(storagePlan(c).networkVolumeGB ?? 0) * environment.gpus.storage.networkVolumePerGBMonth
            let perRequest = max(flex - storage, 0.0001) / load.requestsPerDay
            breakEven = ((pod - storage) / perRequest).rounded()
        }
        trace.add(
            .pricing, "Which pricing model is cheapest at this traffic?",
            inputs: comparison.mapValues { fmt("$%.2f/month", $0) }.merging(
                [
                    "requests_per_day": fmt("%.0f", load.requestsPerDay),
                    "break_even_requests_per_day": breakEven.map { fmt("%.0f", $0) } ?? "n/a"
                ], uniquingKeysWith: { a, _ in a }),
            outcome: fmt("%@ at $%.2f/month", modeText, best.monthlyUSD), source: Source.seed002)
        return (comparison, breakEven)
    }

    /// D-LIFECYCLE: when a pod runs (and bills).
    func recordLifecycle(_ load: Load, _ trace: inout TraceBuilder, _ warnings: inout [Deployment.Warning]) {
        if let schedule = spec.traffic.schedule {
            trace.add(
                .lifecycle, "When does the pod run (and bill)?", inputs: ["traffic.schedule": schedule.description],
                outcome: fmt(
                    "%.1f hours a day on average: `podform reconcile` starts the pod when the window opens and stops it when it closes",
                    schedule.averageHoursPerDay),
                source: "Specs/state.md (Lifecycle); openapi-v2.json POST /v2/pods/{id}/action")
        } else {
            trace.add(
                .lifecycle, "When does the pod run (and bill)?", inputs: ["traffic.schedule": "none", "pattern": load.pattern.rawValue],
                outcome: "all day: nothing stops a pod, so it is priced for 24 hours a day",
                source: "Specs/state.md (Lifecycle)")
            if load.pattern == .batch || load.pattern == .scheduled || spec.workload == .batch {
                warnings.append(
                    .init(
                        code: "pod-runs-all-day",
                        message: fmt(
                            "this \(load.pattern.rawValue) pod is priced for 24 hours a day: nothing stops it after its %g active hours; set traffic.schedule so that `podform reconcile` stops it outside them",
                            load.activeHours)))
            }
        }
    }

    /// D-POOL and D-SERVERLESS: the endpoint's pool, exclusions, scaler, timeouts and worker counts.
    func serverlessScaling(
        _ best: Option, load: Load, vllm: Deployment.VLLM, _ trace: inout TraceBuilder,
        _ warnings: inout [Deployment.Warning]
    ) -> (serverless: Deployment.Serverless, workers: Deployment.Workers) {
        let c = best.candidate
        let gpu = c.gpu
        let perf = c.performance!
        let pool = gpu.serverlessPool!
        let excluded = recordPool(best, pool: pool, load: load, vllm: vllm, &trace)
        let (scaler, scalerValue, _) = self.scaler(idle: best.idleSeconds, load: load, slots: c.perReplicaConcurrency)
        // The execution timeout covers the slowest GPU the endpoint may land on (the pool minus its exclusions).
        let members = environment.gpus.gpus.filter { $0.serverlessPool == pool && !excluded.contains($0.id) }
        let timeoutMs = executionTimeoutSeconds(c, load: load, gpus: members.isEmpty ? [gpu] : members).seconds * 1000
        let serverless = Deployment.Serverless(
            pools: [pool], excludedTypes: excluded, scaler: scaler, scalerValue: scalerValue,
            idleTimeoutSeconds: best.idleSeconds, executionTimeoutMs: timeoutMs,
            flashboot: flashboot ? "FLASHBOOT" : "OFF", coldStartSeconds: (best.coldStartSeconds ?? 0).rounded())
        let workers = Deployment.Workers(min: best.minWorkers, max: best.maxWorkers)
        trace.add(
            .serverless, "How does the endpoint scale?",
            inputs: [
                "pool": pool, "excluded": excluded.joined(separator: ", "), "scaler": scaler,
                "cold_start_estimate_s": fmt("%.0f", best.coldStartSeconds ?? 0),
                "sla.cold_start": coldStartText
            ],
            outcome: "workers \(best.minWorkers)..\(best.maxWorkers), \(scaler) \(fmt("%g", scalerValue)), "
                + (scaler == "REQUEST_COUNT"
                    ? "no idle timeout (RunPod rejects one with REQUEST_COUNT; the cost model assumes a \(best.idleSeconds) s idle tail)"
                    : "idle timeout \(best.idleSeconds) s") + ", FlashBoot \(flashboot ? "on" : "off")",
            source: Source.notesPools)
        if best.workerMode == .active && best.minWorkers < best.maxWorkers && !coldStartAllowsScaleToZero(best.coldStartSeconds ?? 0) {
            warnings.append(
                .init(
                    code: "cold-start-at-peak",
                    message: fmt(
                        "workers beyond the %d active one(s) start cold (~%.0f s) at peak, over the SLA's %@", best.minWorkers,
                        best.coldStartSeconds ?? 0, coldStartText)))
        }
        return (serverless, workers)
    }

    /// D-POOL: every other member of the pool runs the worker as configured, or is excluded (the ids).
    func recordPool(_ best: Option, pool: String, load: Load, vllm: Deployment.VLLM, _ trace: inout TraceBuilder) -> [String] {
        let c = best.candidate
        let poolMembers = environment.gpus.gpus.filter { $0.serverlessPool == pool }
        let exclusions = poolExclusions(for: best, load: load, vllm: vllm)
        let excluded = exclusions.map(\.gpu.id)
        let kept = poolMembers.map(\.id).filter { !excluded.contains($0) }.sorted()
        trace.add(
            .pool,
            inputs: Dictionary(exclusions.map { ($0.gpu.id, "excluded: " + $0.reason) }, uniquingKeysWith: { a, _ in a })
                .merging(
                    [
                        "pool": pool,
                        "worker":
                            "\(c.tp) x GPU, max_num_seqs \(vllm.maxNumSeqs) x max_model_len \(vllm.maxModelLen) at gpu_memory_utilization \(fmt("%.2f", vllm.gpuMemoryUtilization))"
                    ],
                    uniquingKeysWith: { a, _ in a }),
            outcome: "workers run on " + kept.joined(separator: ", ")
                + (excluded.isEmpty
                    ? "; every member runs the worker as configured"
                    : "; excluded: " + exclusions.map { "\($0.gpu.displayName) (\($0.reason))" }.joined(separator: "; ")),
            source: Source.notesPools + "; " + Source.openapi)
        return excluded
    }

    /// D-WEIGHTS: where the weights live in `mode`.
    func weights(
        _ mode: DeploymentMode, _ c: Candidate, storage: StoragePlan, _ trace: inout TraceBuilder,
        _ warnings: inout [Deployment.Warning]
    ) -> String {
        let weightsText: String
        switch (mode, weightsLocation) {
        case (.pod, .networkVolume): weightsText = "network-volume"
        case (.pod, .image): weightsText = "image"
        case (.pod, _): weightsText = "pod-volume"
        case (.serverless, let w): weightsText = w.rawValue
        }
        trace.add(
            .weights, "Where do the weights live?",
            inputs: [
                "deploy.weights": (spec.deploy.weights ?? .auto).rawValue,
                "data_centers": spec.constraints.dataCenters.joined(separator: ", "),
                "weights_gb": fmt("%.1f", Double(c.memory.weightsBytes) / 1e9),
                "download_gb": fmt("%.1f", Double(downloadBytes) / 1e9) + " (\(downloadSizeBasis))"
            ],
            outcome: weightsText == "network-volume"
                ? "a \(storage.networkVolumeGB ?? 0) GB network volume in \(spec.constraints.dataCenters.first ?? "?") (pins the data center; Secure Cloud only)"
                : weightsText == "pod-volume"
                    ? "a \(storage.podVolumeGB ?? 0) GB pod volume at \(engine.modelCacheDirectory) (survives restarts)"
                    : weightsText == "image"
                        ? "baked into the image (podform dockerfile --bake-weights)"
                        : "downloaded from the Hub at worker start into the container disk",
            source: Source.notesVolumes)
        if weightsText == "image" {
            warnings.append(
                .init(
                    code: "image-needs-build",
                    message: "weights in the image: build and push it with `podform dockerfile --bake-weights` and set deploy.image"))
        }
        return weightsText
    }

    /// The SLA verdict with the estimate's range: notes for the plan, and whether every bound holds.
    func slaVerdict(_ best: Option, _ perf: PerformanceEstimate, _ warnings: inout [Deployment.Warning]) -> (notes: [String], met: Bool) {
        var notes: [String] = []
        var slaMet = true
        if let ttft = spec.sla.ttftP95 {
            notes.append(
                fmt("TTFT p95 ~%.2f s (%.2f-%.2f) vs SLA %.2f s", perf.ttftP95Seconds, perf.ttftP95SecondsRange[0], perf.ttftP95SecondsRange[1], ttft)
            )
            if perf.ttftP95SecondsRange[1] > ttft {
                warnings.append(
                    .init(
                        code: "sla-at-risk",
                        message: fmt(
                            "TTFT meets the SLA at the estimate (%.2f s) but not at the pessimistic end (%.2f s)", perf.ttftP95Seconds,
                            perf.ttftP95SecondsRange[1])))
            }
        }
        if let tps = spec.sla.outputTokensPerSecond {
            notes.append(
                fmt(
                    "~%.0f tokens/s per user (%.0f-%.0f) vs SLA %g", perf.outputTokensPerSecondPerUser, perf.outputTokensPerSecondPerUserRange[0],
                    perf.outputTokensPerSecondPerUserRange[1], tps))
            if perf.outputTokensPerSecondPerUserRange[0] < tps {
                warnings.append(
                    .init(
                        code: "sla-at-risk",
                        message: fmt(
                            "per-user speed meets the SLA at the estimate (%.0f tokens/s) but not at the pessimistic end (%.0f)",
                            perf.outputTokensPerSecondPerUser, perf.outputTokensPerSecondPerUserRange[0])))
            }
        }
        // Cold starts count against the SLA's percentiles (p95: at most 5% of requests may break a term).
        if let cold = best.coldStartSeconds, case .seconds(let limit)? = spec.sla.coldStart {
            let share = best.coldWaitShare ?? 0
            notes.append(
                fmt(
                    "cold start ~%.0f s vs SLA %.0f s: %@ of requests wait longer for a worker%@", cold, limit, percentText(share),
                    best.workerMode == .active ? fmt(" (%d active kept warm)", best.minWorkers) : ""))
            slaMet = slaMet && share <= slaBreachShare
        }
        if let share = best.ttftWaitShare, share > 0.0005 {
            notes.append(
                best.mode == .pod
                    ? fmt("%@ of requests wait past the TTFT SLA for a free slot", percentText(share))
                    : fmt(
                        "%@ of requests wait past the TTFT SLA for a slot or a starting worker (idle timeout %d s)", percentText(share),
                        best.idleSeconds))
            slaMet = slaMet && share <= slaBreachShare
        }
        return (notes, slaMet)
    }

    /// The plan's cost: rounded to cents (hourly to 1/100 cent), with the comparison and break-even.
    func cost(_ best: Option, load: Load, comparison: [String: Double], breakEven: Double?) -> Deployment.Cost {
        let monthlyTokens = load.requestsPerDay * daysPerMonth * Double(load.output)
        return Deployment.Cost(
            hourlyUSD: (best.hourlyUSD * 10_000).rounded() / 10_000, monthlyUSD: (best.monthlyUSD * 100).rounded() / 100,
            perMillionOutputTokensUSD: monthlyTokens > 0 ? (best.monthlyUSD / monthlyTokens * 1e6 * 1000).rounded() / 1000 : nil,
            computeMonthlyUSD: (best.computeMonthlyUSD * 100).rounded() / 100, storageMonthlyUSD: (best.storageMonthlyUSD * 100).rounded() / 100,
            comparison: comparison, breakEvenRequestsPerDay: breakEven, priceSources: best.priceSources)
    }

    var coldStartText: String {
        switch spec.sla.coldStart {
        case .none?: return "none"
        case .seconds(let s)?: return fmt("%gs", s)
        case nil: return "unbounded"
        }
    }
}

/// A share as a percentage with a precision that shows small shares.
func percentText(_ share: Double) -> String {
    share == 0 ? "0%" : share < 0.001 ? "<0.1%" : fmt("%.1f%%", share * 100)
}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
