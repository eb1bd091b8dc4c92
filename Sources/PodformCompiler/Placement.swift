import PodformCatalog
import PodformCore

extension Deployment {
    /// Where the deployment runs and what it stores, beyond the GPU choice: the decisions the
    /// RunPod mapping (`PodformApply/RunPodResources`) needs and no other field of the plan says.
    ///
    /// Not written to the plan JSON: there, the `resources` request bodies carry these decisions,
    /// and a saved plan's requests are read back from them (`ReviewedPlan`). A deployment decoded
    /// from JSON has the default placement.
    public struct Placement: Sendable, Hashable {
        /// The data centers the deployment is pinned to, in the spec's order (empty: any).
        public var dataCenters: [String] = []
        /// Whose GPUs: a template is for NVIDIA (CUDA) or AMD (ROCm) machines.
        public var gpuVendor: GPUVendor = .nvidia
        /// The network volume the weights live on, if they live on one.
        public var networkVolume: NetworkVolume?
        /// How many pods run (replicas of one shape); 0 for a serverless endpoint.
        public var pods: Int = 1

        public init(dataCenters: [String] = [], gpuVendor: GPUVendor = .nvidia, networkVolume: NetworkVolume? = nil, pods: Int = 1) {
            self.dataCenters = dataCenters
            self.gpuVendor = gpuVendor
            self.networkVolume = networkVolume
            self.pods = pods
        }
    }

    public enum GPUVendor: String, Sendable, Hashable, Codable {
        case nvidia, amd
    }

    /// A network volume for the weights (`Specs/decisions.md`, D-STORAGE).
    public struct NetworkVolume: Sendable, Hashable {
        public var sizeGB: Int
        public var dataCenter: String

        public init(sizeGB: Int, dataCenter: String) {
            self.sizeGB = sizeGB
            self.dataCenter = dataCenter
        }
    }
}

extension Compiler {
    /// The placement of a serving option: the spec's data centers, the GPU's vendor, a network
    /// volume when the weights live on one (it needs a data center), and the pod replicas.
    func placement(_ option: Option) -> Deployment.Placement {
        let c = option.candidate
        let dataCenters = spec.constraints.dataCenters
        let volume = storagePlan.networkVolumeGB.flatMap { size in
            dataCenters.first.map { Deployment.NetworkVolume(sizeGB: size, dataCenter: $0) }
        }
        return Deployment.Placement(
            dataCenters: dataCenters, gpuVendor: vendor(c.gpu), networkVolume: volume,
            pods: option.mode == .pod ? c.replicas : 0)
    }

    func vendor(_ gpu: GPUType) -> Deployment.GPUVendor { gpu.rocm ? .amd : .nvidia }
}
