import Foundation
import PodformCompiler
import PodformCore
import RunPodAPI

/// Options that change what a diff may propose.
public struct DiffOptions: Sendable {
    /// Restore max workers RunPod lowered on an idle endpoint (spec `deploy.restore_idle_scale_down`).
    public var restoreIdleScaleDown = false
    /// Allow deleting or replacing network volumes (their data is lost).
    public var allowDestroyVolumes = false
    /// "Now", for deployments with a schedule (`traffic.schedule`); nil: always inside it.
    public var now: Date?
    public init(restoreIdleScaleDown: Bool = false, allowDestroyVolumes: Bool = false, now: Date? = nil) {
        self.restoreIdleScaleDown = restoreIdleScaleDown
        self.allowDestroyVolumes = allowDestroyVolumes
        self.now = now
    }
}

/// Compares a deployment's desired resources with what the spec owns on RunPod. Pure.
public func diff(_ d: Deployment, live: LiveState, options: DiffOptions = DiffOptions()) -> ChangeSet {
    diff(d, requests: RunPodResources.requests(for: d), live: live, options: options)
}

/// Compares the planned requests of a deployment (`RunPodResources.requests(for:)`) with what the
/// spec owns on RunPod, kind by kind (each kind's adapter holds its field classes; `Specs/state.md`).
/// Pure.
///
/// Template fields update in place, but RunPod copies a template into an endpoint or pod at create
/// and keeps no link, so running endpoints and pods get their own container PATCH; endpoint fields
/// update in place (RunPod rolls the workers); pod container fields update in place (the container
/// restarts and its disk is wiped); a pod's GPU type, count, cloud or data center cannot change in
/// place: replace, create-before-destroy. Network volumes grow in place, never shrink, and are
/// replaced or deleted only with `allowDestroyVolumes`.
public func diff(_ d: Deployment, requests: [PlannedRequest], live: LiveState, options: DiffOptions = DiffOptions()) -> ChangeSet {
    var context = DiffContext(deployment: d, requests: requests, owned: live.ownedResources(spec: d.name, scope: d.scope), options: options)
    for request in requests {
        switch request {
        case .networkVolume(let r): NetworkVolumeAdapter.diff(r, &context)
        case .template(let r): TemplateAdapter.diff(r, &context)
        case .endpoint(let r): EndpointAdapter.diff(r, &context)
        case .pod(let r): PodAdapter.diff(r, &context)
        case .cluster(let r): ClusterAdapter.diff(r, &context)
        }
    }
    // Owned resources the plan no longer wants: extra pods, a pod deployment that became serverless, etc.
    for kind in ResourceKind.applyOrder.reversed() { kind.adapter.removeUnplanned(&context) }
    let secrets = ResourceChange.secretEnvNames(requests)
    return ChangeSet(
        spec: d.name, changes: context.changes.map { hidingSecrets($0, secretNames: secrets) }, notes: context.notes,
        errors: context.errors)
}

/// One deployment's diff so far: each kind's adapter adds its changes, notes and errors.
struct DiffContext {
    let deployment: Deployment
    let requests: [PlannedRequest]
    let owned: OwnedResources
    let options: DiffOptions
    var changes: [Change] = []
    var notes: [String] = []
    var errors: [String] = []

    init(deployment: Deployment, requests: [PlannedRequest], owned: OwnedResources, options: DiffOptions) {
        self.deployment = deployment
        self.requests = requests
        self.owned = owned
        self.options = options
    }

    /// The planned template, which endpoints and pods start from.
    var template: CreateTemplateRequest? {
        for case .template(let t) in requests { return t }
        return nil
    }

    /// The template's own update, if the diff found one (diffed before endpoints and pods).
    var templateUpdate: Change? { changes.first { $0.kind == .template && $0.action == .update } }

    func plans(_ kind: ResourceKind) -> Bool { requests.contains { $0.kind == kind } }

    /// A create whose name a resource podform may not touch already has: refused, naming it.
    mutating func collides(_ kind: ResourceKind, _ name: String) -> Bool {
        let taken = owned.foreign.filter { $0.kind == kind && $0.name == name }
        for f in taken {
            errors.append(
                "\(kind.rawValue) \(name) cannot be created: the name is taken by \(f); podform does not adopt it. Rename the spec, or remove or rename that resource"
            )
        }
        return !taken.isEmpty
    }

    mutating func noop(_ kind: ResourceKind, _ name: String, id: String) {
        changes.append(Change(kind: kind, name: name, action: .noop, id: id, fields: []))
    }
}

/// A change with live env values that may be secrets hidden from its displayed fields (plans end up
/// in PR comments and CI logs). Planned values are podform's own `{{ RUNPOD_SECRET_* }}` references
/// and stay; a live value is shown only when it is not under a name the plan holds a secret in
/// (`secretNames`) and neither its name nor its shape looks secret. The PATCH body is untouched: it
/// carries only planned values.
func hidingSecrets(_ change: Change, secretNames: Set<String> = []) -> Change {
    var change = change
    change.fields = change.fields.map { field in
        guard field.path.hasPrefix("env.") else { return field }
        let name = String(field.path.dropFirst(4))
        var field = field
        for keyPath in [\FieldChange.old, \FieldChange.new] {
            guard case .string(let value)? = field[keyPath: keyPath] else { continue }
            if SecretShape.mayBeSecret(name: name, value: value)
                || (secretNames.contains(name) && !SecretShape.isSecretReference(value) && !value.isEmpty)
            {
                field[keyPath: keyPath] = .string("(sensitive value hidden)")
            }
        }
        return field
    }
    return change
}

/// Deletes everything a spec owns, in reverse apply order (`podform destroy`, `--prune`).
public func destroyChanges(spec: String, live: LiveState, allowDestroyVolumes: Bool, scope: String? = nil, adoptUnscoped: Bool = true) -> ChangeSet {
    let owned = live.ownedResources(spec: spec, scope: scope, adoptUnscoped: adoptUnscoped)
    var changes: [Change] = []
    var notes: [String] = []
    for kind in ResourceKind.applyOrder.reversed() {
        kind.adapter.destroy(owned, allowDestroyVolumes: allowDestroyVolumes, into: &changes, notes: &notes)
    }
    return ChangeSet(spec: spec, changes: changes, notes: notes)
}
