/// REST v2 create requests, as podform sends them (`openapi-v2.json` components of the same names).
///
/// Only the fields podform sets are modelled; optional ones are left out of the body when nil. An
/// id not known until apply is a reference string, `${kind.name.id}`, which apply resolves.

/// `CreateNetworkVolumeRequest`.
public struct CreateNetworkVolumeRequest: Sendable, Codable, Hashable {
    public var name: String
    /// GB.
    public var size: Int
    public var dataCenter: String

    public init(name: String, size: Int, dataCenter: String) {
        self.name = name
        self.size = size
        self.dataCenter = dataCenter
    }
}

/// `CreateTemplateRequest`.
public struct CreateTemplateRequest: Sendable, Codable, Hashable {
    public var name: String
    public var image: String
    public var env: [String: String]
    public var ports: [String]
    /// Container disk, GB.
    public var disk: Int
    public var serverless: Bool
    /// `TemplateCategory`: `NVIDIA` or `AMD`.
    public var category: String
    public var args: String?

    public init(
        name: String, image: String, env: [String: String], ports: [String], disk: Int, serverless: Bool,
        category: String, args: String?
    ) {
        self.name = name
        self.image = image
        self.env = env
        self.ports = ports
        self.disk = disk
        self.serverless = serverless
        self.category = category
        self.args = args
    }
}

/// `CreateEndpointGpuConfig`.
public struct CreateEndpointGpuConfig: Sendable, Codable, Hashable {
    public var pools: [String]
    public var count: Int
    public var excludedTypes: [String]?

    public init(pools: [String], count: Int, excludedTypes: [String]?) {
        self.pools = pools
        self.count = count
        self.excludedTypes = excludedTypes
    }
}

/// `EndpointWorkers`.
public struct EndpointWorkers: Sendable, Codable, Hashable {
    public var min: Int
    public var max: Int
    /// Seconds; RunPod rejects it on a queue endpoint scaling on request count.
    public var idleTimeout: Int?

    public init(min: Int, max: Int, idleTimeout: Int?) {
        self.min = min
        self.max = max
        self.idleTimeout = idleTimeout
    }
}

/// `EndpointScaling`: `RequestCountScaling` or `QueueDelayScaling`.
public enum EndpointScaling: Sendable, Codable, Hashable {
    case requestCount(Int)
    /// Seconds.
    case queueDelay(Double)

    enum CodingKeys: String, CodingKey { case type, requestCount, queueDelay }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "REQUEST_COUNT": self = .requestCount(try c.decode(Int.self, forKey: .requestCount))
        default: self = .queueDelay(try c.decode(Double.self, forKey: .queueDelay))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .requestCount(let n):
            try c.encode("REQUEST_COUNT", forKey: .type)
            try c.encode(n, forKey: .requestCount)
        case .queueDelay(let seconds):
            try c.encode("QUEUE_DELAY", forKey: .type)
            try c.encode(seconds, forKey: .queueDelay)
        }
    }
}

/// `CreateEndpointRequest` (a queue endpoint created from a template).
public struct CreateEndpointRequest: Sendable, Codable, Hashable {
    public var name: String
    /// `EndpointType`.
    public var type: String = "QUEUE"
    public var templateId: String
    public var env: [String: String]
    public var gpu: CreateEndpointGpuConfig
    public var workers: EndpointWorkers
    public var scaling: EndpointScaling
    /// `FlashBoot`: `FLASHBOOT` or `OFF`.
    public var flashboot: String
    /// Execution timeout, ms.
    public var timeout: Int
    public var dataCenterIds: [String]?
    public var networkVolumes: [String]?

    public init(
        name: String, templateId: String, env: [String: String], gpu: CreateEndpointGpuConfig, workers: EndpointWorkers,
        scaling: EndpointScaling, flashboot: String, timeout: Int, dataCenterIds: [String]?, networkVolumes: [String]?
    ) {
        self.name = name
        self.templateId = templateId
        self.env = env
        self.gpu = gpu
        self.workers = workers
        self.scaling = scaling
        self.flashboot = flashboot
        self.timeout = timeout
        self.dataCenterIds = dataCenterIds
        self.networkVolumes = networkVolumes
    }
}

/// `CreateGpuConfig` of a pod.
public struct CreateGpuConfig: Sendable, Codable, Hashable {
    public var id: String
    public var count: Int

    public init(id: String, count: Int) {
        self.id = id
        self.count = count
    }
}

/// `Mounts` of a pod: a network volume, or a persistent pod volume.
public struct Mounts: Sendable, Codable, Hashable {
    /// `NetworkMount`.
    public struct Network: Sendable, Codable, Hashable {
        public var volumeId: String
        public var path: String
        public init(volumeId: String, path: String) {
            self.volumeId = volumeId
            self.path = path
        }
    }

    /// `PersistentMount`.
    public struct Persistent: Sendable, Codable, Hashable {
        /// GB.
        public var size: Int
        public var path: String
        public init(size: Int, path: String) {
            self.size = size
            self.path = path
        }
    }

    public var network: [Network]?
    public var persistent: Persistent?

    public init(network: [Network]? = nil, persistent: Persistent? = nil) {
        self.network = network
        self.persistent = persistent
    }
}

/// `CreatePodRequest` (a GPU pod created from a template).
public struct CreatePodRequest: Sendable, Codable, Hashable {
    public var name: String
    /// `Cloud`: `SECURE` or `COMMUNITY`.
    public var cloud: String
    public var templateId: String
    public var env: [String: String]
    public var gpu: CreateGpuConfig
    /// Container disk, GB (set explicitly: a template's disk is not always inherited).
    public var disk: Int
    public var ports: [String]
    public var mounts: Mounts?
    public var dataCenterIds: [String]?

    public init(
        name: String, cloud: String, templateId: String, env: [String: String], gpu: CreateGpuConfig, disk: Int,
        ports: [String], mounts: Mounts?, dataCenterIds: [String]?
    ) {
        self.name = name
        self.cloud = cloud
        self.templateId = templateId
        self.env = env
        self.gpu = gpu
        self.disk = disk
        self.ports = ports
        self.mounts = mounts
        self.dataCenterIds = dataCenterIds
    }
}
