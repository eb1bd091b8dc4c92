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
        var out: [PoolExclusion] = []
        for member in members.sorted(by: { $0.id < $1.id }) {
            if let (rule, why) = gpuRejection(member) {
                out.append(.init(gpu: member, reason: "\(why) (\(rule))"))
                continue
            }
            let allToAll = member.interconnect == "SXM" || member.interconnect == "Infinity Fabric"
            if chosen.tp > member.maxGPUsPerPod {
                out.append(.init(gpu: member, reason: "a worker needs \(chosen.tp) GPUs; \(member.displayName) comes \(member.maxGPUsPerPod) to a machine"))
                continue
            }
            if chosen.tp > 2 && !allToAll {
                out.append(.init(gpu: member, reason: "tensor parallel \(chosen.tp) over \(member.interconnect) (sizes above 2 need SXM/OAM all-to-all links, D-GPU-TP)"))
                continue
            }
            let run = evaluate(member, tp: chosen.tp, replicas: chosen.replicas, load: load,
                               maxBatchedTokens: vllm.maxNumBatchedTokens)
            guard let rejection = run.rejectionDetail else { continue }
            if case .memory = rejection {
                let holds = run.memory.gpu?.maxConcurrency ?? 0
                out.append(.init(gpu: member, reason: fmt(
                    "holds %.1f of the worker's %d x %d-token sequences: %@", holds, vllm.maxNumSeqs, vllm.maxModelLen, rejection.text)))
            } else {
                out.append(.init(gpu: member, reason: "\(rejection.text) (\(rejection.rule))"))
            }
        }
        return out
    }
}
