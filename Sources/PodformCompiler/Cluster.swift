extension Deployment {
    /// A RunPod Instant Cluster (`POST /v2/clusters`): `nodes` identical pods of `gpusPerNode` GPUs
    /// each, in one data center, on the cluster's private network (`Specs/decisions.md`, D-CLUSTER).
    public struct Cluster: Sendable, Codable, Hashable {
        /// `ClusterType`: `RAY` for serving (vLLM's multi-node executor), `TRAINING` for a run.
        public var type: String
        public var nodes: Int
        public var gpusPerNode: Int
        /// Tensor parallel within a node (NVLink), pipeline stages across nodes (serving); a
        /// training run shards over every GPU (FSDP) and has one stage.
        public var tensorParallel: Int
        public var pipelineParallel: Int
        /// How the nodes reach each other and what crosses between them.
        public var interconnect: String
        /// How the nodes find each other: the launch on each node.
        public var launch: String
        /// Training: bytes a step sends across nodes (gradient sync) and its time on the cluster network.
        public var crossNodeGBPerStep: Double?
        public var crossNodeSecondsPerStep: Double?

        public init(
            type: String, nodes: Int, gpusPerNode: Int, tensorParallel: Int, pipelineParallel: Int, interconnect: String,
            launch: String, crossNodeGBPerStep: Double? = nil, crossNodeSecondsPerStep: Double? = nil
        ) {
            self.type = type
            self.nodes = nodes
            self.gpusPerNode = gpusPerNode
            self.tensorParallel = tensorParallel
            self.pipelineParallel = pipelineParallel
            self.interconnect = interconnect
            self.launch = launch
            self.crossNodeGBPerStep = crossNodeGBPerStep
            self.crossNodeSecondsPerStep = crossNodeSecondsPerStep
        }

        enum CodingKeys: String, CodingKey {
            case type, nodes, gpusPerNode = "gpus_per_node", tensorParallel = "tensor_parallel", pipelineParallel = "pipeline_parallel"
            case interconnect, launch, crossNodeGBPerStep = "cross_node_gb_per_step", crossNodeSecondsPerStep = "cross_node_seconds_per_step"
        }
    }
}

/// What podform assumes of the network between an Instant Cluster's nodes.
enum ClusterNetwork {
    /// Bytes per second across nodes: seed 000's 100 GbE figure (RunPod's stored sources do not
    /// state the cluster fabric's speed; with InfiniBand NDR it would be 4x): pessimistic for speed.
    static let bytesPerSecond = 12.5e9
    /// One hop's fixed latency, seconds.
    static let hopSeconds = 20e-6
    /// At most this many nodes are considered.
    static let maxNodes = 16
    /// RunPod: `ens1`..`ens8` carry inter-node traffic; `eth0` is the management interface
    /// (docs.runpod.io instant-clusters/configuration).
    static let interface = "ens1"
}
