import RunPodAPI

/// How podform recognizes what it manages (`Specs/state.md`): a template is podform's when its env
/// carries `PODFORM_MANAGED_BY=podform` and `PODFORM_SPEC=<spec name>`; endpoints and pods are
/// podform's when they carry the same markers (pods inherit them from the template's env), whatever
/// their name (a console rename keeps them; the diff renames them back), or have the spec's name and
/// use an owned template. Each also records the scope it was applied
/// from (`PODFORM_SCOPE`); a resource of the same spec name recorded under another scope belongs to
/// another directory's podform and is never adopted, updated or deleted from here.
///
/// A network volume cannot carry env markers: it is podform's when it has the spec's volume name
/// (`podform-<spec>-weights`) and nothing podform does not own (an endpoint or a pod) uses it.
public struct OwnedResources: Sendable {
    public var templates: [Template] = []
    public var endpoints: [Endpoint] = []
    public var pods: [Pod] = []
    public var volumes: [NetworkVolume] = []
    public var clusters: [LiveCluster] = []
    /// Resources with this spec's names that are not this run's to touch, with why (a foreign
    /// scope, no podform markers, a volume used by somebody else's pod). A create that would
    /// collide with one of them is refused.
    public var foreign: [ForeignResource] = []
}

/// A resource named like one of podform's that podform must not adopt.
public struct ForeignResource: Sendable, Hashable, CustomStringConvertible {
    public var kind: ResourceKind
    public var id: String
    public var name: String
    public var why: String
    public var description: String { "\(kind.rawValue) \(name) (\(id)) \(why)" }
}

public enum Marker {
    public static let managedBy = "PODFORM_MANAGED_BY"
    public static let spec = "PODFORM_SPEC"
    public static let scope = "PODFORM_SCOPE"
    public static let labels = "PODFORM_LABELS"
    /// Markers that describe the deployment rather than configure its container: compared on the
    /// template only, so a label change never restarts a pod.
    static let templateOnly: Set<String> = [labels]

    static func owner(_ env: [String: String]?) -> String? {
        env?[Marker.managedBy] == "podform" ? env?[Marker.spec] : nil
    }

    /// The markers on a resource, if it is podform's.
    public static func marks(_ env: [String: String]?) -> OwnerMarks? {
        guard let spec = owner(env) else { return nil }
        return OwnerMarks(
            spec: spec, scope: env?[scope].flatMap { $0.isEmpty ? nil : $0 },
            labels: env?[labels].map(OwnerMarks.decodeLabels))
    }
}

extension LiveState {
    /// What spec `spec` owns when applied from `scope` (nil: any scope, for commands that are
    /// given no scope; resources recorded under no scope are adopted by every scope).
    ///
    /// `adoptUnscoped: false` (prune) leaves out resources that recorded no scope. Each kind's
    /// adapter recognizes its own (`ResourceAdapter.recognize`), in `ResourceKind.ownershipOrder`.
    public func ownedResources(spec: String, scope: String? = nil, adoptUnscoped: Bool = true) -> OwnedResources {
        var context = OwnershipContext(spec: spec, scope: scope, adoptUnscoped: adoptUnscoped, state: self)
        for kind in ResourceKind.ownershipOrder { kind.adapter.recognize(&context) }
        var owned = context.owned
        owned.foreign = context.foreign
        return owned
    }

    /// Spec names that own something on the account.
    public func ownerSpecs() -> Set<String> {
        Set(
            templates.compactMap { Marker.owner($0.env) } + endpoints.compactMap { Marker.owner($0.env) } + pods.compactMap { Marker.owner($0.env) }
                + clusters.compactMap { Marker.owner($0.container?.env) })
    }

    /// Every podform deployment on the account, by spec name and recorded scope, with its labels
    /// (from its template) — what prune decides over.
    public func ownerMarks() -> [OwnerMarks] {
        var byKey: [String: OwnerMarks] = [:]
        func add(_ env: [String: String]?, labelsFromHere: Bool) {
            guard var marks = Marker.marks(env) else { return }
            let key = marks.spec + "\u{0}" + (marks.scope ?? "")
            if !labelsFromHere { marks.labels = nil }
            if var existing = byKey[key] {
                if existing.labels == nil { existing.labels = marks.labels }
                byKey[key] = existing
            } else {
                byKey[key] = marks
            }
        }
        for t in templates { add(t.env, labelsFromHere: true) }
        for e in endpoints { add(e.env, labelsFromHere: false) }
        for p in pods where p.status != "TERMINATED" { add(p.env, labelsFromHere: false) }
        for c in clusters { add(c.container?.env, labelsFromHere: true) }
        return byKey.values.sorted { ($0.spec, $0.scope ?? "") < ($1.spec, $1.scope ?? "") }
    }
}

/// One spec's ownership pass over the account: what each kind's adapter has recognized so far, and
/// what it found with the spec's names that is not this run's to touch.
struct OwnershipContext {
    let spec: String
    let scope: String?
    let adoptUnscoped: Bool
    let state: LiveState
    var names: ResourceNames { ResourceNames(spec: spec) }
    var owned = OwnedResources()
    var foreign: [ForeignResource] = []

    init(spec: String, scope: String?, adoptUnscoped: Bool, state: LiveState) {
        self.spec = spec
        self.scope = scope
        self.adoptUnscoped = adoptUnscoped
        self.state = state
    }

    /// Ours: the markers name this spec, and the recorded scope (if any) is this run's. Without
    /// markers, a resource is ours only `viaTemplate` (created from an owned template).
    mutating func ours(_ kind: ResourceKind, _ id: String, _ name: String, _ env: [String: String]?, viaTemplate: Bool) -> Bool {
        guard let marks = Marker.marks(env), marks.spec == spec else {
            if viaTemplate { return true }
            foreign.append(ForeignResource(kind: kind, id: id, name: name, why: "carries no podform markers for spec \(spec)"))
            return false
        }
        if let scope, let recorded = marks.scope, recorded != scope {
            foreign.append(ForeignResource(kind: kind, id: id, name: name, why: "is managed from scope \(recorded), not \(scope)"))
            return false
        }
        return inScope(marks)
    }

    /// Ours under another name (renamed in the console): only by the resource's own markers for
    /// this spec and scope, exactly as `ours` decides, never through a template reference (a
    /// resource with no markers is adopted only under the spec's name). Nothing is recorded as
    /// foreign: a differently named resource never collides with a create.
    func oursRenamed(_ env: [String: String]?) -> Bool {
        guard let marks = Marker.marks(env), marks.spec == spec else { return false }
        if let scope, let recorded = marks.scope, recorded != scope { return false }
        return inScope(marks)
    }

    private func inScope(_ marks: OwnerMarks) -> Bool {
        !(scope != nil && marks.scope == nil && !adoptUnscoped)
    }

    /// A resource with no markers of its own created from one of the spec's templates.
    func fromOwnedTemplate(_ env: [String: String]?, templateID: String?) -> Bool {
        Marker.owner(env) == nil && owned.templates.contains { $0.id == templateID }
    }

    /// Which resource podform does not own here uses each network volume (by volume id).
    func foreignVolumeUsers() -> [String: String] {
        var users: [String: String] = [:]
        for kind in ResourceKind.ownershipOrder {
            users.merge(kind.adapter.volumeUsers(in: state, except: owned)) { _, later in later }
        }
        return users
    }
}
