import PodformCatalog
import PodformCore
import PodformSizing

/// One (GPU type, GPUs per replica, replicas) choice and what the models say of it.
struct Candidate {
    var gpu: GPUType
    var tp: Int
    var replicas: Int
    var perReplicaConcurrency: Int
    /// Nodes of an Instant Cluster the replica spans (vLLM pipeline parallel across them); 1: one machine.
    var nodes: Int = 1
    var memory: MemoryEstimate
    var performance: PerformanceEstimate?
    /// nil when feasible; otherwise the first rule it breaks (formatted only when shown).
    var rejectionDetail: Rejection?

    /// The first rule it breaks, as a sentence.
    var rejection: String? { rejectionDetail?.text }
    /// The rule id of the rejection.
    var rejectionRule: String? { rejectionDetail?.rule }

    var totalGPUs: Int { tp * replicas * nodes }
    var marginBytes: Int64 { memory.gpu?.marginBytes ?? 0 }
}

/// Why a candidate fails, kept as values so that the thousands of rejections a search makes are
/// only turned into sentences when a plan shows one.
enum Rejection {
    case memory(
        need: Double, weights: Double, kv: Double, perReplica: Int, context: Int, overhead: Double, gpu: String, have: Double, utilization: Double)
    case throughput(replicas: Int, tp: Int, gpu: String, served: Double, concurrency: Int, peak: Double)
    case ttft(estimate: Double, limit: Double)
    case speed(estimate: Double, users: Int, limit: Double)

    var rule: String {
        switch self {
        case .memory: return "D-MEMORY"
        case .throughput: return "D-THROUGHPUT"
        case .ttft: return "D-SLA-TTFT"
        case .speed: return "D-SLA-TPS"
        }
    }

    var text: String {
        switch self {
        case let .memory(need, weights, kv, perReplica, context, overhead, gpu, have, utilization):
            return fmt(
                "needs %.1f GB per GPU (weights %.1f + KV %.1f for %d x %d tokens + overhead %.1f); %@ gives %.1f GB usable at %.2f",
                need, weights, kv, perReplica, context, overhead, gpu, have, utilization)
        case let .throughput(replicas, tp, gpu, served, concurrency, peak):
            return fmt(
                "%d replica%@ of %d x %@ serve%@ %.2f requests/s at %d concurrent; the peak is %.2f/s",
                replicas, replicas == 1 ? "" : "s", tp, gpu, replicas == 1 ? "s" : "", served, concurrency, peak)
        case let .ttft(estimate, limit):
            return fmt("TTFT p95 ~%.2f s (est.) exceeds the SLA's %.2f s", estimate, limit)
        case let .speed(estimate, users, limit):
            return fmt("~%.0f output tokens/s per user (est.) at %d users is below the SLA's %.0f", estimate, users, limit)
        }
    }
}

/// The load one replica must carry, from the spec's traffic.
struct Load {
    var context: Int
    var concurrency: Int
    var prompt: Int
    var output: Int
    var peakRPS: Double
    var requestsPerDay: Double
    var activeHours: Double
    var pattern: TrafficPattern
    /// The spec states a rate (`requests_per_day` or `peak_requests_per_second`). Without one,
    /// serverless workers are priced as up through every active hour (the concurrency kept busy),
    /// never at the $0 an unstated rate would give.
    var rateGiven: Bool = true
}

extension Compiler {
    /// The GPU-level filters: constraints that do not depend on the model's fit.
    func gpuRejection(_ gpu: GPUType) -> (String, String)? {
        let c = spec.constraints
        if gpu.delisted == true { return ("D-GPU-LISTED", "\(gpu.displayName) is no longer listed by RunPod") }
        if !allowedGPUs.isEmpty && !allowedGPUs.contains(gpu.id) {
            return ("D-GPU-ALLOW", "\(gpu.displayName) is not in constraints.gpus")
        }
        if excludedGPUs.contains(gpu.id) { return ("D-GPU-ALLOW", "\(gpu.displayName) is in constraints.exclude_gpus") }
        if c.requireECC == true && !gpu.ecc { return ("D-GPU-ECC", "\(gpu.displayName) has no ECC memory and require_ecc is set") }
        if gpu.consumer && c.allowConsumerGPUs != true && !allowedGPUs.contains(gpu.id) {
            return (
                "D-GPU-CONSUMER",
                "\(gpu.displayName) is a GeForce card (NVIDIA's EULA restricts datacenter use); set allow_consumer_gpus: true to consider it"
            )
        }
        if gpu.rocm && !image.lowercased().contains("rocm") {
            return ("D-GPU-ROCM", "\(gpu.displayName) is AMD and runs ROCm; the image `\(image)` is a CUDA image")
        }
        if precision == .fp8 && !gpu.fp8 {
            return ("D-GPU-FP8", "\(gpu.displayName) (\(gpu.architecture)) has no FP8 tensor cores")
        }
        if gpu.memoryBandwidthGBps == nil || (gpu.bf16TFLOPS ?? gpu.fp16TFLOPS) == nil {
            return ("D-GPU-DATA", "\(gpu.displayName) lacks bandwidth or FLOPS figures in the catalog")
        }
        if podPrice(gpu) == nil && serverlessPossible(gpu) == false {
            return ("D-GPU-PRICE", "no \(cloudLabel) price for \(gpu.displayName) in the catalog")
        }
        return nil
    }

