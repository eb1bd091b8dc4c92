import RunPodAPI

/// A cluster as podform lists it: the cluster and, for one with a podform name, its member pods
/// (`GET /v2/clusters/{id}/pods`), whose env carries the markers the cluster itself cannot.
public struct LiveCluster: Sendable, Hashable {
    public var cluster: Cluster
    public var members: [Pod]

    public init(cluster: Cluster, members: [Pod]) {
        self.cluster = cluster
        self.members = members
    }

    public var id: String { cluster.id }
    /// The container every member runs (they are identical), as the first member reports it.
    public var container: Pod? { members.first }
}

/// Instant Clusters (`/v2/clusters`). A cluster is the spec's when it has the spec's name
/// (`podform-<spec>`) and its member pods carry the spec's markers (a cluster has no env of its
/// own; RunPod applies the create's container to every member). Nothing about a cluster but its
/// name can change after create (OpenAPI v2 `updateCluster` renames only), so every planned
/// difference (GPU type, GPUs per node, node count, type, image, args, env, disk, ports) is a
/// replace: the new cluster is created first, then the old one deleted, which terminates its pods.
enum ClusterAdapter: ResourceAdapter {
    static let kind = ResourceKind.cluster
    static let fieldClasses = FieldClasses(
        replace: ["compute.gpuTypeId", "compute.gpuCountPerPod", "compute.podCount", "type", "image", "args", "env", "disk", "ports"])
    static var live: WritableKeyPath<LiveState, [LiveCluster]> { \.clusters }
    static var owned: WritableKeyPath<OwnedResources, [LiveCluster]> { \.clusters }

    /// One list call, plus one member-pod call for each cluster with a podform name.
    static func list(_ client: RunPodClient) async throws -> [LiveCluster] {
        var out: [LiveCluster] = []
        for c in try await client.listClusters() {
            out.append(LiveCluster(cluster: c, members: c.name.hasPrefix("podform-") ? try await client.clusterPods(c.id) : []))
        }
        return out
    }

    static func recognize(_ all: [LiveCluster], _ context: inout OwnershipContext) -> [LiveCluster] {
        let name = context.names.cluster
        return all.filter { $0.cluster.name == name && context.ours(kind, $0.id, name, $0.container?.env, viaTemplate: false) }
    }

    static func volumeUsers(in state: LiveState, except owned: OwnedResources) -> [String: String] {
        var users: [String: String] = [:]
        for c in state.clusters where !owned.clusters.contains(where: { $0.id == c.id }) {
            for pod in c.members { for v in PodAdapter.networkVolumeIDs(pod) { users[v] = "cluster \(c.cluster.name)" } }
        }
        return users
    }

    static func fingerprint(_ c: LiveCluster) -> String {
        "c:\(c.id):\(stableHash(encodeSorted(ClusterFingerprint(compute: c.cluster.compute, type: c.cluster.type, image: c.container?.image, env: c.container?.env))))"
    }

    static func diff(_ request: CreateClusterRequest, _ context: inout DiffContext) {
        guard let live = context.owned.clusters.first(where: { $0.cluster.name == request.name }) else {
            return create(.cluster(request), &context)
        }
        let fields = changes(live, request)
        guard fields.isEmpty else {
            return context.changes.append(
                Change(
                    kind: kind, name: request.name, action: .replace, id: live.id, fields: fields,
                    reason: "an Instant Cluster's shape, type and container are fixed at create (only its name can change)",
                    impact: "a new cluster is created first; the old one is then deleted, and its pods with it",
                    request: .cluster(request)))
        }
        context.noop(kind, request.name, id: live.id)
    }

    /// The planned fields that differ from the live cluster's. Container fields are compared where
    /// the member pods report them; env only for the keys the plan sets (RunPod adds its own, such
    /// as the cluster's PRIMARY_ADDR and NODE_RANK).
    static func changes(_ live: LiveCluster, _ r: CreateClusterRequest) -> [FieldChange] {
        var out: [FieldChange] = []
        let c = live.cluster.compute
        if c.gpuTypeId != r.compute.gpuTypeId {
            out.append(FieldChange(path: "compute.gpuTypeId", old: .string(c.gpuTypeId), new: .string(r.compute.gpuTypeId)))
        }
        if c.gpuCountPerPod != r.compute.gpuCountPerPod {
            out.append(FieldChange(path: "compute.gpuCountPerPod", old: .int(c.gpuCountPerPod), new: .int(r.compute.gpuCountPerPod)))
        }
        if c.podCount != r.compute.podCount {
            out.append(FieldChange(path: "compute.podCount", old: .int(c.podCount), new: .int(r.compute.podCount)))
        }
        if live.cluster.type != r.type { out.append(FieldChange(path: "type", old: .string(live.cluster.type), new: .string(r.type))) }
        guard let pod = live.container else { return out }
        if let image = pod.image, image != r.image { out.append(FieldChange(path: "image", old: .string(image), new: .string(r.image))) }
        if let args = pod.args, args != (r.args ?? "") { out.append(FieldChange(path: "args", old: .string(args), new: .string(r.args ?? ""))) }
        if let disk = pod.disk, disk != r.disk { out.append(FieldChange(path: "disk", old: .int(disk), new: .int(r.disk))) }
        if let ports = pod.ports, ports.sorted() != r.ports.sorted() {
            out.append(FieldChange(path: "ports", old: .array(ports.map { .string($0) }), new: .array(r.ports.map { .string($0) })))
        }
        let env = pod.env ?? [:]
        // Labels are recorded at create, not compared: a label edit never replaces a cluster.
        for key in r.env.keys.sorted() where env[key] != r.env[key] && !Marker.templateOnly.contains(key) {
            out.append(FieldChange(path: "env.\(key)", old: env[key].map { .string($0) }, new: .string(r.env[key]!)))
        }
        return out
    }

    /// Owned clusters the plan no longer has (the deployment fits one machine again, or is gone).
    static func removeUnplanned(_ context: inout DiffContext) {
        let mine = context.changes.filter { $0.kind == kind }
        for c in context.owned.clusters where !mine.contains(where: { $0.id == c.id && $0.action != .delete }) {
            context.changes.append(
                Change(
                    kind: kind, name: c.cluster.name, action: .delete, id: c.id, fields: [],
                    reason: "the plan no longer has this cluster", impact: "stops serving; its pods are terminated"))
        }
    }

    static func destroy(_ owned: OwnedResources, allowDestroyVolumes: Bool, into changes: inout [Change], notes: inout [String]) {
        for c in owned.clusters {
            changes.append(
                Change(kind: kind, name: c.cluster.name, action: .delete, id: c.id, fields: [], impact: "stops serving; its pods are terminated"))
        }
    }

    static func update(_ id: String, _ patch: JSONValue, client: RunPodClient) async throws { _ = try await client.updateCluster(id, patch) }
    static func delete(_ id: String, client: RunPodClient) async throws { try await client.deleteCluster(id) }
}

/// The parts of a cluster a plan depends on.
struct ClusterFingerprint: Encodable {
    var compute: Cluster.Compute, type: String, image: String?, env: [String: String]?
}
