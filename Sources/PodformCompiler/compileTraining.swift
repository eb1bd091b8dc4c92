import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// Fine-tunes and training runs: always a pod, billed per second until it is destroyed (D-TRAIN).
    func compileTraining() -> Result<Deployment, CompileFailure> {
        var trace = TraceBuilder()
        let shape = trainingShape, method = shape.method
        let memory = architecture.trainingMemory(shape)
        let hours = spec.training?.hours ?? 1
        recordTrainingMemory(memory, shape, &trace)
        let (choices, rejected) = trainingChoices(memory, method: method, hours: hours)
        var stock = stockedTraining(choices)
        // No single machine holds it: an Instant Cluster (D-CLUSTER), billed for every node.
        let cluster = stock.choices.isEmpty ? trainingCluster(memory, method: method, hours: hours) : nil
        if let c = cluster { stock = StockedTraining(choices: [(c.gpu, c.gpusPerNode, c.price, "SECURE", c.runCost)], skipped: [], noStock: false) }
        let nodes = Double(cluster?.nodes ?? 1)
        guard let (gpu, count, price, cloud, runCost) = stock.choices.first else {
            return .failure(
                failure(
                    fmt("no GPU holds this run: it needs %.0f GB", Double(memory.totalBytes) / 1e9),
                    suggestions: ["enable gradient_checkpointing", "use method: qlora", "lower batch_size or sequence_length"],
                    trace: trace))
        }
        let availability = cluster == nil ? trainingAvailability(stock, &trace) : Deployment.Availability(checked: environment.availability != nil)
        var warnings: [Deployment.Warning] = []
        let clusterRecord = cluster.map { trainingClusterRecord($0, memory, &trace, &warnings) }
        recordTrainingGPU(gpu, count: count, price: price, runCost: runCost, hours: hours, nodes: cluster?.nodes, &trace)
        let container = trainingContainer
        let diskGB = container.volumeGB ?? 0
        if stock.noStock { warnings.append(trainingNoStockWarning(gpu, count)) }
        if spec.training?.hours == nil {
            warnings.append(.init(code: "run-length-unknown", message: "training.hours is not set; the cost is per hour of the run"))
        }
        let compute = price.usd * Double(count) * nodes
        let hourly = compute + Double(diskGB + container.containerDiskGB) * nodes * environment.gpus.storage.containerDiskPerGBMonth / hoursPerMonth
        recordTrainingLifecycle(hourly: hourly, hours: hours, &trace, &warnings)
        var d = Deployment(
            name: spec.name, specFile: specFile, workload: spec.workload.rawValue,
            model: .init(
                id: spec.model.id, parameters: architecture.parameterCount.total, activeParameters: architecture.parameterCount.active,
                maxContext: architecture.maxContext),
            precision: method == .qlora ? "int4" : "bf16", mode: .pod, workerMode: nil,
            gpu: .init(id: gpu.id, displayName: gpu.displayName, count: count, memoryGB: gpu.memoryGB, cloud: cloud, pool: nil),
            workers: nil, serverless: nil, vllm: nil, training: memory, container: container,
            cost: trainingCost(hourly: hourly, compute: compute, price: price),
            sizing: architecture.estimate(
                ServingShape(
                    weights: method == .qlora ? .int4 : .bf16, context: shape.sequenceLength,
                    concurrency: shape.batchSize, tensorParallel: 1),
                accounting: environment.accounting), estimates: nil, placement: Deployment.Placement(gpuVendor: vendor(gpu)),
            alternatives: Array(rejected.prefix(3)), trace: trace.steps,
            warnings: warnings, availability: availability)
        if let clusterRecord {
            d.cluster = clusterRecord
            d.placement.pods = 0
            d.container.env["NCCL_SOCKET_IFNAME"] = ClusterNetwork.interface
        }
        return .success(d)
    }

    /// D-GPU for a run: the GPU, how many (and nodes, for a cluster), and what the run costs.
    func recordTrainingGPU(
        _ gpu: GPUType, count: Int, price: PricePoint, runCost: Double, hours: Double, nodes clusterNodes: Int?,
        _ trace: inout TraceBuilder
    ) {
        let nodes = Double(clusterNodes ?? 1)
        var gpuInputs = ["gpu": gpu.id, "count": "\(count)", "hours": fmt("%g", hours)]
        if clusterNodes != nil { gpuInputs["nodes"] = fmt("%g", nodes) }
        trace.add(
            .gpu, "Which GPU and how many?", inputs: gpuInputs,
            outcome: fmt(
                "%@%d x %@ at $%.2f/hour: $%.2f for the run", clusterNodes == nil ? "" : "\(Int(nodes)) nodes x ", count, gpu.displayName,
                price.usd * Double(count) * nodes, runCost),
            source: Source.seed002)
    }

    /// The run the spec asks for, with its defaults: LoRA rank 16 on the attention projections, batch 4
    /// of 2,048 tokens, gradient checkpointing on; full training for `workload: training`, else LoRA.
    var trainingShape: TrainingShape {
        let t = spec.training ?? Training()
        let method: TrainingShape.Method
        switch t.method ?? (spec.workload == .training ? TrainingMethod.full : .lora) {
        case .full: method = .full
        case .lora: method = .lora
        case .qlora: method = .qlora
        }
        return TrainingShape(
            method: method, loraRank: t.loraRank ?? 16,
            targetModules: t.targetModules ?? ["q_proj", "k_proj", "v_proj", "o_proj"],
            batchSize: t.batchSize ?? 4, sequenceLength: t.sequenceLength ?? 2048,
            gradientCheckpointing: t.gradientCheckpointing ?? true)
    }

    /// The training pod's container: SSH and Jupyter ports, and a volume at /workspace for the
    /// checkpoint and its outputs (2.2x the 16-bit weights + 30 GB, in 10 GB steps).
    var trainingContainer: Deployment.Container {
        let diskGB = roundUp(Double(architecture.weightBytes(.bf16)) / 1e9 * 2.2 + 30, to: 10)
        return Deployment.Container(
            image: spec.deploy.image ?? environment.defaultTrainingImage, ports: ["22/tcp", "8888/http"],
            containerDiskGB: requestedContainerDiskGB ?? 30, volumeGB: diskGB, volumeMountPath: "/workspace", weights: "pod-volume",
            env: baseEnv(), args: nil)
    }

    /// A run's cost per hour and per month of running (it bills until destroyed): compute, and disks.
    func trainingCost(hourly: Double, compute: Double, price: PricePoint) -> Deployment.Cost {
        .init(
            hourlyUSD: (hourly * 10_000).rounded() / 10_000, monthlyUSD: (hourly * hoursPerMonth * 100).rounded() / 100,
            perMillionOutputTokensUSD: nil, computeMonthlyUSD: (compute * hoursPerMonth * 100).rounded() / 100,
            storageMonthlyUSD: ((hourly - compute) * hoursPerMonth * 100).rounded() / 100,
            comparison: [:], breakEvenRequestsPerDay: nil, priceSources: [price.citation])
    }

    /// D-WORKLOAD and D-TRAIN-MEMORY: the run's class and what it needs in memory.
    func recordTrainingMemory(_ memory: TrainingEstimate, _ shape: TrainingShape, _ trace: inout TraceBuilder) {
        trace.add(
            .workload, "What class of workload is this?", inputs: ["workload": spec.workload.rawValue, "method": shape.method.rawValue],
            outcome: "\(spec.workload.rawValue): a pod, billed per second until it is destroyed", source: Source.seed002)
        trace.add(
            .trainMemory, "How much memory does the run need?",
            inputs: [
                "trainable_parameters": "\(memory.trainableParameters)", "batch_size": "\(shape.batchSize)",
                "sequence_length": "\(shape.sequenceLength)", "gradient_checkpointing": "\(shape.gradientCheckpointing)"
            ],
            outcome: fmt(
                "%.1f GB (weights %.1f, gradients %.1f, optimizer %.1f, activations %.1f)",
                Double(memory.totalBytes) / 1e9, Double(memory.weightsBytes) / 1e9, Double(memory.gradientsBytes) / 1e9,
                Double(memory.optimizerBytes) / 1e9, Double(memory.activationsBytes) / 1e9),
            source: Source.seed000)
    }

    /// Each allowed GPU's smallest count that holds the run, cheapest first (fewest GPUs on a
    /// tie, then GPU id), and the allowed GPUs the rules rejected.
    func trainingChoices(_ memory: TrainingEstimate, method: TrainingShape.Method, hours: Double)
        -> (choices: [TrainingChoice], rejected: [Deployment.Alternative])
    {
        var choices: [TrainingChoice] = []
        var rejected: [Deployment.Alternative] = []
        for gpu in environment.gpus.gpus.sorted(by: { $0.id < $1.id }) {
            if let (rule, why) = gpuRejection(gpu) {
                if rule != "D-GPU-DATA" && rule != "D-GPU-PRICE" && allowedGPUs.isEmpty == false && allowedGPUs.contains(gpu.id) {
                    rejected.append(
                        .init(
                            gpu: gpu.id, count: 1, replicas: 1, mode: .pod, workerMode: nil, monthlyUSD: nil,
                            deltaMonthlyUSD: nil, reason: why))
                }
                continue
            }
            guard let (price, cloud) = podPrice(gpu) else { continue }
            for count in [1, 2, 4, 8] where count <= min(gpu.maxGPUsPerPod, spec.constraints.maxGPUsPerWorker ?? 8) {
                // Full training shards weights, gradients and optimizer (FSDP / ZeRO-3); LoRA replicates the base.
                let perGPU: Double
                if method == .full {
                    perGPU = Double(memory.totalBytes - memory.activationsBytes) / Double(count) + Double(memory.activationsBytes) / Double(count)
                } else {
                    perGPU =
                        Double(memory.weightsBytes + memory.gradientsBytes + memory.optimizerBytes) + Double(memory.activationsBytes) / Double(count)
                }
                let usable = Double(gpu.cudaMemoryBytes) * 0.95
                guard perGPU <= usable else { continue }
                choices.append((gpu, count, price, cloud, price.usd * Double(count) * hours))
                break
            }
        }
        choices.sort { a, b in
            if abs(a.4 - b.4) >= 1e-9 { return a.4 < b.4 }
            return (a.1, a.0.id) < (b.1, b.0.id)
        }
        return (choices, rejected)
    }

    /// D-LIFECYCLE: nothing podform runs stops a training pod when its job ends (the default image
    /// serves Jupyter and never exits), so it is priced for the whole month, and the run says what
    /// the planned hours cost (`Specs/state.md`, "Lifecycle").
    func recordTrainingLifecycle(hourly: Double, hours: Double, _ trace: inout TraceBuilder, _ warnings: inout [Deployment.Warning]) {
        trace.add(
            .lifecycle, "When does the pod run (and bill)?", inputs: ["training.hours": fmt("%g", hours)],
            outcome: fmt(
                "until `podform destroy`: priced all month ($%.2f); the planned %g-hour run costs $%.2f", hourly * hoursPerMonth, hours,
                hourly * hours),
            source: "Specs/state.md (Lifecycle)")
        warnings.append(
            .init(
                code: "pod-runs-until-destroyed",
                message: fmt(
                    "the training pod bills $%.2f/hour until `podform destroy`; destroy it when the run ends (the planned %g hours cost $%.2f)",
                    hourly, hours, hourly * hours)))
    }
}
