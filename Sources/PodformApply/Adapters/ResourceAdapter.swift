import RunPodAPI

/// Everything podform knows about one kind of RunPod resource apart from its create body
/// (`RunPodResources`): where its live copies are kept, which of them a spec owns, how its fields
/// diff (in place, restart, replace), and the calls that update and delete it.
///
/// One conformance per kind (`NetworkVolumeAdapter`, `TemplateAdapter`, `EndpointAdapter`,
/// `PodAdapter`); `ResourceKind.adapter` finds it, and the orders below say when each kind runs.
protocol ResourceAdapter {
    /// The create request (a RunPodAPI DTO).
    associatedtype Request: Sendable & Hashable
    /// The live resource (a RunPodAPI DTO).
    associatedtype Live: Sendable

    static var kind: ResourceKind { get }
    /// Which fields update in place, restart the resource, or replace it.
    static var fieldClasses: FieldClasses { get }

    /// Every resource of this kind on the account (one list call).
    static func list(_ client: RunPodClient) async throws -> [Live]
    /// Where live state and a spec's owned resources keep this kind.
    static var live: WritableKeyPath<LiveState, [Live]> { get }
    static var owned: WritableKeyPath<OwnedResources, [Live]> { get }
    /// The ones the spec owns, in the ownership pass (`ResourceKind.ownershipOrder`).
    static func recognize(_ all: [Live], _ context: inout OwnershipContext) -> [Live]
    /// Which network volumes resources of this kind that the spec does not own mount (volume id ->
    /// "pod podform-x"): such a volume is never the spec's.
    static func volumeUsers(in state: LiveState, except owned: OwnedResources) -> [String: String]
    /// What a saved plan's fingerprint records of one owned resource.
    static func fingerprint(_ live: Live) -> String

    /// The planned request against what the spec owns.
    static func diff(_ request: Request, _ context: inout DiffContext)
    /// Deletes of what the spec owns of this kind that the plan no longer has.
    static func removeUnplanned(_ context: inout DiffContext)
    /// Everything the spec owns of this kind, as deletes (`destroy`, prune).
    static func destroy(_ owned: OwnedResources, allowDestroyVolumes: Bool, into changes: inout [Change], notes: inout [String])

    static func update(_ id: String, _ patch: JSONValue, client: RunPodClient) async throws
    static func delete(_ id: String, client: RunPodClient) async throws
}

/// A kind's fields by what changing them does (`Specs/state.md`, "Diff"). Paths are wire paths.
struct FieldClasses: Sendable {
    /// Patched in place; the resource keeps running.
    var inPlace: [String] = []
    /// Patched in place; the resource restarts (a pod's container disk is wiped).
    var restart: [String] = []
    /// Cannot change in place: a new resource replaces the old one.
    var replace: [String] = []
}

extension ResourceKind {
    /// Creates and updates run in this order; deletes in the reverse.
    static let applyOrder: [ResourceKind] = [.networkVolume, .template, .endpoint, .pod, .cluster]
    /// Listed and recognized in this order: endpoints and pods may be owned through an owned
    /// template, and a volume is foreign when an endpoint or pod podform does not own mounts it.
    static let ownershipOrder: [ResourceKind] = [.template, .endpoint, .pod, .cluster, .networkVolume]

    var adapter: any ResourceAdapter.Type {
        switch self {
        case .networkVolume: return NetworkVolumeAdapter.self
        case .template: return TemplateAdapter.self
        case .endpoint: return EndpointAdapter.self
        case .pod: return PodAdapter.self
        case .cluster: return ClusterAdapter.self
        }
    }
}

extension ResourceAdapter {
    static var fieldClasses: FieldClasses { FieldClasses() }
    static func removeUnplanned(_ context: inout DiffContext) {}

    static func fetch(_ client: RunPodClient, into state: inout LiveState) async throws {
        state[keyPath: live] = try await list(client)
    }

    static func volumeUsers(in state: LiveState, except owned: OwnedResources) -> [String: String] { [:] }

    static func recognize(_ context: inout OwnershipContext) {
        let mine = recognize(context.state[keyPath: live], &context)
        context.owned[keyPath: owned] = mine
    }

    static func fingerprints(_ owned: OwnedResources) -> [String] { owned[keyPath: self.owned].map(fingerprint) }

    /// Records a create, unless a resource podform may not touch already has the name.
    static func create(_ request: PlannedRequest, _ context: inout DiffContext) {
        if context.collides(kind, request.name) { return }
        context.changes.append(Change(kind: kind, name: request.name, action: .create, fields: fields(nil, request.body), request: request))
    }
}
