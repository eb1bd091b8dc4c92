import RunPodAPI

/// Network volumes (`/v2/network-volumes`): the weights' storage. They cannot carry env markers,
/// so a volume is the spec's when it has the spec's volume name and nothing podform does not own
/// mounts it. They grow in place, never shrink, and move data centers (a replace) or go away
/// only with `--allow-destroy-volumes`: their data would be lost.
enum NetworkVolumeAdapter: ResourceAdapter {
    static let kind = ResourceKind.networkVolume
    static let fieldClasses = FieldClasses(inPlace: ["size"], replace: ["dataCenter"])
    static var live: WritableKeyPath<LiveState, [NetworkVolume]> { \.volumes }
    static var owned: WritableKeyPath<OwnedResources, [NetworkVolume]> { \.volumes }

    static func list(_ client: RunPodClient) async throws -> [NetworkVolume] { try await client.listNetworkVolumes() }

    static func recognize(_ all: [NetworkVolume], _ context: inout OwnershipContext) -> [NetworkVolume] {
        let users = context.foreignVolumeUsers()
        let name = context.names.networkVolume
        return all.filter { v in
            guard v.name == name else { return false }
            if let user = users[v.id] {
                context.foreign.append(
                    ForeignResource(kind: kind, id: v.id, name: v.name, why: "is used by \(user), which podform does not own here"))
                return false
            }
            return true
        }
    }

    static func fingerprint(_ v: NetworkVolume) -> String { "v:\(v.id):\(v.size):\(v.dataCenter)" }

    static func diff(_ request: CreateNetworkVolumeRequest, _ context: inout DiffContext) {
        guard let live = context.owned.volumes.first else {
            create(.networkVolume(request), &context)
            return
        }
        if request.dataCenter != live.dataCenter {
            let change = FieldChange(path: "dataCenter", old: .string(live.dataCenter), new: .string(request.dataCenter))
            if context.options.allowDestroyVolumes {
                context.changes.append(
                    Change(
                        kind: kind, name: request.name, action: .replace, id: live.id, fields: [change],
                        reason: "a network volume cannot move data centers", impact: "the volume's data is lost",
                        request: .networkVolume(request)))
            } else {
                context.changes.append(
                    Change(
                        kind: kind, name: request.name, action: .noop, id: live.id, fields: [change],
                        reason: "moving the volume would delete its data; run with --allow-destroy-volumes"))
                context.notes.append("network volume \(request.name) stays in \(live.dataCenter) (replacing it needs --allow-destroy-volumes)")
            }
        } else if request.size > live.size {
            context.changes.append(
                Change(
                    kind: kind, name: request.name, action: .update, id: live.id,
                    fields: [FieldChange(path: "size", old: .int(live.size), new: .int(request.size))],
                    impact: "grows the volume in place", patch: ["size": .int(request.size)]))
        } else {
            if request.size < live.size {
                context.notes.append("network volume \(request.name) is \(live.size) GB; volumes never shrink, keeping it")
            }
            context.noop(kind, request.name, id: live.id)
        }
    }

    static func removeUnplanned(_ context: inout DiffContext) {
        guard !context.plans(kind) else { return }
        for v in context.owned.volumes {
            if context.options.allowDestroyVolumes {
                context.changes.append(
                    Change(
                        kind: kind, name: v.name, action: .delete, id: v.id, fields: [],
                        reason: "the plan no longer uses a network volume", impact: "its data is lost"))
            } else {
                context.notes.append("network volume \(v.name) is no longer used; kept (deleting it needs --allow-destroy-volumes)")
            }
        }
    }

    static func destroy(_ owned: OwnedResources, allowDestroyVolumes: Bool, into changes: inout [Change], notes: inout [String]) {
        for v in owned.volumes {
            if allowDestroyVolumes {
                changes.append(Change(kind: kind, name: v.name, action: .delete, id: v.id, fields: [], impact: "its data is lost"))
            } else {
                notes.append("network volume \(v.name) kept: deleting it loses its data (use --allow-destroy-volumes)")
            }
        }
    }

    static func update(_ id: String, _ patch: JSONValue, client: RunPodClient) async throws { _ = try await client.updateNetworkVolume(id, patch) }
    static func delete(_ id: String, client: RunPodClient) async throws { try await client.deleteNetworkVolume(id) }
}
