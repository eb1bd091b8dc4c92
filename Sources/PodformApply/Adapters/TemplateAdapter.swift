import RunPodAPI

/// Templates (`/v2/templates`): the container endpoints and pods start from. A template is the
/// spec's when its env carries the spec's markers, whatever its name. Its fields, name included, update
/// in place; RunPod copies a
/// template at create and keeps no link (OpenAPI v2 `CreateEndpointRequest.templateId`,
/// `CreatePodRequest.templateId`), so what runs is patched by the endpoint and pod adapters.
enum TemplateAdapter: ResourceAdapter {
    static let kind = ResourceKind.template
    /// `serverless` and `category` are compared where RunPod reports them: a pod needs a pod
    /// template and an endpoint a serverless one (422 otherwise), so a mode switch flips them.
    static let fieldClasses = FieldClasses(inPlace: ["name", "image", "env", "ports", "disk", "args", "serverless", "category"])
    static var live: WritableKeyPath<LiveState, [Template]> { \.templates }
    static var owned: WritableKeyPath<OwnedResources, [Template]> { \.templates }

    static func list(_ client: RunPodClient) async throws -> [Template] { try await client.listTemplates() }

    static func recognize(_ all: [Template], _ context: inout OwnershipContext) -> [Template] {
        let name = context.names.template
        let mine = all.filter { $0.name == name ? context.ours(kind, $0.id, name, $0.env, viaTemplate: false) : context.oursRenamed($0.env) }
        return plannedNameFirst(mine, planned: { $0.name == name }, id: \.id)
    }

    static func fingerprint(_ t: Template) -> String { "t:\(t.id):\(stableHash(encodeSorted(t)))" }

    static func diff(_ request: CreateTemplateRequest, _ context: inout DiffContext) {
        guard let live = context.owned.templates.first else {
            create(.template(request), &context)
            return
        }
        for t in context.owned.templates.dropFirst() {
            context.notes.append(duplicateNote(kind, t.name, t.id, managed: "podform manages template \(live.name ?? live.id) (\(live.id))"))
        }
        var current: [String: JSONValue] = [
            "name": live.name.map { .string($0) } ?? .null,
            "image": live.image.map { .string($0) } ?? .null, "env": .object((live.env ?? [:]).mapValues { .string($0) }),
            "ports": .array((live.ports ?? []).map { .string($0) }), "disk": live.disk.map { .int($0) } ?? .null,
            "args": live.args.flatMap { $0.isEmpty ? nil : JSONValue.string($0) } ?? .null  // "" = no args
        ]
        var desired: [String: JSONValue] = [:]
        if case .object(let o) = PlannedRequest.wire(request) { desired = o }
        if desired["args"] == nil { desired["args"] = .null }
        // Fields RunPod does not report are not compared.
        var keys = fieldClasses.inPlace.filter { $0 != "serverless" && $0 != "category" }
        if let serverless = live.serverless { current["serverless"] = .bool(serverless); keys.append("serverless") }
        if let category = live.category { current["category"] = .string(category); keys.append("category") }
        var diffs = compare(.object(current), .object(desired), keys: keys)
        // The env PATCH sends the whole env: keys the plan does not set go, and the plan says so.
        let extra = extraEnvKeys(live: live.env, desired: request.env)
        if diffs.contains(where: { $0.path.hasPrefix("env.") }) {
            diffs += envRemovals(extra, live: live.env)
        } else if !extra.isEmpty {
            context.notes.append(extraEnvNote(kind, request.name, extra))
        }
        guard !diffs.isEmpty else { return context.noop(kind, request.name, id: live.id) }
        var patch: [String: JSONValue] = [:]
        for key in patchKeys(diffs) { patch[key] = desired[key] ?? .null }
        if patch["args"] == .null { patch["args"] = "" }  // clears arguments the plan no longer has
        let renameOnly = diffs.allSatisfy { $0.path == "name" }
        context.changes.append(
            Change(
                kind: kind, name: request.name, action: .update, id: live.id, fields: diffs,
                impact: renameOnly
                    ? "renamed in place; nothing restarts"
                    : "new resources start from it; RunPod does not pass template edits on, so podform patches the running ones below",
                patch: .object(patch.filter { $0.value != .null })))
    }

    static func destroy(_ owned: OwnedResources, allowDestroyVolumes: Bool, into changes: inout [Change], notes: inout [String]) {
        for t in owned.templates { changes.append(Change(kind: kind, name: t.name ?? t.id, action: .delete, id: t.id, fields: [])) }
    }

    static func update(_ id: String, _ patch: JSONValue, client: RunPodClient) async throws { _ = try await client.updateTemplate(id, patch) }
    static func delete(_ id: String, client: RunPodClient) async throws { try await client.deleteTemplate(id) }
}
