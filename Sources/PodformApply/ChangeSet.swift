import Foundation
import RunPodAPI

/// One field that differs between the plan and RunPod.
public struct FieldChange: Sendable, Codable, Hashable {
    public var path: String
    public var old: JSONValue?
    public var new: JSONValue?
}

/// What apply will do to one resource.
public struct Change: Sendable, Codable, Hashable {
    public enum Action: String, Sendable, Codable {
        case create, update, replace, delete, noop = "no-op"
        /// Pod lifecycle (`POST /v2/pods/{id}/action`): a stopped pod that should run, or a pod
        /// outside its schedule's hours.
        case start, stop
    }
    public var kind: ResourceKind
    public var name: String
    public var action: Action
    /// The live resource's id (update, replace, delete, no-op).
    public var id: String?
    public var fields: [FieldChange]
    /// Why (a replace's cause, a drift's classification).
    public var reason: String?
    /// What the change means for traffic.
    public var impact: String?
    /// The create request (create, replace), with `${kind.name.id}` references.
    public var request: PlannedRequest?
    /// The PATCH body (update).
    public var patch: JSONValue?

    public init(
        kind: ResourceKind, name: String, action: Action, id: String? = nil, fields: [FieldChange], reason: String? = nil,
        impact: String? = nil, request: PlannedRequest? = nil, patch: JSONValue? = nil
    ) {
        self.kind = kind
        self.name = name
        self.action = action
        self.id = id
        self.fields = fields
        self.reason = reason
        self.impact = impact
        self.request = request
        self.patch = patch
    }
}

/// The ordered changes for one spec (`diff` output, `apply` input).
public struct ChangeSet: Sendable, Codable, Hashable {
    public var spec: String
    public var changes: [Change]
    /// Notes on drift podform leaves alone, and protections that held.
    public var notes: [String]
    /// Why this spec cannot be applied as planned (a name taken by a resource podform does not own
    /// here). A change set with errors is never applied.
    public var errors: [String] = []

    public init(spec: String, changes: [Change], notes: [String], errors: [String] = []) {
        self.spec = spec
        self.changes = changes
        self.notes = notes
        self.errors = errors
    }

    public var hasChanges: Bool { changes.contains { $0.action != .noop } }
    public func count(_ action: Change.Action) -> Int { changes.filter { $0.action == action }.count }
}
