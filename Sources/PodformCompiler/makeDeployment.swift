import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    func vllmSettings(_ c: Candidate, load: Load) -> Deployment.VLLM {
        let dtype: String
        switch precision {
        case .fp32: dtype = "float32"
        case .fp16: dtype = "float16"
        case .bf16: dtype = "bfloat16"
        default: dtype = "auto"
        }
        return Deployment.VLLM(
            maxModelLen: load.context, gpuMemoryUtilization: utilization, tensorParallelSize: c.tp,
            maxNumSeqs: c.perReplicaConcurrency, maxNumBatchedTokens: c.memory.activationBytesPerGPU > 0
                ? ServingDefaults.maxBatchedTokens(gpuGiB: c.gpu.cudaMemoryGiB, context: load.context) : 8192,
            quantization: precisionDecision().flag, dtype: dtype, kvCacheDType: kvFormat.rawValue,
            enablePrefixCaching: spec.traffic.repeatedPrefixes ?? false)
    }

    /// The serverless image (D-CONTAINER): the spec's as written, except vLLM's OpenAI server image,
    /// which has no RunPod handler and cannot take jobs from a queue endpoint: that one becomes
    /// worker-vllm, with a warning. A custom image is deployed as is and configured through the
    /// environment worker-vllm reads.
    func serverlessImage(_ trace: inout TraceBuilder, _ warnings: inout [Deployment.Warning]) -> String {
        guard let image = spec.deploy.image else { return environment.defaultServerlessImage }
        switch ImageKind(image) {
        case .worker: return image
        case .custom:
            trace.add(.container, inputs: ["deploy.image": image],
                      outcome: "`\(image)` as written: it must run a RunPod handler; podform configures it through worker-vllm's environment variables",
                      source: Source.notesWorker)
            return image
        case .vllmOpenAI:
            trace.add(.container, inputs: ["deploy.image": image],
                      outcome: "\(environment.defaultServerlessImage): queue endpoints need RunPod's handler, which `\(image)` lacks",
                      source: Source.notesWorker)
            warnings.append(.init(code: "image-replaced",
                                  message: "`\(image)` has no RunPod handler, so the serverless endpoint runs \(environment.defaultServerlessImage); set deploy.image to a worker image, or deploy.mode: pod"))
            return environment.defaultServerlessImage
        }
    }

    func deployment(_ best: Option, load: Load, options: [Option], allOptions: [Option], rejected: [Candidate],
                    gpuRejections: [(GPUType, String, String)], modes: Set<String>,
                    trace inputTrace: TraceBuilder) -> Deployment {
        var trace = inputTrace
        var warnings: [Deployment.Warning] = []
        let c = best.candidate
        let gpu = c.gpu
        let storage = storagePlan(c)
        let vllm = vllmSettings(c, load: load)
        let perf = c.performance!

        trace.add(.gpu, "Which GPU, how many per replica, how many replicas?",
                  inputs: ["gpu": gpu.id, "tensor_parallel": "\(c.tp)", "replicas": "\(c.replicas)",
                           "per_replica_concurrency": "\(c.perReplicaConcurrency)",
                           "kv_capacity_tokens": "\(c.memory.gpu?.kvCapacityTokens ?? 0)",
                           "margin_gb": fmt("%.1f", Double(c.marginBytes) / 1e9)],
                  outcome: fmt("%d x %@ per replica: %.1f GB needed of %.1f GB usable per GPU", c.tp, gpu.displayName,
                                  Double(c.memory.totalBytesPerGPU) / 1e9, Double(c.memory.gpu?.usableBytes ?? 0) / 1e9),
                  source: Source.seed001)
        if c.tp > 1 && !gpu.fastInterconnect {
            warnings.append(.init(code: "pcie-tensor-parallel",
                                  message: "tensor parallel over PCIe (\(gpu.displayName)): all-reduces cost more than on NVLink/SXM; the estimate includes a PCIe penalty (seed 000)"))
        }
        for note in perf.uncalibrated {
            warnings.append(.init(code: "speed-uncalibrated",
                                  message: "\(note): the speed estimate uses fallback efficiency factors and a wider range (Specs/performance.md §2)"))
        }
        if gpu.consumer {
            warnings.append(.init(code: "consumer-gpu", message: "\(gpu.displayName) is a GeForce card: no datacenter EULA and no ECC (seed 000)"))
        }

        warnings += priceWarnings(best)
        // Little's law: the peak rate x the time a request holds a slot is the concurrency the traffic implies.
        let implied = load.peakRPS * (perf.ttftSeconds + Double(load.output) * perf.stepSeconds)
        if implied > Double(load.concurrency) * 1.25 {
            warnings.append(.init(code: "littles-law", message: fmt("the peak of %.2f requests/s x ~%.1f s per request implies ~%.0f requests in flight (Little's law), above concurrency %d: requests queue for a slot; raise concurrency or lower the peak", load.peakRPS, perf.ttftSeconds + Double(load.output) * perf.stepSeconds, implied, load.concurrency)))
        }

        // Mode and pricing.
        let modeText = best.mode == .pod ? "pod" : "serverless \(best.workerMode!.rawValue)"
        var comparison: [String: Double] = [:]
        for o in allOptions where o.candidate.gpu.id == gpu.id && o.candidate.tp == c.tp && o.candidate.replicas == c.replicas {
            let key = o.mode == .pod ? "pod" : o.workerMode == .flex ? "serverless_flex" : "serverless_active_min_\(o.minWorkers)"
            comparison[key] = (o.monthlyUSD * 100).rounded() / 100
        }
        var breakEven: Double?
        if let pod = comparison["pod"], let flex = comparison["serverless_flex"], load.requestsPerDay > 0, flex > 0 {
            let storage = Double(storagePlan(c).networkVolumeGB ?? 0) * environment.gpus.storage.networkVolumePerGBMonth
            let perRequest = max(flex - storage, 0.0001) / load.requestsPerDay
            breakEven = ((pod - storage) / perRequest).rounded()
        }
        trace.add(.pricing, "Which pricing model is cheapest at this traffic?",
                  inputs: comparison.mapValues { fmt("$%.2f/month", $0) }.merging(
                      ["requests_per_day": fmt("%.0f", load.requestsPerDay),
                       "break_even_requests_per_day": breakEven.map { fmt("%.0f", $0) } ?? "n/a"], uniquingKeysWith: { a, _ in a }),
                  outcome: fmt("%@ at $%.2f/month", modeText, best.monthlyUSD), source: Source.seed002)

        if best.mode == .pod {
            if let schedule = spec.traffic.schedule {
                trace.add(.lifecycle, "When does the pod run (and bill)?", inputs: ["traffic.schedule": schedule.description],
                          outcome: fmt("%.1f hours a day on average: `podform reconcile` starts the pod when the window opens and stops it when it closes", schedule.averageHoursPerDay),
                          source: "Specs/state.md (Lifecycle); openapi-v2.json POST /v2/pods/{id}/action")
            } else {
                trace.add(.lifecycle, "When does the pod run (and bill)?", inputs: ["traffic.schedule": "none", "pattern": load.pattern.rawValue],
                          outcome: "all day: nothing stops a pod, so it is priced for 24 hours a day",
                          source: "Specs/state.md (Lifecycle)")
                if load.pattern == .batch || load.pattern == .scheduled || spec.workload == .batch {
                    warnings.append(.init(code: "pod-runs-all-day",
                                          message: fmt("this \(load.pattern.rawValue) pod is priced for 24 hours a day: nothing stops it after its %g active hours; set traffic.schedule so that `podform reconcile` stops it outside them", load.activeHours)))
                }
            }
        }

        var serverless: Deployment.Serverless?
        var workers: Deployment.Workers?
        var containerImage = best.mode == .pod ? image : serverlessImage(&trace, &warnings)
        if best.mode == .pod, ImageKind(containerImage) == .worker {
            // A worker image waits for queue jobs; a pod serves HTTP: vLLM's OpenAI server.
            warnings.append(.init(code: "image-replaced",
                                  message: "`\(containerImage)` is a serverless worker image, which serves no HTTP on a pod; the pod runs \(environment.defaultPodImage)"))
            containerImage = environment.defaultPodImage
        }
        if best.mode == .serverless {
            let pool = gpu.serverlessPool!
            let poolMembers = environment.gpus.gpus.filter { $0.serverlessPool == pool }
            let usable = Set(options.filter { $0.mode == .serverless && $0.candidate.tp == c.tp }.map(\.candidate.gpu.id))
            let excluded = poolMembers.map(\.id).filter { !usable.contains($0) && $0 != gpu.id }.sorted()
            let (scaler, scalerValue, _) = self.scaler(idle: best.idleSeconds, load: load, slots: c.perReplicaConcurrency)
            let members = poolMembers.filter { !excluded.contains($0.id) }
            let timeoutMs = executionTimeoutSeconds(c, load: load, gpus: members.isEmpty ? [gpu] : members).seconds * 1000
            serverless = Deployment.Serverless(
                pools: [pool], excludedTypes: excluded, scaler: scaler, scalerValue: scalerValue,
                idleTimeoutSeconds: best.idleSeconds, executionTimeoutMs: timeoutMs,
                flashboot: flashboot ? "FLASHBOOT" : "OFF", coldStartSeconds: (best.coldStartSeconds ?? 0).rounded())
            workers = Deployment.Workers(min: best.minWorkers, max: best.maxWorkers)
            trace.add(.serverless, "How does the endpoint scale?",
                      inputs: ["pool": pool, "excluded": excluded.joined(separator: ", "), "scaler": scaler,
                               "cold_start_estimate_s": fmt("%.0f", best.coldStartSeconds ?? 0),
                               "sla.cold_start": coldStartText],
                      outcome: "workers \(best.minWorkers)..\(best.maxWorkers), \(scaler) \(fmt("%g", scalerValue)), "
                          + (scaler == "REQUEST_COUNT" ? "no idle timeout (RunPod rejects one with REQUEST_COUNT; the cost model assumes a \(best.idleSeconds) s idle tail)"
                                      : "idle timeout \(best.idleSeconds) s") + ", FlashBoot \(flashboot ? "on" : "off")",
                      source: Source.notesPools)
            if best.workerMode == .active && best.minWorkers < best.maxWorkers && !coldStartAllowsScaleToZero(best.coldStartSeconds ?? 0) {
                warnings.append(.init(code: "cold-start-at-peak", message: fmt("workers beyond the %d active one(s) start cold (~%.0f s) at peak, over the SLA's %@", best.minWorkers, best.coldStartSeconds ?? 0, coldStartText)))
            }
        }
        let weightsText: String
        switch (best.mode, weightsLocation) {
        case (.pod, .networkVolume): weightsText = "network-volume"
        case (.pod, .image): weightsText = "image"
        case (.pod, _): weightsText = "pod-volume"
        case (.serverless, let w): weightsText = w.rawValue
        }
        trace.add(.weights, "Where do the weights live?",
                  inputs: ["deploy.weights": (spec.deploy.weights ?? .auto).rawValue,
                           "data_centers": spec.constraints.dataCenters.joined(separator: ", "),
                           "weights_gb": fmt("%.1f", Double(c.memory.weightsBytes) / 1e9)],
                  outcome: weightsText == "network-volume"
                      ? "a \(storage.networkVolumeGB ?? 0) GB network volume in \(spec.constraints.dataCenters.first ?? "?") (pins the data center; Secure Cloud only)"
                      : weightsText == "pod-volume" ? "a \(storage.podVolumeGB ?? 0) GB pod volume at /root/.cache/huggingface (survives restarts)"
                      : weightsText == "image" ? "baked into the image (podform dockerfile --bake-weights)"
                      : "downloaded from the Hub at worker start into the container disk",
                  source: Source.notesVolumes)
        if weightsText == "image" {
            warnings.append(.init(code: "image-needs-build", message: "weights in the image: build and push it with `podform dockerfile --bake-weights` and set deploy.image"))
        }
        let env = containerEnv(mode: best.mode, vllm: vllm, candidate: c)
        let container = Deployment.Container(
            image: containerImage, ports: best.mode == .pod ? ["\(port)/http", "22/tcp"] : [],
            containerDiskGB: best.mode == .pod ? storage.podContainerDiskGB : storage.serverlessContainerDiskGB,
            volumeGB: best.mode == .pod ? storage.podVolumeGB : nil,
            volumeMountPath: best.mode == .pod && storage.podVolumeGB != nil ? "/root/.cache/huggingface" : nil,
            weights: weightsText, env: env, args: best.mode == .pod ? podArgs(vllm) : nil)
        trace.add(.vllm, "Which vLLM settings?",
                  inputs: ["max_model_len": "\(vllm.maxModelLen)", "tensor_parallel_size": "\(vllm.tensorParallelSize)",
                           "max_num_seqs": "\(vllm.maxNumSeqs)", "gpu_memory_utilization": fmt("%.2f", vllm.gpuMemoryUtilization)],
                  outcome: "MAX_MODEL_LEN is the spec's context, never the model's maximum; TENSOR_PARALLEL_SIZE is set explicitly (worker-vllm v2.24+ no longer infers it); no ENABLE_PREFIX_CACHING (vLLM 0.27's default is on), no runtime BASE_PATH (a build argument of the worker image), HF_TOKEN passed as HUGGING_FACE_HUB_TOKEN (worker-vllm turns HF_TOKEN into a logged --hf-token)",
                  source: Source.notesWorker + "; " + Source.workerSource)
        if let image = spec.deploy.image, image.hasSuffix(":latest") || !(image.split(separator: "/").last ?? "").contains(":") {
            warnings.append(.init(code: "unpinned-image", message: "image `\(image)` is not pinned to a version"))
        }
        if let age = environment.gpus.ageInDays(now: environment.now), age > 30 {
            warnings.append(.init(code: "stale-catalog", message: "GPU prices are \(age) days old (as of \(environment.gpus.asOf)); run `podform catalog refresh`"))
        }

        // SLA verdict with the estimate's range.
        var notes: [String] = []
        var slaMet = true
        if let ttft = spec.sla.ttftP95 {
            notes.append(fmt("TTFT p95 ~%.2f s (%.2f-%.2f) vs SLA %.2f s", perf.ttftP95Seconds, perf.ttftP95SecondsRange[0], perf.ttftP95SecondsRange[1], ttft))
            if perf.ttftP95SecondsRange[1] > ttft {
                warnings.append(.init(code: "sla-at-risk", message: fmt("TTFT meets the SLA at the estimate (%.2f s) but not at the pessimistic end (%.2f s)", perf.ttftP95Seconds, perf.ttftP95SecondsRange[1])))
            }
        }
        if let tps = spec.sla.outputTokensPerSecond {
            notes.append(fmt("~%.0f tokens/s per user (%.0f-%.0f) vs SLA %g", perf.outputTokensPerSecondPerUser, perf.outputTokensPerSecondPerUserRange[0], perf.outputTokensPerSecondPerUserRange[1], tps))
            if perf.outputTokensPerSecondPerUserRange[0] < tps {
                warnings.append(.init(code: "sla-at-risk", message: fmt("per-user speed meets the SLA at the estimate (%.0f tokens/s) but not at the pessimistic end (%.0f)", perf.outputTokensPerSecondPerUser, perf.outputTokensPerSecondPerUserRange[0])))
            }
        }
        // Cold starts count against the SLA's percentiles (p95: at most 5% of requests may break a term).
        if let cold = best.coldStartSeconds, case .seconds(let limit)? = spec.sla.coldStart {
            let share = best.coldWaitShare ?? 0
            notes.append(fmt("cold start ~%.0f s vs SLA %.0f s: %@ of requests wait longer for a worker%@", cold, limit, percentText(share),
                             best.workerMode == .active ? fmt(" (%d active kept warm)", best.minWorkers) : ""))
            slaMet = slaMet && share <= slaBreachShare
        }
        if let share = best.ttftWaitShare, share > 0.0005 {
            notes.append(best.mode == .pod
                ? fmt("%@ of requests wait past the TTFT SLA for a free slot", percentText(share))
                : fmt("%@ of requests wait past the TTFT SLA for a slot or a starting worker (idle timeout %d s)", percentText(share), best.idleSeconds))
            slaMet = slaMet && share <= slaBreachShare
        }

        let monthlyTokens = load.requestsPerDay * daysPerMonth * Double(load.output)
        let cost = Deployment.Cost(
            hourlyUSD: (best.hourlyUSD * 10_000).rounded() / 10_000, monthlyUSD: (best.monthlyUSD * 100).rounded() / 100,
            perMillionOutputTokensUSD: monthlyTokens > 0 ? (best.monthlyUSD / monthlyTokens * 1e6 * 1000).rounded() / 1000 : nil,
            computeMonthlyUSD: (best.computeMonthlyUSD * 100).rounded() / 100, storageMonthlyUSD: (best.storageMonthlyUSD * 100).rounded() / 100,
            comparison: comparison, breakEvenRequestsPerDay: breakEven, priceSources: best.priceSources)

        let deploymentMode = best.mode
        let gpuOut = Deployment.GPU(id: gpu.id, displayName: gpu.displayName, count: c.tp, memoryGB: gpu.memoryGB,
                                    cloud: deploymentMode == .pod ? (podPrice(gpu)?.1 ?? "SECURE") : "SERVERLESS",
                                    pool: deploymentMode == .serverless ? gpu.serverlessPool : nil)
        let resources = self.resources(for: best, container: container, serverless: serverless)
        return Deployment(
            name: spec.name, specFile: specFile, workload: spec.workload.rawValue,
            model: .init(id: spec.model.id, parameters: c.memory.parameters, activeParameters: c.memory.activeParameters,
                         maxContext: architecture.maxContext),
            precision: precision.rawValue, mode: deploymentMode, workerMode: best.workerMode, gpu: gpuOut, workers: workers,
            serverless: serverless, vllm: vllm, training: nil, container: container, cost: cost, sizing: c.memory,
            estimates: .init(ttftP95Seconds: round3(perf.ttftP95Seconds), ttftP95SecondsRange: perf.ttftP95SecondsRange.map(round3),
                             outputTokensPerSecondPerUser: round1(perf.outputTokensPerSecondPerUser),
                             outputTokensPerSecondPerUserRange: perf.outputTokensPerSecondPerUserRange.map(round1),
                             replicaRequestsPerSecond: round3(perf.requestsPerSecond), replicas: c.replicas,
                             coldStartSeconds: best.coldStartSeconds.map { $0.rounded() }, slaMet: slaMet, slaNotes: notes),
            resources: resources, alternatives: alternatives(best, options: options, allOptions: allOptions, rejected: rejected,
                                                          gpuRejections: gpuRejections, load: load, modes: modes),
            trace: trace.steps, warnings: warnings)
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
