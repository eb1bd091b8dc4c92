import PodformCatalog
import PodformSizing

/// A training run no single machine holds (D-CLUSTER): an Instant Cluster of TRAINING type.
struct TrainingCluster {
    var gpu: GPUType
    var gpusPerNode: Int
    var nodes: Int
    var price: PricePoint
    var runCost: Double
    var perGPUBytes: Double
}

extension Compiler {
    /// Per GPU that memory needs: full training shards weights, gradients, optimizer states and
    /// activations over every GPU of the cluster (FSDP / ZeRO-3 across nodes, the sharded-training
    /// memory model); LoRA replicates the base, so more GPUs only split the activations.
    func trainingBytesPerGPU(_ memory: TrainingEstimate, method: TrainingShape.Method, gpus: Int) -> Double {
        let n = Double(max(gpus, 1))
        if method == .full { return Double(memory.totalBytes) / n }
        return Double(memory.weightsBytes + memory.gradientsBytes + memory.optimizerBytes) + Double(memory.activationsBytes) / n
    }

    /// The cheapest cluster that holds the run: per SXM GPU type, whole nodes (the machine's GPU
    /// count) and the fewest nodes, 2 and up, whose GPUs hold it at 95% of their memory.
    func trainingCluster(_ memory: TrainingEstimate, method: TrainingShape.Method, hours: Double) -> TrainingCluster? {
        var best: TrainingCluster?
        for gpu in clusterGPUs() {
            // Instant Clusters run in Secure Cloud: priced at the Secure pod rate whatever `constraints.cloud` says.
            guard let price = gpu.prices.podSecurePerHour else { continue }
            // D-AVAILABILITY: only types with cluster stock (a live plan).
            if environment.availability?.shortage(
                gpu.id, product: .cluster, cloud: "SECURE", dataCenters: spec.constraints.dataCenters,
                spec: spec.name) != nil
            {
                continue
            }
            let g = min(gpu.maxGPUsPerPod, spec.constraints.maxGPUsPerWorker ?? 8, 8)
            guard g >= 1 else { continue }
            for nodes in 2...ClusterNetwork.maxNodes {
                let perGPU = trainingBytesPerGPU(memory, method: method, gpus: g * nodes)
                guard perGPU <= Double(gpu.cudaMemoryBytes) * 0.95 else { continue }
                let cost = price.usd * Double(g * nodes) * hours
                if best == nil || cost < best!.runCost - 1e-9 {
                    best = TrainingCluster(
                        gpu: gpu, gpusPerNode: g, nodes: nodes, price: price,
                        runCost: cost, perGPUBytes: perGPU)
                }
                break
            }
        }
        return best
    }

    /// The cluster record, trace step and warning of a training run on a cluster: what a step
    /// sends across nodes (the gradients, 2 bytes a trainable parameter: seed 000's all-reduce
    /// figure) and how long that takes on the cluster network.
    func trainingClusterRecord(
        _ c: TrainingCluster, _ memory: TrainingEstimate, _ trace: inout TraceBuilder,
        _ warnings: inout [Deployment.Warning]
    ) -> Deployment.Cluster {
        let gb = Double(memory.trainableParameters) * 2 / 1e9
        let seconds = gb * 1e9 / ClusterNetwork.bytesPerSecond
        trace.add(
            .cluster,
            inputs: [
                "gpu": c.gpu.id, "gpus_per_node": "\(c.gpusPerNode)", "nodes": "\(c.nodes)",
                "per_gpu_gb": fmt("%.1f", c.perGPUBytes / 1e9),
                "usable_per_gpu_gb": fmt("%.1f", Double(c.gpu.cudaMemoryBytes) * 0.95 / 1e9)
            ],
            outcome: fmt(
                "no single machine holds the run: an Instant Cluster of %d nodes x %d x %@ shards it (%.1f GB per GPU); each step sends ~%.0f GB of gradients across nodes, ~%.1f s at 100 GbE",
                c.nodes, c.gpusPerNode, c.gpu.displayName, c.perGPUBytes / 1e9, gb, seconds),
            source: Source.cluster)
        warnings.append(
            .init(
                code: "cross-node-traffic",
                message: fmt(
                    "gradient sync sends ~%.0f GB across nodes every step, ~%.1f s on 100 GbE (4x less on InfiniBand NDR); %@",
                    gb, seconds, c.nodes > 2 ? "beyond two nodes Ethernet makes it the step's bottleneck" : "cross-node traffic can dominate the step"
                )))
        return Deployment.Cluster(
            type: "TRAINING", nodes: c.nodes, gpusPerNode: c.gpusPerNode, tensorParallel: 1, pipelineParallel: 1,
            interconnect: "NVLink (SXM) within a node; the cluster network (\(ClusterNetwork.interface)) across nodes carries the gradient sync",
            launch: "RunPod sets MASTER_ADDR/PRIMARY_ADDR, MASTER_PORT, NODE_RANK, NUM_NODES and NUM_TRAINERS on every node: run "
                + "torchrun --nnodes=$NUM_NODES --node_rank=$NODE_RANK --nproc_per_node=$NUM_TRAINERS --master_addr=$MASTER_ADDR --master_port=$MASTER_PORT train.py "
                + "on each node (FSDP over all \(c.nodes * c.gpusPerNode) GPUs); NCCL uses \(ClusterNetwork.interface)",
            crossNodeGBPerStep: (gb * 10).rounded() / 10, crossNodeSecondsPerStep: (seconds * 10).rounded() / 10)
    }
}
