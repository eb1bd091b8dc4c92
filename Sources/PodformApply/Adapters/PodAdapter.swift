import RunPodAPI

/// Pods (`/v2/pods`). A pod is the spec's when it carries its markers, whatever its name, or has one
/// of the spec's pod names and reports an owned template; terminated pods and cluster members are
/// ignored. A renamed pod takes the place of a planned pod no pod has the name of, and is renamed
/// back in place. Container fields update in place (the container restarts, its disk is wiped);
/// GPU type, count, cloud and data center cannot: a replace, create-before-destroy. A stopped pod
/// is drift (`start`); outside its schedule a pod is stopped (`stop`) and otherwise left alone.
enum PodAdapter: ResourceAdapter {
    static let kind = ResourceKind.pod
    static let fieldClasses = FieldClasses(restart: ["image", "args", "env", "disk"], replace: ["gpu.id", "gpu.count", "cloud", "dataCenterIds"])
    static var live: WritableKeyPath<LiveState, [Pod]> { \.pods }
    static var owned: WritableKeyPath<OwnedResources, [Pod]> { \.pods }

    static func list(_ client: RunPodClient) async throws -> [Pod] { try await client.listPods() }

    static func recognize(_ all: [Pod], _ context: inout OwnershipContext) -> [Pod] {
        let names = context.names
        let mine = all.filter { p in
            guard p.status != "TERMINATED" else { return false }
            guard let name = p.name, names.isPodName(name) else { return (p.cluster ?? .null) == .null && context.oursRenamed(p.env) }
            return context.ours(kind, p.id, name, p.env, viaTemplate: context.fromOwnedTemplate(p.env, templateID: p.template))
        }
        return plannedNameFirst(mine, planned: { names.isPodName($0.name ?? "") }, id: \.id)
    }

    static func volumeUsers(in state: LiveState, except owned: OwnedResources) -> [String: String] {
        var users: [String: String] = [:]
        for p in state.pods where p.status != "TERMINATED" && !owned.pods.contains(where: { $0.id == p.id }) {
            for v in networkVolumeIDs(p) { users[v] = "pod \(p.name ?? p.id)" }
        }
        return users
    }

    /// The network volumes a pod mounts (`mounts.network[].volumeId`).
    static func networkVolumeIDs(_ pod: Pod) -> [String] {
        guard case .array(let mounts)? = pod.mounts?["network"] else { return [] }
        return mounts.compactMap { $0["volumeId"]?.stringValue }
    }

    /// The parts of a pod that a plan depends on (not its status, which changes on its own).
    static func fingerprint(_ p: Pod) -> String { "p:\(p.id):\(stableHash(encodeSorted(PodFingerprint(pod: p))))" }

    /// The owned pod that is this planned pod: one with its name (one whose placement matches
    /// first), else a renamed one (no pod name of this spec) that no earlier planned pod took.
    static func claim(_ request: CreatePodRequest, _ context: DiffContext) -> Pod? {
        let named = context.owned.pods.filter { $0.name == request.name }
        if let live = named.first(where: { placementChanges($0, request).isEmpty }) ?? named.first { return live }
        let names = ResourceNames(spec: context.deployment.name)
        let taken = Set(context.changes.filter { $0.kind == kind }.compactMap(\.id))
        let renamed = context.owned.pods.filter { !names.isPodName($0.name ?? "") && !taken.contains($0.id) }
        return renamed.first(where: { placementChanges($0, request).isEmpty }) ?? renamed.first
    }

    static func diff(_ request: CreatePodRequest, _ context: inout DiffContext) {
        let claimed = claim(request, context)
        if let schedule = context.deployment.schedule, let now = context.options.now, !schedule.isOpen(at: now) {
            return outsideSchedule(request, claimed, schedule.description, &context)
        }
        guard let live = claimed else { return create(.pod(request), &context) }
        let placement = placementChanges(live, request)
        guard placement.isEmpty else {
            return context.changes.append(
                Change(
                    kind: kind, name: request.name, action: .replace, id: live.id, fields: placement,
                    reason: "a pod's GPU type, count, cloud or data center cannot change in place",
                    impact: "a new pod starts first; the old one is deleted once the new one runs",
                    request: .pod(request)))
        }
        let rename = renameField(live.name, to: request.name)
        if let update = containerUpdate(live, request, rename: rename, &context) { return context.changes.append(update) }
        let renamePatch: JSONValue? = rename.map { .object(["name": $0.new ?? .null]) }
        if let status = live.status, status == "EXITED" || status == "ERROR" {
            // A stopped or failed pod is not serving: drift, whatever its settings.
            context.changes.append(
                Change(
                    kind: kind, name: request.name, action: .start, id: live.id,
                    fields: [rename, FieldChange(path: "status", old: .string(status), new: "RUNNING")].compactMap { $0 },
                    reason: "the pod is \(status); RunPod does not start it again on its own",
                    impact: "the pod starts (its container disk was kept)", patch: renamePatch))
        } else if let rename {
            context.changes.append(
                Change(
                    kind: kind, name: request.name, action: .update, id: live.id, fields: [rename],
                    impact: "renamed in place; the pod keeps running", patch: renamePatch))
        } else {
            context.noop(kind, request.name, id: live.id)
        }
    }

