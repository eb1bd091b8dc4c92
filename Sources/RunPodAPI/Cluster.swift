import Foundation

/// `Cluster` (a RunPod Instant Cluster): the fields podform reads. Its member pods, with their
/// container and env, come from `GET /v2/clusters/{id}/pods`.
public struct Cluster: Sendable, Codable, Hashable {
    /// `ClusterCompute`.
    public struct Compute: Sendable, Codable, Hashable {
        public var gpuTypeId: String
        public var gpuCountPerPod: Int
        public var podCount: Int
        public init(gpuTypeId: String, gpuCountPerPod: Int, podCount: Int) {
            self.gpuTypeId = gpuTypeId
            self.gpuCountPerPod = gpuCountPerPod
            self.podCount = podCount
        }
    }

    /// `ClusterPrimary`: the rank-0 node.
    public struct Primary: Sendable, Codable, Hashable {
        public var podId: String
        public var status: String
        public var sshEndpoint: String?
    }

    /// `ClusterNetwork`: the private overlay network.
    public struct Network: Sendable, Codable, Hashable {
        public var cidr: String
        public var vxlanId: Int?
        public var vxlanPort: Int?
    }

    /// `ClusterPodsSummary`.
    public struct PodsSummary: Sendable, Codable, Hashable {
        public var total: Int
        public var byStatus: [String: Int]
    }

    public var id: String
    public var name: String
    /// `ClusterType`: APPLICATION, TRAINING, SLURM, RAY.
    public var type: String
    public var compute: Compute
    public var template: String?
    public var dataCenterId: String?
    public var pods: PodsSummary?
    public var network: Network?
    public var primary: Primary?
    public var createdAt: String?
}

/// `CreateClusterRequest`: the compute shape, the type, and the container every member pod runs
/// (`BaseContainerConfig`: no registry, no template id, no entrypoint override).
public struct CreateClusterRequest: Sendable, Codable, Hashable {
    public var name: String
    public var type: String
    public var compute: Cluster.Compute
    public var image: String
    public var args: String?
    /// Container disk, GB.
    public var disk: Int
    public var env: [String: String]
    public var ports: [String]
    public var mounts: Mounts?
    public var dataCenterIds: [String]?
    public var startSsh: Bool?

    public init(
        name: String, type: String, compute: Cluster.Compute, image: String, args: String?, disk: Int, env: [String: String],
        ports: [String], mounts: Mounts?, dataCenterIds: [String]?, startSsh: Bool? = nil
    ) {
        self.name = name
        self.type = type
        self.compute = compute
        self.image = image
        self.args = args
        self.disk = disk
        self.env = env
        self.ports = ports
        self.mounts = mounts
        self.dataCenterIds = dataCenterIds
        self.startSsh = startSsh
    }
}

struct ClusterList: Decodable { var clusters: [Cluster] }

extension RunPodClient {
    public func listClusters() async throws -> [Cluster] {
        try decode(ClusterList.self, await send("GET", "/v2/clusters"), "cluster list").clusters
    }
    public func getCluster(_ id: String) async throws -> Cluster { try decode(Cluster.self, await send("GET", "/v2/clusters/\(id)"), "cluster") }
    /// The member pods, each a full `Pod` (container, env, status).
    public func clusterPods(_ id: String) async throws -> [Pod] {
        try decode(PodList.self, await send("GET", "/v2/clusters/\(id)/pods"), "cluster pod list").pods
    }
    /// `PATCH /v2/clusters/{id}`: only the name can change.
    public func updateCluster(_ id: String, _ body: JSONValue) async throws -> Cluster {
        try decode(Cluster.self, await send("PATCH", "/v2/clusters/\(id)", body: try Self.encode(body)), "cluster")
    }
    /// Deletes the cluster and terminates its member pods.
    public func deleteCluster(_ id: String) async throws { _ = try await send("DELETE", "/v2/clusters/\(id)") }
}
