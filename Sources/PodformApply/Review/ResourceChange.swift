import PodformCore
import RunPodAPI

/// One resource's change in the shape of Terraform's JSON plan (`resource_changes[]`, as
/// `terraform show -json` writes it), so that policy tools written for Terraform plans read
/// podform's: an address, the actions as Terraform spells them, the resource before and after,
/// and which of its values are secrets (`Specs/plan.md`, "resource_changes").
///
/// `before` and `after` have one shape per kind: the create request's fields, with (endpoints and
/// pods) the template's container spread in as RunPod does at create (`env` merged per key, the
/// resource's own winning). `before` is that shape with every field the diff compares holding the
/// live value; fields the diff does not compare hold the planned value. A delete's `before` is the
/// live resource's `id` and `name`.
public struct ResourceChange: Sendable, Hashable, Codable {
    /// Terraform's `change` object.
    public struct Body: Sendable, Hashable, Codable {
        /// `["create"]`, `["update"]`, `["delete"]`, `["no-op"]`, or `["create", "delete"]` for a
        /// replace (podform always creates the replacement before it deletes the old resource).
        public var actions: [String]
        /// `null` for a create.
        public var before: JSONValue
        /// `null` for a delete.
        public var after: JSONValue
        /// The shape of `before` with `true` at each secret value, or `false` when none is.
        public var beforeSensitive: JSONValue
        public var afterSensitive: JSONValue
        /// The fields that force a replace, as path components (`[["gpu", "id"]]`).
        public var replacePaths: [[String]]?

        enum CodingKeys: String, CodingKey {
            case actions, before, after, beforeSensitive = "before_sensitive", afterSensitive = "after_sensitive"
            case replacePaths = "replace_paths"
        }
    }

    /// `podform_<kind>.<spec>.<name>`, e.g. `podform_endpoint.support-chat.podform-support-chat`.
    public var address: String
    /// The spec that owns the resource.
    public var spec: String
    /// `podform_<kind>` (Terraform's resource type).
    public var type: String
    public var kind: ResourceKind
    public var name: String
    /// The live resource's id; nil for a create.
    public var id: String?
    /// podform's own action (`start` and `stop` are Terraform updates of `status`).
    public var podformAction: Change.Action
    public var change: Body
    /// Terraform's `action_reason`: `replace_because_cannot_update`, `delete_because_no_resource_config`.
    public var actionReason: String?
    /// Why, in words (a replace's cause, a drift's classification).
    public var reason: String?
    /// What the change means for traffic.
    public var impact: String?

    enum CodingKeys: String, CodingKey {
        case address, spec, type, kind, name, id, podformAction = "podform_action", change
        case actionReason = "action_reason", reason, impact
    }

    /// Terraform's spelling of `action`.
    public static func actions(_ action: Change.Action) -> [String] {
        switch action {
        case .create: return ["create"]
        case .update, .start, .stop: return ["update"]
        case .replace: return ["create", "delete"]
        case .delete: return ["delete"]
        case .noop: return ["no-op"]
        }
    }

    /// The changed leaves of `before` and `after`, in path order (`workers.max`, `env.MODEL_NAME`):
    /// what the Markdown comment lists for an update or a replace. Arrays are compared whole.
    public var changedFields: [FieldChange] {
        var out: [FieldChange] = []
        func walk(_ a: JSONValue?, _ b: JSONValue?, _ path: String) {
            if case .object(let ao)? = a, case .object(let bo)? = b {
                for key in Set(ao.keys).union(bo.keys).sorted() { walk(ao[key], bo[key], path.isEmpty ? key : "\(path).\(key)") }
            } else if !same(a, b) {
                out.append(FieldChange(path: path, old: a, new: b))
            }
        }
        walk(change.before == .null ? nil : change.before, change.after == .null ? nil : change.after, "")
        return out
    }

    /// True at `path` in `before_sensitive` (`old`) or `after_sensitive`.
    public func isSensitive(_ path: String, after: Bool) -> Bool {
        var node: JSONValue? = after ? change.afterSensitive : change.beforeSensitive
        for part in path.split(separator: ".") {
            if node == .bool(true) { return true }
            node = node?[String(part)]
        }
        return node == .bool(true)
    }
}

extension ResourceChange {
    /// The changes of one deployment: its planned requests with what the change set decided (every
    /// request a create without one, as offline), then the change set's deletes.
    static func changes(spec: String, requests: [PlannedRequest], changes: ChangeSet?) -> [ResourceChange] {
        let secrets = secretEnvNames(requests)
        let template = requests.lazy.compactMap { r -> CreateTemplateRequest? in if case .template(let t) = r { return t } else { return nil } }.first
        var out: [ResourceChange] = []
        for request in requests {
            let after = effectiveState(request, template: template)
            let change = changes?.changes.first { $0.kind == request.kind && $0.name == request.name }
            out.append(make(spec: spec, kind: request.kind, name: request.name, change: change, after: after, secrets: secrets))
        }
        for c in changes?.changes ?? [] where c.action == .delete {
            out.append(make(spec: spec, kind: c.kind, name: c.name, change: c, after: .null, secrets: secrets))
        }
        return out
    }

