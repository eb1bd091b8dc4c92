import PodformCatalog
import PodformCore
import PodformSizing

/// D-CLUSTER: when no single machine holds the load (memory) or meets the SLA (speed), a RunPod
/// Instant Cluster of N nodes x G GPUs: tensor parallel over a node's NVLink, pipeline stages
/// across nodes (vLLM over Ray), the fewest nodes that fit.
extension Compiler {
    /// GPU types an Instant Cluster can be made of here: SXM machines (a node's GPUs all-to-all on
    /// NVLink), allowed by the constraints, with a price.
    func clusterGPUs() -> [GPUType] {
        environment.gpus.gpus.filter { $0.interconnect == "SXM" && gpuRejection($0) == nil && podPrice($0) != nil }
            .sorted { $0.id < $1.id }
    }

    /// GPUs per node: the largest tensor-parallel size vLLM can load that the machine has.
    func gpusPerNode(_ gpu: GPUType) -> Int? {
        [8, 4, 2].first { $0 <= gpu.maxGPUsPerPod && tensorParallelProblem($0) == nil }
    }

    /// Per GPU type, the fewest nodes (2 and up) whose GPUs hold the load and meet the SLA, and
    /// the last rejection of each type that none does.
    func clusterCandidates(load: Load) -> (feasible: [Candidate], rejected: [Candidate]) {
        var feasible: [Candidate] = []
        var rejected: [Candidate] = []
        for gpu in clusterGPUs() {
            guard let g = gpusPerNode(gpu) else { continue }
            var last: Candidate?
            for nodes in 2...ClusterNetwork.maxNodes {
                let c = evaluateCluster(gpu, gpusPerNode: g, nodes: nodes, load: load)
                last = c
                if c.rejectionDetail == nil { feasible.append(c); last = nil; break }
                // More nodes add memory, not speed: a speed or throughput miss is final.
                if c.rejectionRule != "D-MEMORY" { break }
            }
            if let last { rejected.append(last) }
        }
        return (feasible, rejected)
    }

    /// Memory, speed and SLA of one replica spread over `nodes` nodes of `gpusPerNode` GPUs.
    ///
    /// Memory: vLLM's accounting with the layers split over `nodes` stages and each layer over
    /// `gpusPerNode` (`ServingShape.pipelineParallel`). Speed: a token passes every stage in turn,
    /// so a decode step reads the weights of all layers, as one node of `gpusPerNode` GPUs would
    /// (the roofline at that tensor-parallel size), plus the activations crossing each of the
    /// `nodes - 1` node boundaries on the cluster network (batch x hidden x 2 bytes a hop).
    func evaluateCluster(_ gpu: GPUType, gpusPerNode g: Int, nodes: Int, load: Load) -> Candidate {
        var shape = ServingShape(
            weights: precision, kv: kvFormat, context: load.context, concurrency: load.concurrency, tensorParallel: g,
            gpuMemoryUtilization: utilization,
            maxBatchedTokens: ServingDefaults.maxBatchedTokens(gpuGiB: gpu.cudaMemoryGiB, context: load.context))
        shape.pipelineParallel = nodes
        let memory = architecture.estimate(
            shape, accounting: environment.accounting, gpuTotalBytes: gpu.cudaMemoryBytes,
            parametersOverride: spec.model.parameters)
        var c = Candidate(gpu: gpu, tp: g, replicas: 1, perReplicaConcurrency: load.concurrency, nodes: nodes, memory: memory)
        guard let fit = memory.gpu, fit.fits else {
            c.rejectionDetail = .memory(
                need: Double(memory.totalBytesPerGPU) / 1e9, weights: Double(memory.weightsBytesPerGPU) / 1e9,
                kv: Double(memory.kvCacheBytesPerGPU) / 1e9, perReplica: load.concurrency, context: load.context,
                overhead: Double(memory.overheadBytesPerGPU) / 1e9, gpu: "\(nodes) nodes x \(g) x \(gpu.displayName)",
                have: Double(memory.gpu?.usableBytes ?? 0) / 1e9, utilization: utilization)
            return c
        }
        var perf = architecture.performance(
            weights: precision, kv: kvFormat, gpu: gpu.performanceFacts, tp: g, batch: load.concurrency,
            prompt: load.prompt, output: load.output, arrivalRate: load.peakRPS, model: environment.performance,
            maxBatchedTokens: shape.maxBatchedTokens)
        let hops = Double(nodes - 1)
        let hop = { (tokens: Int) in Double(tokens) * Double(self.architecture.hidden) * 2 / ClusterNetwork.bytesPerSecond + ClusterNetwork.hopSeconds
        }
        let step = perf.stepSeconds + hops * hop(max(load.concurrency, 1))
        let scale = perf.stepSeconds / step
        perf.stepSeconds = step
        perf.outputTokensPerSecondPerUser *= scale
        perf.outputTokensPerSecondPerUserRange = perf.outputTokensPerSecondPerUserRange.map { $0 * scale }
        perf.outputTokensPerSecond *= scale
        let prefillHops = hops * hop(max(load.prompt, 1))
        perf.ttftSeconds += prefillHops
        perf.ttftP95Seconds += prefillHops
        perf.ttftP95SecondsRange = perf.ttftP95SecondsRange.map { $0 + prefillHops }
        let requestTime = perf.ttftSeconds + Double(load.output) * step
        perf.requestsPerSecond = requestTime > 0 ? Double(max(load.concurrency, 1)) / requestTime : 0
        c.performance = perf
        if perf.requestsPerSecond < load.peakRPS {
            c.rejectionDetail = .throughput(
                replicas: 1, tp: g * nodes, gpu: gpu.displayName, served: perf.requestsPerSecond,
                concurrency: load.concurrency, peak: load.peakRPS)
        } else if let ttft = spec.sla.ttftP95, perf.ttftP95Seconds > ttft {
            c.rejectionDetail = .ttft(estimate: perf.ttftP95Seconds, limit: ttft)
        } else if let tps = spec.sla.outputTokensPerSecond, perf.outputTokensPerSecondPerUser < tps {
            c.rejectionDetail = .speed(estimate: perf.outputTokensPerSecondPerUser, users: load.concurrency, limit: tps)
        }
        return c
    }