    /// Evaluates memory, throughput and SLA for one choice.
    ///
    /// - Parameter maxBatchedTokens: a worker configuration's fixed `max_num_batched_tokens`
    ///   (a serverless pool member runs the chosen GPU's); nil: the default for this GPU.
    func evaluate(_ gpu: GPUType, tp: Int, replicas: Int, load: Load, maxBatchedTokens: Int? = nil) -> Candidate {
        let perReplica = (load.concurrency + replicas - 1) / replicas
        var shape = ServingShape(
            weights: precision, kv: kvFormat, context: load.context, concurrency: perReplica, tensorParallel: tp,
            gpuMemoryUtilization: utilization,
            maxBatchedTokens: maxBatchedTokens ?? ServingDefaults.maxBatchedTokens(gpuGiB: gpu.cudaMemoryGiB, context: load.context))
        shape.kvTokensPerSequence = kvTokensPerSequence(load)
        let memory = architecture.estimate(
            shape, accounting: environment.accounting, gpuTotalBytes: gpu.cudaMemoryBytes,
            parametersOverride: spec.model.parameters)
        var candidate = Candidate(gpu: gpu, tp: tp, replicas: replicas, perReplicaConcurrency: perReplica, memory: memory)
        guard let fit = memory.gpu, fit.fits else {
            candidate.rejectionDetail = .memory(
                need: Double(memory.totalBytesPerGPU) / 1e9, weights: Double(memory.weightsBytesPerGPU) / 1e9,
                kv: Double(memory.kvCacheBytesPerGPU) / 1e9, perReplica: perReplica, context: shape.kvTokensPerSequence ?? load.context,
                overhead: Double(memory.overheadBytesPerGPU) / 1e9, gpu: gpu.displayName,
                have: Double(memory.gpu?.usableBytes ?? 0) / 1e9, utilization: utilization)
            return candidate
        }
        let perf = replicaPerformance(gpu, tp: tp, batch: perReplica, load: load, arrivalRate: load.peakRPS / Double(replicas))
        candidate.performance = perf
        if perf.requestsPerSecond * Double(replicas) < load.peakRPS {
            candidate.rejectionDetail = .throughput(
                replicas: replicas, tp: tp, gpu: gpu.displayName,
                served: perf.requestsPerSecond * Double(replicas),
                concurrency: load.concurrency, peak: load.peakRPS)
        } else if let ttft = spec.sla.ttftP95, perf.ttftP95Seconds > ttft {
            candidate.rejectionDetail = .ttft(estimate: perf.ttftP95Seconds, limit: ttft)
        } else if let tps = spec.sla.outputTokensPerSecond, perf.outputTokensPerSecondPerUser < tps {
            candidate.rejectionDetail = .speed(estimate: perf.outputTokensPerSecondPerUser, users: perReplica, limit: tps)
        }
        return candidate
    }

    /// Tensor-parallel sizes to try on a GPU (D-GPU-TP).
    ///
    /// The smallest size whose GPUs hold the weights plus one full-context sequence: tensor
    /// parallelism is for fitting the model, while more KV capacity comes from more replicas.
    /// Sizes above 2 need SXM/OAM GPUs (all-to-all NVLink): over PCIe or pairwise NVLink bridges,
    /// all-reduces across 4+ GPUs become the forward pass's bottleneck (seed 000). SXM GPUs also
    /// try twice the minimum, which can buy latency.
    func tensorParallelSizes(_ gpu: GPUType) -> [Int] {
        let limit = min(gpu.maxGPUsPerPod, spec.constraints.maxGPUsPerWorker ?? 8)
        let allToAll = gpu.interconnect == "SXM" || gpu.interconnect == "Infinity Fabric"
        let sizes = [1, 2, 4, 8].filter { $0 <= limit && tensorParallelProblem($0) == nil && ($0 <= 2 || allToAll) }
        guard let largest = sizes.last else { return [] }
        let minimal = sizes.first { tp in
            let shape = ServingShape(
                weights: precision, kv: kvFormat, context: context, concurrency: 1,
                tensorParallel: tp, gpuMemoryUtilization: utilization,
                maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: gpu.cudaMemoryGiB, context: context))
            return architecture.estimate(
                shape, accounting: environment.accounting, gpuTotalBytes: gpu.cudaMemoryBytes,
                parametersOverride: spec.model.parameters
            ).gpu?.fits ?? false
        }
        guard let minimal else { return [largest] }  // evaluated once, to record why it cannot fit
        return sizes.filter { $0 == minimal || ($0 == minimal * 2 && allToAll) }
    }
}