    /// The container update a pod needs (with its rename), if any. Pods, like endpoints, keep no
    /// link to their template: the pod's own container is compared.
    static func containerUpdate(_ live: Pod, _ request: CreatePodRequest, rename: FieldChange?, _ context: inout DiffContext) -> Change? {
        let ownContainer = containerChanges(
            live: LiveContainer(image: live.image, args: live.args, env: live.env, disk: nil, ports: nil),
            desired: DesiredContainer(template: context.template, env: request.env, ownDiskAndPorts: true),
            templateUpdate: context.templateUpdate)
        var diffs = ownContainer.fields
        if let liveDisk = live.disk, request.disk != liveDisk {
            diffs.append(FieldChange(path: "disk", old: .int(liveDisk), new: .int(request.disk)))
        }
        if !ownContainer.extraEnv.isEmpty { context.notes.append(extraEnvNote(kind, request.name, ownContainer.extraEnv)) }
        guard !diffs.isEmpty else { return nil }
        var patch = ownContainer.patch
        patch["disk"] = .int(request.disk)
        if rename != nil { patch["name"] = .string(request.name) }
        return Change(
            kind: kind, name: request.name, action: .update, id: live.id, fields: [rename].compactMap { $0 } + diffs,
            impact: "the pod restarts and its container disk is wiped", patch: .object(patch))
    }

    /// Outside its schedule a pod is stopped, and nothing else is done to it until the window opens
    /// (but a renamed pod gets its name back).
    static func outsideSchedule(_ request: CreatePodRequest, _ live: Pod?, _ window: String, _ context: inout DiffContext) {
        guard let live else {
            return context.notes.append("pod \(request.name) is created when its schedule opens (\(window))")
        }
        let rename = renameField(live.name, to: request.name)
        let renamePatch: JSONValue? = rename.map { .object(["name": $0.new ?? .null]) }
        guard ["RUNNING", "STARTING", "PROVISIONING"].contains(live.status ?? "RUNNING") else {
            guard let rename else { return context.noop(kind, request.name, id: live.id) }
            return context.changes.append(
                Change(
                    kind: kind, name: request.name, action: .update, id: live.id, fields: [rename],
                    impact: "renamed in place; the pod stays stopped", patch: renamePatch))
        }
        context.changes.append(
            Change(
                kind: kind, name: request.name, action: .stop, id: live.id,
                fields: [rename, FieldChange(path: "status", old: .string(live.status ?? "RUNNING"), new: "EXITED")].compactMap { $0 },
                reason: "outside its schedule (\(window))", impact: "the pod stops; GPU billing stops, its disk is kept", patch: renamePatch))
    }

    /// The replace-class fields (`fieldClasses.replace`) that differ.
    static func placementChanges(_ live: Pod, _ request: CreatePodRequest) -> [FieldChange] {
        var out: [FieldChange] = []
        if request.gpu.id != live.gpuTypeID {
            out.append(FieldChange(path: "gpu.id", old: live.gpuTypeID.map { .string($0) }, new: .string(request.gpu.id)))
        }
        if case .int(let liveCount)? = live.gpu?["count"], request.gpu.count != liveCount {
            out.append(FieldChange(path: "gpu.count", old: .int(liveCount), new: .int(request.gpu.count)))
        }
        if let liveCloud = live.cloud, request.cloud != liveCloud {
            out.append(FieldChange(path: "cloud", old: .string(liveCloud), new: .string(request.cloud)))
        }
        if let dcs = request.dataCenterIds, let liveDC = live.dataCenterId, !dcs.contains(liveDC) {
            out.append(FieldChange(path: "dataCenterIds", old: .string(liveDC), new: .array(dcs.map { .string($0) })))
        }
        return out
    }

    /// Owned pods the plan no longer has: extra replicas, a pod deployment that became serverless,
    /// duplicates an interrupted replace left (each with a pod name of this spec; one under another
    /// name is noted, not deleted).
    static func removeUnplanned(_ context: inout DiffContext) {
        let planned = Set(context.requests.filter { $0.kind == kind }.map(\.name))
        let mine = context.changes.filter { $0.kind == kind }
        let kept = Set(mine.filter { [.noop, .update, .start, .stop].contains($0.action) }.compactMap(\.id))
        let names = ResourceNames(spec: context.deployment.name)
        for pod in context.owned.pods where !kept.contains(pod.id) && !mine.contains(where: { $0.action == .replace && $0.id == pod.id }) {
            let name = pod.name ?? ""
            guard names.isPodName(name) else {
                // Under a name podform does not give, with no planned pod left to be: never deleted on a guess.
                context.notes.append(duplicateNote(kind, pod.name, pod.id, managed: "every planned pod has its pod"))
                continue
            }
            if planned.contains(name) && mine.contains(where: { $0.name == name && $0.action == .create }) { continue }
            context.changes.append(
                Change(
                    kind: kind, name: pod.name ?? pod.id, action: .delete, id: pod.id, fields: [],
                    reason: planned.contains(name) ? "a duplicate of a planned pod" : "the plan no longer has this pod",
                    impact: "stops serving; the container disk is lost"))
        }
    }

    static func destroy(_ owned: OwnedResources, allowDestroyVolumes: Bool, into changes: inout [Change], notes: inout [String]) {
        for p in owned.pods {
            changes.append(Change(kind: kind, name: p.name ?? p.id, action: .delete, id: p.id, fields: [], impact: "stops serving"))
        }
    }

    static func update(_ id: String, _ patch: JSONValue, client: RunPodClient) async throws { _ = try await client.updatePod(id, patch) }
    static func delete(_ id: String, client: RunPodClient) async throws { try await client.deletePod(id) }
}