    /// A cluster billed like its pods: every node's GPUs and disks, all day (an Instant Cluster
    /// has no stop: it runs until deleted). Priced at the Secure Cloud pod rate per GPU-hour: the
    /// catalog has no separate Instant Cluster price (RunPod's pricing page lists one).
    func clusterOption(_ c: Candidate) -> Option? {
        guard let price = c.gpu.prices.podSecurePerHour else { return nil }
        let storage = storagePlan
        let hourly = price.usd * Double(c.tp * c.nodes)
        let diskMonthly =
            Double(storage.podContainerDiskGB + (storage.podVolumeGB ?? 0)) * environment.gpus.storage.containerDiskPerGBMonth
            * Double(c.nodes)
        return Option(
            candidate: c, model: .pod, minWorkers: 1, maxWorkers: 1,
            hourlyUSD: hourly + diskMonthly / hoursPerMonth, computeMonthlyUSD: hourly * 24 * daysPerMonth,
            storageMonthlyUSD: diskMonthly, coldStartSeconds: nil, prices: [price])
    }

    /// The D-CLUSTER trace step for serving: what no single machine could do, and the clusters tried.
    func recordClusterSearch(_ feasible: [Candidate], _ rejected: [Candidate], singleNodeRejected: [Candidate], _ trace: inout TraceBuilder) {
        let why = Dictionary(grouping: singleNodeRejected.compactMap(\.rejectionRule), by: { $0 }).mapValues(\.count)
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")
        var inputs = [
            "single_node_rejections": why.isEmpty ? "none" : why,
            "gpus": clusterGPUs().map(\.id).joined(separator: ", "),
            "cross_node": fmt("%.1f GB/s assumed (100 GbE, Specs/decisions.md D-CLUSTER)", ClusterNetwork.bytesPerSecond / 1e9)
        ]
        for c in feasible { inputs[c.gpu.id] = "\(c.nodes) nodes x \(c.tp) GPUs" }
        for c in rejected { inputs[c.gpu.id] = "rejected (\(c.rejectionRule ?? "")): \(c.rejection ?? "")" }
        trace.add(
            .cluster, inputs: inputs,
            outcome: feasible.isEmpty
                ? "no Instant Cluster of up to \(ClusterNetwork.maxNodes) nodes holds it either"
                : "\(feasible.count) cluster shape\(feasible.count == 1 ? "" : "s") fit: tensor parallel within a node over NVLink, pipeline stages across nodes (vLLM over Ray); the fewest nodes per GPU type",
            source: Source.cluster)
    }

    /// The cluster record and warnings of a serving plan that chose one.
    func servingCluster(_ d: inout Deployment, _ c: Candidate) {
        let launchText =
            "every node runs podform-cluster-launch (the image `podform dockerfile` builds): rank 0 (PRIMARY_ADDR) starts the Ray head "
            + "(ray start --head --port=6379) and vLLM with --tensor-parallel-size \(c.tp) --pipeline-parallel-size \(c.nodes) "
            + "--distributed-executor-backend ray once NUM_NODES nodes joined; ranks 1..\(c.nodes - 1) join with ray start --address=$PRIMARY_ADDR:6379; "
            + "NCCL and Gloo use \(ClusterNetwork.interface) (RunPod: never eth0)"
        d.cluster = Deployment.Cluster(
            type: "RAY", nodes: c.nodes, gpusPerNode: c.tp, tensorParallel: c.tp, pipelineParallel: c.nodes,
            interconnect: fmt(
                "NVLink (SXM) within a node; %d node boundar%@ on the cluster network (%@), activations only (%.0f KB a token per sequence)",
                c.nodes - 1, c.nodes == 2 ? "y" : "ies", ClusterNetwork.interface, Double(architecture.hidden) * 2 / 1000),
            launch: launchText)
        if let i = d.trace.firstIndex(where: { $0.rule == DecisionRule.gpu.rawValue }) {
            d.trace[i].outcome = "an Instant Cluster of \(c.nodes) nodes x " + d.trace[i].outcome
            d.trace[i].inputs["nodes"] = "\(c.nodes)"
        }
        d.vllm?.pipelineParallelSize = c.nodes
        d.placement.pods = 0
        d.container.env["NCCL_SOCKET_IFNAME"] = ClusterNetwork.interface
        d.container.env["GLOO_SOCKET_IFNAME"] = ClusterNetwork.interface
        if let vllm = d.vllm { d.container.args = engine.serverArguments(launch(vllm)).joined(separator: " ") }
        if engine.imageKind(d.container.image) != .custom {
            d.warnings.append(
                .init(
                    code: "cluster-needs-launcher",
                    message: "the nodes of an Instant Cluster run one image with no per-node command: "
                        + "build the image `podform dockerfile` writes for this plan (its launcher starts Ray on each node and vLLM on rank 0), push it and set deploy.image"
                ))
        }
    }
}
