import PodformCatalog

/// What the search over GPUs, tensor-parallel sizes and replica counts found.
struct Search {
    var rejected: [Candidate] = []
    var feasible: [Candidate] = []
    /// Every feasible candidate priced each allowed way.
    var options: [Option] = []
    var gpuRejections: [(GPUType, String, String)] = []
    var maxReplicas = 1
}

extension Compiler {
    /// Enumerates every GPU x tensor-parallel size x replica count (D-GPU-*) and prices each feasible
    /// candidate every allowed way (D-MODE, D-COST-*); more replicas only while none meets the SLA.
    /// Replicas added beyond what the peak needs: one under `sla.redundancy: n+1`.
    var spareReplicas: Int { spec.sla.redundancy == .nPlusOne ? 1 : 0 }

    func search(load: Load, modes: Set<PricingModel>) -> Search {
        var rejected: [Candidate] = []
        var feasible: [Candidate] = []
        var options: [Option] = []
        var gpuRejections: [(GPUType, String, String)] = []
        let maxReplicas = min(spec.constraints.maxWorkers ?? 16, 64)
        for gpu in environment.gpus.gpus.sorted(by: { $0.id < $1.id }) {
            if let (rule, why) = gpuRejection(gpu) { gpuRejections.append((gpu, rule, why)); continue }
            let found = search(gpu, load: load, modes: modes, maxReplicas: maxReplicas)
            feasible += found.feasible
            options += found.options
            rejected += found.rejected
        }
        return Search(rejected: rejected, feasible: feasible, options: options, gpuRejections: gpuRejections, maxReplicas: maxReplicas)
    }

    /// One GPU's tensor-parallel sizes x replica counts, whatever the GPU-level rules say (the caller
    /// applies them): its feasible candidates, their options, and per size the last rejection.
    func search(_ gpu: GPUType, load: Load, modes: Set<PricingModel>, maxReplicas: Int)
        -> (feasible: [Candidate], options: [Option], rejected: [Candidate])
    {
        var feasible: [Candidate] = [], options: [Option] = [], rejected: [Candidate] = []
        for tp in tensorParallelSizes(gpu) {
            var last: Candidate?
            let spare = spareReplicas
            for replicas in 1...max(maxReplicas - spare, 1) {
                var candidate = evaluate(gpu, tp: tp, replicas: replicas, load: load)
                last = candidate
                if candidate.rejectionDetail == nil && replicas + spare <= maxReplicas {
                    // `sla.redundancy: n+1`: one replica more than the peak needs, each sized for the
                    // peak without it, so the load is still served with one replica down.
                    candidate.replicas += spare
                    // Priced each allowed way (D-MODE, D-COST-*); more replicas only while none meets the SLA.
                    let priced = self.options(for: candidate, load: load, allowed: modes)
                    feasible.append(candidate)
                    options += priced
                    last = nil
                    if priced.contains(where: \.meetsSLA) || priced.isEmpty { break }
                    continue
                }
                if !feasible.isEmpty && feasible.last!.gpu.id == gpu.id && feasible.last!.tp == tp { last = nil; break }
                if candidate.perReplicaConcurrency == 1 && candidate.rejectionRule == "D-MEMORY" { break }
            }
            if let last { rejected.append(last) }
        }
        return (feasible, options, rejected)
    }
}
