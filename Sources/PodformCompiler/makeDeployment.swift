import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// The chosen option as a deployment: each rule records its step in `trace` (`Specs/decisions.md`).
    func deployment(_ choice: ServingChoice, trace inputTrace: TraceBuilder) -> Deployment {
        var trace = inputTrace
        var warnings: [Deployment.Warning] = []
        let best = choice.best, load = choice.load, c = best.candidate
        let storage = storagePlan
        let vllm = vllmSettings(c, load: load)
        let perf = c.performance!

        recordGPU(c, &trace, &warnings)
        recordTraffic(best, load: load, &warnings)
        let (comparison, breakEven) = pricing(best, load: load, allOptions: choice.allOptions, &trace)
        if best.mode == .pod { recordLifecycle(load, &trace, &warnings) }
        let containerImage = self.containerImage(best.mode, &trace)
        let scaling = best.mode == .serverless ? serverlessScaling(best, load: load, vllm: vllm, &trace, &warnings) : nil
        let weightsText = self.weights(best.mode, c, storage: storage, &trace, &warnings)
        let access = best.mode == .pod ? podAccess(&trace, &warnings) : [:]
        let container = self.container(best.mode, image: containerImage, vllm: vllm, storage: storage, weights: weightsText, access: access)
        recordEngineSettings(vllm, &trace)
        warnings += deploymentWarnings(best)
        let (verdictNotes, slaMet) = slaVerdict(best, perf, &warnings)
        let notes = verdictNotes + kvSizingNotes(c, load: load, &warnings)
        return Deployment(
            name: spec.name, specFile: specFile, workload: spec.workload.rawValue,
            model: .init(
                id: spec.model.id, parameters: c.memory.parameters, activeParameters: c.memory.activeParameters,
                maxContext: architecture.maxContext),
            precision: precision.rawValue, mode: best.mode, workerMode: best.workerMode, gpu: gpuChoice(best),
            workers: scaling?.workers, serverless: scaling?.serverless, vllm: vllm, training: nil, container: container,
            cost: cost(best, load: load, comparison: comparison, breakEven: breakEven), sizing: c.memory,
            estimates: estimates(best, perf, slaMet: slaMet, notes: notes), placement: placement(best),
            alternatives: alternatives(choice), trace: trace.steps, warnings: warnings)
    }

    /// The plan's GPU: the type, count per replica and the cloud (or pool) it runs in.
    func gpuChoice(_ best: Option) -> Deployment.GPU {
        let gpu = best.candidate.gpu
        return Deployment.GPU(
            id: gpu.id, displayName: gpu.displayName, count: best.candidate.tp, memoryGB: gpu.memoryGB,
            cloud: best.mode == .pod ? (podPrice(gpu)?.1 ?? "SECURE") : "SERVERLESS",
            pool: best.mode == .serverless ? gpu.serverlessPool : nil)
    }

    /// The plan's estimates, rounded as the plan records them (3 decimals for seconds, 1 for tokens/s).
    func estimates(_ best: Option, _ perf: PerformanceEstimate, slaMet: Bool, notes: [String]) -> Deployment.Estimates {
        .init(
            ttftP95Seconds: round3(perf.ttftP95Seconds), ttftP95SecondsRange: perf.ttftP95SecondsRange.map(round3),
            outputTokensPerSecondPerUser: round1(perf.outputTokensPerSecondPerUser),
            outputTokensPerSecondPerUserRange: perf.outputTokensPerSecondPerUserRange.map(round1),
            replicaRequestsPerSecond: round3(perf.requestsPerSecond), replicas: best.candidate.replicas,
            coldStartSeconds: best.coldStartSeconds.map { $0.rounded() }, slaMet: slaMet, slaNotes: notes)
    }

    /// Warnings on the deployment as a whole: pods nothing balances load across, an unpinned image,
    /// a stale price catalog.
    func deploymentWarnings(_ best: Option) -> [Deployment.Warning] {
        var warnings: [Deployment.Warning] = []
        let replicas = best.candidate.replicas
        if best.mode == .pod && replicas > 1 {
            // RunPod gives each pod its own proxy URL; nothing in the plan spreads requests across them.
            warnings.append(
                .init(
                    code: "pods-not-load-balanced",
                    message:
                        "\(replicas) pods are \(replicas) separate URLs (one RunPod proxy URL each) and nothing balances load across them: spread requests over all of them (a load balancer or the client), or use deploy.mode: serverless for one endpoint"
                ))
        }
        if let image = spec.deploy.image, !StringShape.isPinnedImage(image) {
            warnings.append(.init(code: "unpinned-image", message: "image `\(image)` is not pinned to a version"))
        }
        if let age = environment.gpus.ageInDays(now: environment.now), age > 30 {
            warnings.append(
                .init(
                    code: "stale-catalog", message: "GPU prices are \(age) days old (as of \(environment.gpus.asOf)); run `podform catalog refresh`"))
        }
        return warnings
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

}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
