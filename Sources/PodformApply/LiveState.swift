import Foundation
import RunPodAPI

/// What exists on RunPod, fetched once per kind (5 list calls, however many specs are planned, plus
/// one member-pod call per podform-named cluster).
public struct LiveState: Sendable {
    public var templates: [Template]
    public var endpoints: [Endpoint]
    public var pods: [Pod]
    public var volumes: [NetworkVolume]
    /// Instant Clusters, with the member pods of those named like podform's.
    public var clusters: [LiveCluster]

    public init(
        templates: [Template] = [], endpoints: [Endpoint] = [], pods: [Pod] = [], volumes: [NetworkVolume] = [],
        clusters: [LiveCluster] = []
    ) {
        self.templates = templates
        self.endpoints = endpoints
        self.pods = pods
        self.volumes = volumes
        self.clusters = clusters
    }

    /// Lists every kind once, one after the other (a failure stops the fetch without cancelling
    /// requests in flight).
    public static func fetch(_ client: RunPodClient) async throws -> LiveState {
        var state = LiveState()
        for kind in ResourceKind.ownershipOrder { try await kind.adapter.fetch(client, into: &state) }
        return state
    }

    /// A fingerprint of the live resources a set of specs owns, to refuse stale saved plans.
    public func fingerprint(specs: [String]) -> String {
        var parts: [String] = []
        for spec in specs.sorted() {
            let owned = ownedResources(spec: spec)
            parts.append(spec)
            for kind in ResourceKind.ownershipOrder { parts += kind.adapter.fingerprints(owned) }
        }
        return String(stableHash(parts.joined(separator: "|")), radix: 16)
    }
}

/// The parts of a pod that a plan depends on (not its status, which changes on its own).
struct PodFingerprint: Encodable {
    var name: String?, image: String?, gpu: JSONValue?, cloud: String?, disk: Int?, env: [String: String]?, ports: [String]?
    init(pod: Pod) { name = pod.name; image = pod.image; gpu = pod.gpu; cloud = pod.cloud; disk = pod.disk; env = pod.env; ports = pod.ports }
}

func encodeSorted<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
}

/// FNV-1a 64: a stable, dependency-free content hash (not a security boundary).
public func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}
