import PodformCompiler
import RunPodAPI

/// The plan JSON (`Specs/plan.md`, `Schemas/podform-plan.schema.json`): the compiled plan's
/// fields, each deployment with its `resources` (kind, name, action, method, path, body), and on a
/// live plan the fingerprint and removed deployments. Decoding reads a saved plan back: its
/// requests from the bodies, each resource's action as recorded.
extension ReviewedPlan: Codable {
    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", generatedBy = "generated_by", offline, catalogAsOf = "catalog_as_of"
        case deployments, liveFingerprint = "live_fingerprint", directories, removed, resourceChanges = "resource_changes"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(plan.formatVersion, forKey: .formatVersion)
        try c.encode(plan.generatedBy, forKey: .generatedBy)
        try c.encode(offline, forKey: .offline)
        try c.encode(plan.catalogAsOf, forKey: .catalogAsOf)
        try c.encode(deployments, forKey: .deployments)
        try c.encode(resourceChanges, forKey: .resourceChanges)
        try c.encodeIfPresent(live?.fingerprint, forKey: .liveFingerprint)
        if let live, let directories = live.directories {
            try c.encode(directories, forKey: .directories)
            try c.encode(live.removed, forKey: .removed)
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let deployments = try c.decode([ReviewedDeployment].self, forKey: .deployments)
        var plan = Plan(catalogAsOf: try c.decode(String.self, forKey: .catalogAsOf), deployments: deployments.map(\.deployment))
        plan.formatVersion = try c.decode(Int.self, forKey: .formatVersion)
        plan.generatedBy = try c.decode(String.self, forKey: .generatedBy)
        var live: LiveReview?
        if try !c.decode(Bool.self, forKey: .offline) {
            live = LiveReview(
                fingerprint: try c.decodeIfPresent(String.self, forKey: .liveFingerprint) ?? "",
                directories: try c.decodeIfPresent([String].self, forKey: .directories),
                removed: try c.decodeIfPresent([RemovedDeployment].self, forKey: .removed) ?? [])
        }
        self.init(
            plan: plan, deployments: deployments, live: live,
            resourceChanges: try c.decodeIfPresent([ResourceChange].self, forKey: .resourceChanges))
    }
}

extension ReviewedDeployment: Codable {
    enum CodingKeys: String, CodingKey { case resources, cost }

    public func encode(to encoder: Encoder) throws {
        try deployment.encode(to: encoder, liveMonthlyUSD: liveMonthlyUSD)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(resources, forKey: .resources)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let cost = try c.nestedContainer(keyedBy: Deployment.Cost.LiveKeys.self, forKey: .cost)
        self.init(
            saved: try Deployment(from: decoder), resources: try c.decode([PlannedResource].self, forKey: .resources),
            liveMonthlyUSD: try cost.decodeIfPresent(Double.self, forKey: .liveMonthlyUSD))
    }
}

extension PlannedResource: Codable {
    enum CodingKeys: String, CodingKey { case kind, name, action, method, path, body }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(name, forKey: .name)
        try c.encode(action, forKey: .action)
        try c.encode(method, forKey: .method)
        try c.encode(path, forKey: .path)
        if let request { try request.encodeBody(to: &c, forKey: .body) } else { try c.encode([String: String](), forKey: .body) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(ResourceKind.self, forKey: .kind)
        name = try c.decode(String.self, forKey: .name)
        action = try c.decode(Change.Action.self, forKey: .action)
        if action == .delete {
            let path = try c.decode(String.self, forKey: .path)
            id = path.hasPrefix(kind.collectionPath + "/") ? String(path.dropFirst(kind.collectionPath.count + 1)) : nil
        } else {
            request = try PlannedRequest(kind: kind, from: c, forKey: .body)
        }
    }
}

/// `{"spec", "scope", "resources": [{"kind", "name", "id"}]}`: what the destroy deletes.
extension RemovedDeployment: Codable {
    enum CodingKeys: String, CodingKey { case spec, scope, resources }
    struct Resource: Codable {
        var kind: ResourceKind
        var name: String
        var id: String
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spec, forKey: .spec)
        try c.encodeIfPresent(scope, forKey: .scope)
        try c.encode(
            changes.changes.filter { $0.action == .delete }.map { Resource(kind: $0.kind, name: $0.name, id: $0.id ?? "") },
            forKey: .resources)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let deletes = try c.decode([Resource].self, forKey: .resources).map {
            Change(kind: $0.kind, name: $0.name, action: .delete, id: $0.id, fields: [])
        }
        self.init(
            scope: try c.decodeIfPresent(String.self, forKey: .scope),
            changes: ChangeSet(spec: try c.decode(String.self, forKey: .spec), changes: deletes, notes: []))
    }
}
