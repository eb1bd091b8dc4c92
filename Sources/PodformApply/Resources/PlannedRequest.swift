import PodformCompiler
import RunPodAPI

/// One RunPod create request of a plan, typed by kind (`RunPodResources` makes them).
///
/// Ids not known until apply are references, `${kind.name.id}` (`reference(_:_:)`), which apply
/// resolves from what exists or was just created.
public enum PlannedRequest: Sendable, Hashable {
    case networkVolume(CreateNetworkVolumeRequest)
    case template(CreateTemplateRequest)
    case endpoint(CreateEndpointRequest)
    case pod(CreatePodRequest)
    case cluster(CreateClusterRequest)

    public var kind: ResourceKind {
        switch self {
        case .networkVolume: return .networkVolume
        case .template: return .template
        case .endpoint: return .endpoint
        case .pod: return .pod
        case .cluster: return .cluster
        }
    }

    public var name: String {
        switch self {
        case .networkVolume(let r): return r.name
        case .template(let r): return r.name
        case .endpoint(let r): return r.name
        case .pod(let r): return r.name
        case .cluster(let r): return r.name
        }
    }

    /// Creates are a `POST` to the kind's collection.
    public var method: String { "POST" }
    public var path: String { kind.collectionPath }

    /// The request body, as sent (references unresolved).
    public var body: JSONValue {
        switch self {
        case .networkVolume(let r): return Self.wire(r)
        case .template(let r): return Self.wire(r)
        case .endpoint(let r): return Self.wire(r)
        case .pod(let r): return Self.wire(r)
        case .cluster(let r): return Self.wire(r)
        }
    }

    /// The id placeholder of a resource created earlier in the same apply.
    public static func reference(_ kind: ResourceKind, _ name: String) -> String { "${\(kind.rawValue).\(name).id}" }

    /// A request DTO as JSON; they hold strings, numbers and arrays only, which always encode.
    static func wire<T: Encodable>(_ value: T) -> JSONValue {
        do { return try JSONValue(encoding: value) } catch { preconditionFailure("\(T.self) does not encode: \(error)") }
    }

    /// Encodes the body alone (the plan JSON's `resources[].body`).
    func encodeBody<Key: CodingKey>(to container: inout KeyedEncodingContainer<Key>, forKey key: Key) throws {
        switch self {
        case .networkVolume(let r): try container.encode(r, forKey: key)
        case .template(let r): try container.encode(r, forKey: key)
        case .endpoint(let r): try container.encode(r, forKey: key)
        case .pod(let r): try container.encode(r, forKey: key)
        case .cluster(let r): try container.encode(r, forKey: key)
        }
    }

    /// Decodes a body of `kind` (a saved plan's `resources[].body`).
    init<Key: CodingKey>(kind: ResourceKind, from container: KeyedDecodingContainer<Key>, forKey key: Key) throws {
        switch kind {
        case .networkVolume: self = .networkVolume(try container.decode(CreateNetworkVolumeRequest.self, forKey: key))
        case .template: self = .template(try container.decode(CreateTemplateRequest.self, forKey: key))
        case .endpoint: self = .endpoint(try container.decode(CreateEndpointRequest.self, forKey: key))
        case .pod: self = .pod(try container.decode(CreatePodRequest.self, forKey: key))
        case .cluster: self = .cluster(try container.decode(CreateClusterRequest.self, forKey: key))
        }
    }
}

/// As `{"kind": ..., "body": ...}` (a change set's create bodies).
extension PlannedRequest: Codable {
    enum CodingKeys: String, CodingKey { case kind, body }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(kind: try c.decode(ResourceKind.self, forKey: .kind), from: c, forKey: .body)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try encodeBody(to: &c, forKey: .body)
    }
}

extension PlannedRequest {
    /// The GPU type a create asks RunPod for, in its availability context (pods; nil otherwise).
    var gpuUse: GPUAvailability.Use? {
        switch self {
        case .pod(let r): return GPUAvailability.Use(.pod, gpu: r.gpu.id)
        case .cluster(let r): return GPUAvailability.Use(.cluster, gpu: r.compute.gpuTypeId)
        default: return nil
        }
    }
}
