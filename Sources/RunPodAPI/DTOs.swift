import Foundation

/// RunPod REST v2 resources as the API returns them (`openapi-v2.json` components). Fields podform
/// reads are typed; the rest are kept as `JSONValue`, and unknown fields are ignored, so a newer
/// RunPod that adds fields does not break decoding.

/// `Pod`.
public struct Pod: Sendable, Codable, Hashable {
    public var id: String
    public var name: String?
    public var status: String?
    public var image: String?
    public var args: String?
    public var disk: Int?
    public var env: [String: String]?
    public var ports: [String]?
    public var gpu: JSONValue?
    public var cloud: String?
    public var dataCenterId: String?
    public var template: String?
    public var mounts: JSONValue?
    public var cost: Double?
    public var createdAt: String?
    /// `PodCluster`: its cluster, rank, role and overlay address, for a cluster member.
    public var cluster: JSONValue?

    /// The pod's GPU type id, when the `gpu` object carries one.
    public var gpuTypeID: String? { gpu?["id"]?.stringValue }
}

/// `Endpoint` (a serverless endpoint).
public struct Endpoint: Sendable, Codable, Hashable {
    public var id: String
    public var name: String?
    public var type: String?
    public var image: String?
    public var args: String?
    public var disk: Int?
    public var env: [String: String]?
    public var ports: [String]?
    public var gpu: JSONValue?
    public var workers: JSONValue?
    public var scaling: JSONValue?
    public var dataCenterIds: [String]?
    public var networkVolumes: [String]?
    public var timeout: Int?
    public var flashboot: String?
    public var requestUrls: JSONValue?
    public var createdAt: String?
    /// The template it was created from, when the API reports it.
    public var templateId: String?
}

/// `Template`.
public struct Template: Sendable, Codable, Hashable {
    public var id: String
    public var name: String?
    public var image: String?
    public var args: String?
    public var disk: Int?
    public var env: [String: String]?
    public var ports: [String]?
    public var serverless: Bool?
    public var category: String?
}

/// `NetworkVolume`.
public struct NetworkVolume: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var size: Int
    public var dataCenter: String
    public var type: JSONValue?
}

/// `Registry` (container registry credentials; read only here).
public struct Registry: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
}

/// A data center from `GET /v2/catalog/datacenters`.
public struct DataCenter: Sendable, Codable, Hashable {
    public var id: String
    public var name: String?
    public var location: JSONValue?
}

/// `Worker` of a serverless endpoint.
public struct Worker: Sendable, Codable, Hashable {
    public var id: String
    public var status: String
    public var gpuCount: Int
    public var isStale: Bool
    public var gpuTypeId: String?
    public var dataCenterId: String?
}

/// List wrappers: v2 lists come wrapped (`{"pods": [...]}`).
public struct PodList: Sendable, Codable { public var pods: [Pod] }
public struct EndpointList: Sendable, Codable { public var endpoints: [Endpoint] }
public struct TemplateList: Sendable, Codable { public var templates: [Template] }
public struct NetworkVolumeList: Sendable, Codable { public var networkVolumes: [NetworkVolume] }
public struct RegistryList: Sendable, Codable { public var registries: [Registry] }
public struct DataCenterList: Sendable, Codable { public var dataCenters: [DataCenter] }
public struct WorkerList: Sendable, Codable {
    public var workers: [Worker]
    public var summary: JSONValue?
}

/// The resource kinds podform manages, with their collection paths.
public enum ResourceKind: String, Sendable, CaseIterable, Codable {
    case networkVolume = "network_volume", template, endpoint, pod, cluster

    public var collectionPath: String {
        switch self {
        case .cluster: return "/v2/clusters"
        case .networkVolume: return "/v2/network-volumes"
        case .template: return "/v2/templates"
        case .endpoint: return "/v2/serverless"
        case .pod: return "/v2/pods"
        }
    }
}
