import PodformCatalog
import PodformSizing

/// A GPU type of the chosen serverless pool that cannot run the worker as configured (D-POOL).
struct PoolExclusion {
    /// The pool member.
    var gpu: GPUType
    /// Why, as a sentence: what fails and by how much.
    var reason: String
}

extension Compiler {
    /// D-POOL: which members of the chosen serverless pool cannot run the worker as configured.
    ///
    /// RunPod may start a worker on any GPU type of the endpoint's pool that is not in
    /// `excludedTypes` (REST v2 `CreateEndpointRequest`), and every worker gets the same
    /// environment: the same TENSOR_PARALLEL_SIZE, MAX_NUM_SEQS, MAX_MODEL_LEN,
    /// MAX_NUM_BATCHED_TOKENS and GPU_MEMORY_UTILIZATION. So each member either holds that
    /// configuration (weights + KV for max_num_seqs x max_model_len at the planned utilization)
    /// and meets the SLA's speed and the peak load with it, or it is excluded. Members the
    /// constraints rule out (ECC, consumer cards, FP8, an allow-list) are excluded too.
    ///
    /// - Parameters:
    ///   - best: the chosen serverless option.
    ///   - load: the load the endpoint carries.
    ///   - vllm: the worker's vLLM settings.
    /// - Returns: the excluded members, sorted by id; every other member runs the worker.
    func poolExclusions(for best: Option, load: Load, vllm: Deployment.VLLM) -> [PoolExclusion] {
        let chosen = best.candidate
        guard let pool = chosen.gpu.serverlessPool else { return [] }
        let members = environment.gpus.gpus.filter { $0.serverlessPool == pool && $0.id != chosen.gpu.id }
        return members.sorted(by: { $0.id < $1.id }).compactMap { member in
            memberProblem(member, chosen: chosen, load: load, vllm: vllm).map { PoolExclusion(gpu: member, reason: $0) }
        }
    }

    /// Why a pool member cannot run the chosen worker as configured (D-POOL), or nil when it can.
    func memberProblem(_ member: GPUType, chosen: Candidate, load: Load, vllm: Deployment.VLLM) -> String? {
        if let (rule, why) = gpuRejection(member) { return "\(why) (\(rule))" }
        let allToAll = member.interconnect == "SXM" || member.interconnect == "Infinity Fabric"
        if chosen.tp > member.maxGPUsPerPod {
            return "a worker needs \(chosen.tp) GPUs; \(member.displayName) comes \(member.maxGPUsPerPod) to a machine"
        }
        if chosen.tp > 2 && !allToAll {
            return "tensor parallel \(chosen.tp) over \(member.interconnect) (sizes above 2 need SXM/OAM all-to-all links, D-GPU-TP)"
        }
        let run = evaluate(member, tp: chosen.tp, replicas: chosen.replicas, load: load, maxBatchedTokens: vllm.maxNumBatchedTokens)
        guard let rejection = run.rejectionDetail else { return nil }
        if case .memory = rejection {
            let holds = run.memory.gpu?.maxConcurrency ?? 0
            return fmt("holds %.1f of the worker's %d x %d-token sequences: %@", holds, vllm.maxNumSeqs, vllm.maxModelLen, rejection.text)
        }
        return "\(rejection.text) (\(rejection.rule))"
    }
}
