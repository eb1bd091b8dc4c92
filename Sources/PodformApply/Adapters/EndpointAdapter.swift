import RunPodAPI

/// Serverless endpoints (`/v2/serverless`). An endpoint is the spec's when it carries its markers,
/// whatever its name, or has the spec's name and reports an owned template. Its settings (name
/// included) update in place and RunPod rolls the workers; its own container (a copy of the
/// template's at create) is patched directly.
enum EndpointAdapter: ResourceAdapter {
    static let kind = ResourceKind.endpoint
    static let fieldClasses = FieldClasses(
        inPlace: ["name", "gpu", "workers", "scaling", "flashboot", "timeout", "dataCenterIds", "networkVolumes"],
        restart: ["image", "args", "env", "disk", "ports"])
    static var live: WritableKeyPath<LiveState, [Endpoint]> { \.endpoints }
    static var owned: WritableKeyPath<OwnedResources, [Endpoint]> { \.endpoints }

    static func list(_ client: RunPodClient) async throws -> [Endpoint] { try await client.listEndpoints() }

    static func recognize(_ all: [Endpoint], _ context: inout OwnershipContext) -> [Endpoint] {
        let name = context.names.endpoint
        let mine = all.filter { e in
            e.name == name
                ? context.ours(kind, e.id, name, e.env, viaTemplate: context.fromOwnedTemplate(e.env, templateID: e.templateId))
                : context.oursRenamed(e.env)
        }
        return plannedNameFirst(mine, planned: { $0.name == name }, id: \.id)
    }

    static func volumeUsers(in state: LiveState, except owned: OwnedResources) -> [String: String] {
        var users: [String: String] = [:]
        for e in state.endpoints where !owned.endpoints.contains(where: { $0.id == e.id }) {
            for v in e.networkVolumes ?? [] { users[v] = "endpoint \(e.name ?? e.id)" }
        }
        return users
    }

    static func fingerprint(_ e: Endpoint) -> String { "e:\(e.id):\(stableHash(encodeSorted(e)))" }

    static func diff(_ request: CreateEndpointRequest, _ context: inout DiffContext) {
        guard let live = context.owned.endpoints.first else {
            create(.endpoint(request), &context)
            return
        }
        for e in context.owned.endpoints.dropFirst() {
            context.notes.append(duplicateNote(kind, e.name, e.id, managed: "podform manages endpoint \(live.name ?? live.id) (\(live.id))"))
        }
        let desired = normalized(request, volumes: context.owned.volumes)
        let current: JSONValue = .object([
            "name": live.name.map { .string($0) } ?? .null, "gpu": normalizedGPU(live.gpu), "workers": live.workers ?? .null,
            "scaling": live.scaling ?? .null,
            "flashboot": live.flashboot.map { .string($0) } ?? .null, "timeout": live.timeout.map { .int($0) } ?? .null,
            "dataCenterIds": .array((live.dataCenterIds ?? []).sorted().map { .string($0) }),
            "networkVolumes": .array((live.networkVolumes ?? []).map { .string($0) })
        ])
        var diffs = compare(current, .object(desired), keys: fieldClasses.inPlace)
        // A template is a one-time source: RunPod copies it into the endpoint at create and later
        // template edits do not reach the endpoint (OpenAPI v2, CreateEndpointRequest.templateId).
        // So the endpoint's own container fields are compared and patched directly.
        let ownContainer = containerChanges(
            live: LiveContainer(image: live.image, args: live.args, env: live.env, disk: live.disk, ports: live.ports),
            desired: DesiredContainer(template: context.template, env: request.env, ownDiskAndPorts: false),
            templateUpdate: context.templateUpdate)
        diffs += ownContainer.fields
        if !ownContainer.extraEnv.isEmpty { context.notes.append(extraEnvNote(kind, request.name, ownContainer.extraEnv)) }
        leaveIdleScaleDown(&diffs, request.name, &context)
        guard !diffs.isEmpty else { return context.noop(kind, request.name, id: live.id) }
        var patch: [String: JSONValue] = [:]
        for key in patchKeys(diffs) { patch[key] = desired[key] }
        // Every v2 endpoint PATCH erases GPU exclusions unless sent (runpod-mcp #63): always send gpu.
        patch["gpu"] = desired["gpu"]
        for (key, value) in ownContainer.patch { patch[key] = value }
        context.changes.append(
            Change(
                kind: kind, name: request.name, action: .update, id: live.id, fields: diffs,
                impact: diffs.allSatisfy { $0.path == "name" }
                    ? "renamed in place; nothing restarts" : "RunPod rolls the workers to the new settings",
                patch: .object(patch)))
    }

    /// The request's settings as compared: a planned reference to the owned volume is the live
    /// volume's id; GPU exclusions and data centers sorted, defaults explicit.
    static func normalized(_ request: CreateEndpointRequest, volumes: [NetworkVolume]) -> [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        if case .object(let body) = PlannedRequest.wire(request) { o = body }
        o["networkVolumes"] = .array(request.networkVolumes == nil ? [] : volumes.map { .string($0.id) })
        o["gpu"] = normalizedGPU(o["gpu"])
        o["dataCenterIds"] = .array((request.dataCenterIds ?? []).sorted().map { .string($0) })
        return o
    }

    /// RunPod lowers an idle endpoint's max workers (to 2 after 3 days, 0 after 7): drift it causes
    /// itself, left alone (and noted) unless the spec restores it.
    static func leaveIdleScaleDown(_ diffs: inout [FieldChange], _ name: String, _ context: inout DiffContext) {
        guard let i = diffs.firstIndex(where: { $0.path == "workers.max" }),
            case .int(let liveMax)? = diffs[i].old, case .int(let wantMax)? = diffs[i].new, liveMax < wantMax, liveMax == 0 || liveMax == 2,
            !context.options.restoreIdleScaleDown
        else { return }
        diffs.remove(at: i)
        context.notes.append(
            "endpoint \(name): RunPod lowered max workers to \(liveMax) after a period without requests (idle scale-down); left as is (set deploy.restore_idle_scale_down: true to restore \(wantMax))"
        )
    }

    /// A mode switch deletes the spec's endpoint; one under another name is only noted (it may be
    /// a copy somebody made in the console).
    static func removeUnplanned(_ context: inout DiffContext) {
        guard !context.plans(kind) else { return }
        let name = ResourceNames(spec: context.deployment.name).endpoint
        for e in context.owned.endpoints where e.name != name {
            context.notes.append(duplicateNote(kind, e.name, e.id, managed: "the plan no longer uses a serverless endpoint"))
        }
        for e in context.owned.endpoints where e.name == name {
            context.changes.append(
                Change(
                    kind: kind, name: e.name ?? e.id, action: .delete, id: e.id, fields: [],
                    reason: "the plan no longer uses a serverless endpoint", impact: "the endpoint stops serving"))
        }
    }

    static func destroy(_ owned: OwnedResources, allowDestroyVolumes: Bool, into changes: inout [Change], notes: inout [String]) {
        for e in owned.endpoints {
            changes.append(Change(kind: kind, name: e.name ?? e.id, action: .delete, id: e.id, fields: [], impact: "stops serving"))
        }
    }

    static func update(_ id: String, _ patch: JSONValue, client: RunPodClient) async throws { _ = try await client.updateEndpoint(id, patch) }
    static func delete(_ id: String, client: RunPodClient) async throws { try await client.deleteEndpoint(id) }
}
