import Foundation
import PodformCatalog
import PodformCompiler
import RunPodAPI

/// A plan as podform shows and saves it: the compiled plan, each deployment's RunPod create
/// requests (`RunPodResources`) and, when it was diffed against RunPod, what applying it changes.
///
/// Text, JSON and Markdown render from this one value, and the plan JSON (`plan --format json`,
/// saved plans; `Schemas/podform-plan.schema.json`) is its encoding. Nothing changes the compiled
/// plan after compile: what the review learns from RunPod lives beside it.
public struct ReviewedPlan: Sendable {
    /// The compiled plan.
    public let plan: Plan
    /// One per `plan.deployments`, in order.
    public let deployments: [ReviewedDeployment]
    /// What the review read from RunPod; nil offline.
    public let live: LiveReview?
    /// Every resource's change in Terraform's plan shape (the JSON's `resource_changes`): the
    /// deployments' resources in apply order, then the destroys of removed specs.
    public let resourceChanges: [ResourceChange]

    /// True when planned without live RunPod state (every resource is a create).
    public var offline: Bool { live == nil }

    /// Every change set: the deployments', then the destroys of specs removed from a planned
    /// directory. Nil when there are none to show: offline, or a saved plan (which records each
    /// resource's action, not the change set).
    public var changeSets: [ChangeSet]? {
        guard let live else { return nil }
        let sets = deployments.compactMap(\.changes)
        guard sets.count == deployments.count else { return nil }
        return sets + live.removed.map(\.changes)
    }

    /// Offline: each deployment's requests, every one a create.
    public init(offline plan: Plan) {
        self.plan = plan
        deployments = plan.deployments.map { ReviewedDeployment($0, requests: RunPodResources.requests(for: $0)) }
        live = nil
        resourceChanges = Self.resourceChanges(deployments, removed: [])
    }

    /// Against live state: each deployment's requests diffed with what its spec owns (`diff`), what
    /// runs now priced (`liveMonthlyCost`), and a fingerprint of the live resources the specs own
    /// (a saved plan is refused once it changes).
    ///
    /// - Parameters:
    ///   - directories: directories planned as a whole (`plan DIR`), whose removed specs' deployments
    ///     (`removed`) are destroyed.
    public init(
        _ plan: Plan, live state: LiveState, options: DiffOptions = DiffOptions(), gpus: GPUCatalog? = nil,
        directories: [String]? = nil, removed: [RemovedDeployment] = []
    ) {
        self.plan = plan
        deployments = plan.deployments.map { d in
            let requests = RunPodResources.requests(for: d)
            return ReviewedDeployment(
                d, requests: requests, changes: diff(d, requests: requests, live: state, options: options),
                liveMonthlyUSD: gpus.flatMap { liveMonthlyCost(d, live: state, gpus: $0) })
        }
        live = LiveReview(
            fingerprint: state.fingerprint(specs: plan.deployments.map(\.name) + removed.map(\.spec)),
            directories: directories, removed: directories == nil ? [] : removed)
        resourceChanges = Self.resourceChanges(deployments, removed: live?.removed ?? [])
    }

    /// A saved plan: its resource changes as recorded (nil: rebuilt from the recorded resources).
    init(plan: Plan, deployments: [ReviewedDeployment], live: LiveReview?, resourceChanges: [ResourceChange]?) {
        self.plan = plan
        self.deployments = deployments
        self.live = live
        self.resourceChanges =
            resourceChanges
            ?? deployments.flatMap { d in
                d.resources.map { r in
                    ResourceChange.make(
                        spec: d.deployment.name, kind: r.kind, name: r.name,
                        change: Change(kind: r.kind, name: r.name, action: r.action, id: r.id, fields: []),
                        after: r.request?.body ?? .null, secrets: ResourceChange.secretEnvNames(d.requests))
                }
            }
    }

    /// Each deployment's resource changes, then the removed specs' deletes.
    static func resourceChanges(_ deployments: [ReviewedDeployment], removed: [RemovedDeployment]) -> [ResourceChange] {
        deployments.flatMap { ResourceChange.changes(spec: $0.deployment.name, requests: $0.requests, changes: $0.changes) }
            + removed.flatMap { ResourceChange.changes(spec: $0.spec, requests: [], changes: $0.changes) }
    }

    /// The resource changes of one spec.
    public func resourceChanges(spec: String) -> [ResourceChange] { resourceChanges.filter { $0.spec == spec } }
}

/// One deployment of a reviewed plan.
public struct ReviewedDeployment: Sendable {
    public let deployment: Deployment
    /// Its create requests, in apply order.
    public let requests: [PlannedRequest]
    /// What applying it changes; nil offline and in a saved plan.
    public let changes: ChangeSet?
    /// What runs now costs per month (`cost.live_monthly_usd` in the JSON), when known.
    public let liveMonthlyUSD: Double?
    /// Each planned resource with what happens to it, then the deletes: the JSON's `resources`.
    public let resources: [PlannedResource]

    init(_ deployment: Deployment, requests: [PlannedRequest], changes: ChangeSet? = nil, liveMonthlyUSD: Double? = nil) {
        self.deployment = deployment
        self.requests = requests
        self.changes = changes
        self.liveMonthlyUSD = liveMonthlyUSD
        resources = PlannedResource.resources(requests, changes: changes)
    }

    /// A saved plan's deployment: its resources as recorded.
    init(saved deployment: Deployment, resources: [PlannedResource], liveMonthlyUSD: Double?) {
        self.deployment = deployment
        requests = resources.compactMap(\.request)
        changes = nil
        self.liveMonthlyUSD = liveMonthlyUSD
        self.resources = resources
    }
}

/// A resource of a reviewed deployment and what happens to it.
public struct PlannedResource: Sendable, Hashable {
    public var kind: ResourceKind
    public var name: String
    public var action: Change.Action
    /// The create request (every action but a delete).
    public var request: PlannedRequest?
    /// The live resource's id (a delete).
    public var id: String?

    public var method: String { request?.method ?? "DELETE" }
    public var path: String { request?.path ?? "\(kind.collectionPath)/\(id ?? "")" }
    public var body: JSONValue { request?.body ?? .object([:]) }

    /// Each request with the action its change has (a create when it has none), then the deletes.
    static func resources(_ requests: [PlannedRequest], changes: ChangeSet?) -> [PlannedResource] {
        let all = changes?.changes ?? []
        var out = requests.map { r in
            PlannedResource(
                kind: r.kind, name: r.name, action: all.first { $0.kind == r.kind && $0.name == r.name }?.action ?? .create,
                request: r, id: nil)
        }
        for c in all where c.action == .delete { out.append(PlannedResource(kind: c.kind, name: c.name, action: .delete, request: nil, id: c.id)) }
        return out
    }
}

/// What a review read from RunPod.
public struct LiveReview: Sendable {
    /// Of the live resources the planned (and removed) specs own (`LiveState.fingerprint`).
    public var fingerprint: String
    /// Directories planned as a whole (`plan DIR`), if any.
    public var directories: [String]?
    /// Deployments recorded under a planned directory's scope whose spec is no longer there.
    public var removed: [RemovedDeployment]
}

/// A deployment whose spec left a planned directory: its destroy.
public struct RemovedDeployment: Sendable {
    public var scope: String?
    public var changes: ChangeSet
    public var spec: String { changes.spec }

    public init(scope: String?, changes: ChangeSet) {
        self.scope = scope
        self.changes = changes
    }
}