    /// One resource: `after` as planned, `before` from the change's fields.
    static func make(
        spec: String, kind: ResourceKind, name: String, change: Change?, after planned: JSONValue,
        secrets: Set<String>
    ) -> ResourceChange {
        let action = change?.action ?? .create
        var before: JSONValue = .null, after = planned
        switch action {
        case .create: break
        case .delete:
            after = .null
            before = .object(["id": change?.id.map { .string($0) } ?? .null, "name": .string(name)])
        default:
            before = planned
            for f in change?.fields ?? [] {
                before.set(f.path, f.old)
                // Fields outside the request's shape (a pod's `status`) are shown on both sides.
                if planned.value(at: f.path) == nil { after.set(f.path, f.new) }
            }
            if action == .noop { after = before }  // kept as it is (a volume that stays in its data center)
        }
        let replacePaths = action == .replace ? change?.fields.map { $0.path.split(separator: ".").map(String.init) } : nil
        let reason: String?
        switch action {
        case .replace: reason = "replace_because_cannot_update"
        case .delete where change?.reason != nil: reason = "delete_because_no_resource_config"
        default: reason = nil
        }
        return ResourceChange(
            address: "podform_\(kind.rawValue).\(spec).\(name)", spec: spec, type: "podform_\(kind.rawValue)", kind: kind, name: name,
            id: change?.id, podformAction: action,
            change: Body(
                actions: actions(action), before: before, after: after,
                beforeSensitive: sensitivity(before, secrets), afterSensitive: sensitivity(after, secrets),
                replacePaths: replacePaths),
            actionReason: reason, reason: change?.reason, impact: change?.impact)
    }

    /// The env names podform knows hold secrets: those whose planned value is a RunPod secret
    /// reference (`deploy.secrets`, the pods' API key). A live value under such a name is a secret
    /// too, whatever it looks like.
    public static func secretEnvNames(_ requests: [PlannedRequest]) -> Set<String> {
        var names: Set<String> = []
        for r in requests {
            guard case .object(let body) = r.body, case .object(let env)? = body["env"] else { continue }
            for (name, value) in env where value.stringValue.map(SecretShape.isSecretReference) == true { names.insert(name) }
        }
        return names
    }

    /// `value`'s shape with `true` at each env value under a secret name; `false` when there is none.
    static func sensitivity(_ value: JSONValue, _ secrets: Set<String>) -> JSONValue {
        guard case .object(let env)? = value["env"] else { return false }
        let marked = env.keys.filter(secrets.contains)
        guard !marked.isEmpty else { return false }
        return .object(["env": .object(Dictionary(uniqueKeysWithValues: marked.map { ($0, JSONValue.bool(true)) }))])
    }

    /// What a resource looks like once created from `request`: its body, with an endpoint's or a
    /// pod's template container spread in (RunPod resolves the template at create; env merged per
    /// key with the resource's own winning; OpenAPI v2 `CreateEndpointRequest.templateId`).
    static func effectiveState(_ request: PlannedRequest, template: CreateTemplateRequest?) -> JSONValue {
        guard case .object(var body) = request.body else { return request.body }
        guard request.kind == .endpoint || request.kind == .pod, let template else { return request.body }
        guard case .object(let container) = PlannedRequest.wire(template) else { return request.body }
        for key in ["image", "args", "disk", "ports"] where body[key] == nil {
            if let value = container[key] { body[key] = value }
        }
        if case .object(let templateEnv)? = container["env"] {
            var env = templateEnv
            if case .object(let own)? = body["env"] { env.merge(own) { _, mine in mine } }
            body["env"] = .object(env)
        }
        return .object(body)
    }
}

extension JSONValue {
    /// The value at a dotted path (`workers.max`), if there is one.
    func value(at path: String) -> JSONValue? {
        var node: JSONValue? = self
        for part in path.split(separator: ".") { node = node?[String(part)] }
        return node
    }

    /// Sets (or, with nil, removes) the value at a dotted path, making objects on the way.
    mutating func set(_ path: String, _ value: JSONValue?) {
        let parts = path.split(separator: ".").map(String.init)
        guard let first = parts.first else { return }
        guard case .object(var o) = self else {
            if value == nil { return }
            self = .object([:])
            return set(path, value)
        }
        if parts.count == 1 {
            o[first] = value
        } else {
            var child = o[first] ?? .object([:])
            if case .object = child {} else { child = .object([:]) }
            child.set(parts.dropFirst().joined(separator: "."), value)
            o[first] = child
        }
        self = .object(o)
    }
}
