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
///
/// Field classes (`Specs/state.md`): template fields update in place, but RunPod copies a template
/// into an endpoint or pod at create and keeps no link, so running endpoints and pods get their own
/// container PATCH; endpoint fields update in place (RunPod rolls the workers); pod container fields
/// update in place (the container restarts and its disk is wiped); a pod's GPU type, count, cloud
/// or data center cannot change in place: replace, create-before-destroy. Network volumes grow in
/// place, never shrink, and are replaced or deleted only with `allowDestroyVolumes`.
public func diff(_ d: Deployment, live: LiveState, options: DiffOptions = DiffOptions()) -> ChangeSet {
    let owned = live.ownedResources(spec: d.name, scope: d.scope)
    var changes: [Change] = []
    var notes: [String] = []
    var errors: [String] = []
    /// A create whose name a resource podform may not touch already has: refused, naming it.
    func collides(_ kind: ResourceKind, _ name: String) -> Bool {
        let taken = owned.foreign.filter { $0.kind == kind && $0.name == name }
        for f in taken {
            errors.append("\(kind.rawValue) \(name) cannot be created: the name is taken by \(f); podform does not adopt it. Rename the spec, or remove or rename that resource")
        }
        return !taken.isEmpty
    }
    let desiredKinds = Set(d.resources.map(\.kind))
    let template = d.resources.first { $0.kind == "template" }?.body
    /// A running endpoint's or pod's container against the planned template (after the template's own change).
    func container(_ live: LiveContainer, body: JSONValue) -> (fields: [FieldChange], patch: [String: JSONValue]) {
        containerChanges(live: live, template: template, body: body, templateUpdate: changes.first { $0.kind == .template && $0.action == .update })
    }

    for resource in d.resources {
        guard let kind = ResourceKind(rawValue: resource.kind) else { continue }
        switch kind {
        case .networkVolume:
            guard let live = owned.volumes.first else {
                if collides(kind, resource.name) { continue }
                changes.append(Change(kind: kind, name: resource.name, action: .create, fields: fields(nil, resource.body), body: resource.body))
                continue
            }
            let size = resource.body["size"].flatMap { if case .int(let i) = $0 { return i } else { return nil } } ?? live.size
            let dc = resource.body["dataCenter"]?.stringValue ?? live.dataCenter
            if dc != live.dataCenter {
                let change = FieldChange(path: "dataCenter", old: .string(live.dataCenter), new: .string(dc))
                if options.allowDestroyVolumes {
                    changes.append(Change(kind: kind, name: resource.name, action: .replace, id: live.id, fields: [change],
                                          reason: "a network volume cannot move data centers", impact: "the volume's data is lost", body: resource.body))
                } else {
                    changes.append(Change(kind: kind, name: resource.name, action: .noop, id: live.id, fields: [change],
                                          reason: "moving the volume would delete its data; run with --allow-destroy-volumes"))
                    notes.append("network volume \(resource.name) stays in \(live.dataCenter) (replacing it needs --allow-destroy-volumes)")
                }
            } else if size > live.size {
                changes.append(Change(kind: kind, name: resource.name, action: .update, id: live.id,
                                      fields: [FieldChange(path: "size", old: .int(live.size), new: .int(size))],
                                      impact: "grows the volume in place", patch: ["size": .int(size)]))
            } else {
                if size < live.size { notes.append("network volume \(resource.name) is \(live.size) GB; volumes never shrink, keeping it") }
                changes.append(Change(kind: kind, name: resource.name, action: .noop, id: live.id, fields: []))
            }

        case .template:
            guard let live = owned.templates.first else {
                if collides(kind, resource.name) { continue }
                changes.append(Change(kind: kind, name: resource.name, action: .create, fields: fields(nil, resource.body), body: resource.body))
                continue
            }
            var current: JSONValue = .object([
                "image": live.image.map { .string($0) } ?? .null, "env": .object((live.env ?? [:]).mapValues { .string($0) }),
                "ports": .array((live.ports ?? []).map { .string($0) }), "disk": live.disk.map { .int($0) } ?? .null,
                "args": live.args.flatMap { $0.isEmpty ? nil : JSONValue.string($0) } ?? .null,  // "" = no args
            ])
            var desired = resource.body
            if case .object(var o) = desired { if o["args"] == nil { o["args"] = .null }; desired = .object(o) }
            var keys = ["image", "env", "ports", "disk", "args"]
            // A pod needs a pod template and an endpoint a serverless one (422 otherwise), so a mode
            // switch flips `serverless`; both it and `category` are compared where RunPod reports them.
            if case .object(var o) = current {
                if let serverless = live.serverless { o["serverless"] = .bool(serverless); keys.append("serverless") }
                if let category = live.category { o["category"] = .string(category); keys.append("category") }
                current = .object(o)
            }
            let diffs = compare(current, desired, keys: keys)
            if diffs.isEmpty {
                changes.append(Change(kind: kind, name: resource.name, action: .noop, id: live.id, fields: []))
            } else {
                var patch: [String: JSONValue] = [:]
                for f in diffs { let key = String(f.path.split(separator: ".").first ?? ""); patch[key] = desired[key] ?? .null }
                if patch["args"] == .null { patch["args"] = "" }  // clears arguments the plan no longer has
                changes.append(Change(kind: kind, name: resource.name, action: .update, id: live.id, fields: diffs,
                                      impact: "new resources start from it; RunPod does not pass template edits on, so podform patches the running ones below",
                                      patch: .object(patch.filter { $0.value != .null })))
            }

        case .endpoint:
            guard let live = owned.endpoints.first else {
                if collides(kind, resource.name) { continue }
                changes.append(Change(kind: kind, name: resource.name, action: .create, fields: fields(nil, resource.body), body: resource.body))
                continue
            }
            var desired = resource.body
            if case .object(var o) = desired, let volumes = o["networkVolumes"], case .array = volumes {
                // A planned reference to the owned volume is the live volume's id.
                o["networkVolumes"] = .array(owned.volumes.map { .string($0.id) })
                desired = .object(o)
            }
            let current: JSONValue = .object([
                "gpu": normalizedGPU(live.gpu), "workers": live.workers ?? .null, "scaling": live.scaling ?? .null,
                "flashboot": live.flashboot.map { .string($0) } ?? .null, "timeout": live.timeout.map { .int($0) } ?? .null,
                "dataCenterIds": .array((live.dataCenterIds ?? []).sorted().map { .string($0) }),
                "networkVolumes": .array((live.networkVolumes ?? []).map { .string($0) }),
            ])
            if case .object(var o) = desired {
                o["gpu"] = normalizedGPU(o["gpu"])
                var dcs: [String] = []
                if case .array(let a)? = o["dataCenterIds"] { dcs = a.compactMap(\.stringValue) }
                o["dataCenterIds"] = .array(dcs.sorted().map { .string($0) })
                if o["networkVolumes"] == nil { o["networkVolumes"] = .array([]) }
                desired = .object(o)
            }
            var diffs = compare(current, desired, keys: ["gpu", "workers", "scaling", "flashboot", "timeout", "dataCenterIds", "networkVolumes"])
            // A template is a one-time source: RunPod copies it into the endpoint at create and later
            // template edits do not reach the endpoint (OpenAPI v2, CreateEndpointRequest.templateId).
            // So the endpoint's own container fields are compared and patched directly.
            let ownContainer = container(LiveContainer(image: live.image, args: live.args, env: live.env, disk: live.disk, ports: live.ports), body: resource.body)
            diffs += ownContainer.fields
            // RunPod lowers an idle endpoint's max workers (to 2 after 3 days, 0 after 7): drift it causes itself.
            if let i = diffs.firstIndex(where: { $0.path == "workers.max" }),
               case .int(let liveMax)? = diffs[i].old, case .int(let wantMax)? = diffs[i].new, liveMax < wantMax, liveMax == 0 || liveMax == 2 {
                if !options.restoreIdleScaleDown {
                    diffs.remove(at: i)
                    notes.append("endpoint \(resource.name): RunPod lowered max workers to \(liveMax) after a period without requests (idle scale-down); left as is (set deploy.restore_idle_scale_down: true to restore \(wantMax))")
                }
            }
            if diffs.isEmpty {
                changes.append(Change(kind: kind, name: resource.name, action: .noop, id: live.id, fields: []))
            } else {
                var patch: [String: JSONValue] = [:]
                for f in diffs { let key = String(f.path.split(separator: ".").first ?? ""); patch[key] = desired[key] }
                // Every v2 endpoint PATCH erases GPU exclusions unless sent (runpod-mcp #63): always send gpu.
                patch["gpu"] = desired["gpu"]
                for (key, value) in ownContainer.patch { patch[key] = value }
                changes.append(Change(kind: kind, name: resource.name, action: .update, id: live.id, fields: diffs,
                                      impact: "RunPod rolls the workers to the new settings", patch: .object(patch.compactMapValues { $0 })))
            }

        case .pod:
            let candidates = owned.pods.filter { $0.name == resource.name }
            // Outside its schedule a pod is stopped, and nothing else is done to it until the window opens.
            if let schedule = d.schedule, let now = options.now, !schedule.isOpen(at: now) {
                if let live = candidates.first {
                    if ["RUNNING", "STARTING", "PROVISIONING"].contains(live.status ?? "RUNNING") {
                        changes.append(Change(kind: kind, name: resource.name, action: .stop, id: live.id,
                                              fields: [FieldChange(path: "status", old: .string(live.status ?? "RUNNING"), new: "EXITED")],
                                              reason: "outside its schedule (\(schedule.description))",
                                              impact: "the pod stops; GPU billing stops, its disk is kept"))
                    } else {
                        changes.append(Change(kind: kind, name: resource.name, action: .noop, id: live.id, fields: []))
                    }
                } else {
                    notes.append("pod \(resource.name) is created when its schedule opens (\(schedule.description))")
                }
                continue
            }
            guard let live = candidates.first(where: { podPlacementDiff($0, resource.body).isEmpty }) ?? candidates.first else {
                if collides(kind, resource.name) { continue }
                changes.append(Change(kind: kind, name: resource.name, action: .create, fields: fields(nil, resource.body), body: resource.body))
                continue
            }
            let placement = podPlacementDiff(live, resource.body)
            if !placement.isEmpty {
                changes.append(Change(kind: kind, name: resource.name, action: .replace, id: live.id, fields: placement,
                                      reason: "a pod's GPU type, count, cloud or data center cannot change in place",
                                      impact: "a new pod starts first; the old one is deleted once the new one runs", body: resource.body))
                continue
            }
            // Pods, like endpoints, keep no link to their template: compare the pod's own container.
            let ownContainer = container(LiveContainer(image: live.image, args: live.args, env: live.env, disk: nil, ports: nil), body: resource.body)
            var diffs = ownContainer.fields
            if case .int(let disk)? = resource.body["disk"], let liveDisk = live.disk, disk != liveDisk {
                diffs.append(FieldChange(path: "disk", old: .int(liveDisk), new: .int(disk)))
            }
            if diffs.isEmpty {
                if let status = live.status, status == "EXITED" || status == "ERROR" {
                    // A stopped or failed pod is not serving: drift, whatever its settings.
                    changes.append(Change(kind: kind, name: resource.name, action: .start, id: live.id,
                                          fields: [FieldChange(path: "status", old: .string(status), new: "RUNNING")],
                                          reason: "the pod is \(status); RunPod does not start it again on its own",
                                          impact: "the pod starts (its container disk was kept)"))
                } else {
                    changes.append(Change(kind: kind, name: resource.name, action: .noop, id: live.id, fields: []))
                }
            } else {
                var patch = ownContainer.patch
                if let disk = resource.body["disk"] { patch["disk"] = disk }
                changes.append(Change(kind: kind, name: resource.name, action: .update, id: live.id, fields: diffs,
                                      impact: "the pod restarts and its container disk is wiped", patch: .object(patch)))
            }
        }
    }
    // Owned resources the plan no longer wants: extra pods, a pod deployment that became serverless, etc.
    let wantedPods = Set(d.resources.filter { $0.kind == "pod" }.map(\.name))
    let keptPodIDs = Set(changes.filter { $0.kind == .pod && [.noop, .update, .start, .stop].contains($0.action) }.compactMap(\.id))
    for pod in owned.pods where !keptPodIDs.contains(pod.id) && !changes.contains(where: { $0.kind == .pod && $0.action == .replace && $0.id == pod.id }) {
        if wantedPods.contains(pod.name ?? "") && changes.contains(where: { $0.kind == .pod && $0.name == pod.name && $0.action == .create }) { continue }
        changes.append(Change(kind: .pod, name: pod.name ?? pod.id, action: .delete, id: pod.id, fields: [],
                              reason: wantedPods.contains(pod.name ?? "") ? "a duplicate of a planned pod" : "the plan no longer has this pod",
                              impact: "stops serving; the container disk is lost"))
    }
    if !desiredKinds.contains("endpoint") {
        for e in owned.endpoints {
            changes.append(Change(kind: .endpoint, name: e.name ?? e.id, action: .delete, id: e.id, fields: [],
                                  reason: "the plan no longer uses a serverless endpoint", impact: "the endpoint stops serving"))
        }
    }
    if !desiredKinds.contains("network_volume") {
        for v in owned.volumes {
            if options.allowDestroyVolumes {
                changes.append(Change(kind: .networkVolume, name: v.name, action: .delete, id: v.id, fields: [],
                                      reason: "the plan no longer uses a network volume", impact: "its data is lost"))
            } else {
                notes.append("network volume \(v.name) is no longer used; kept (deleting it needs --allow-destroy-volumes)")
            }
        }
    }
    return ChangeSet(spec: d.name, changes: changes.map(hidingSecrets), notes: notes, errors: errors)
}

/// A change with live env values that may be secrets hidden from its displayed fields (plans end up
/// in PR comments and CI logs). Planned values are podform's own `{{ RUNPOD_SECRET_* }}` references
/// and stay; a live value is shown only when neither its name nor its shape looks secret. The PATCH
/// body is untouched: it carries only planned values.
func hidingSecrets(_ change: Change) -> Change {
    var change = change
    change.fields = change.fields.map { field in
        guard field.path.hasPrefix("env.") else { return field }
        let name = String(field.path.dropFirst(4))
        var field = field
        for keyPath in [\FieldChange.old, \FieldChange.new] {
            if case .string(let value)? = field[keyPath: keyPath], SecretShape.mayBeSecret(name: name, value: value) {
                field[keyPath: keyPath] = .string("(sensitive value hidden)")
            }
        }
        return field
    }
    return change
}

/// Deletes everything a spec owns, in reverse order (`podform destroy`, `--prune`).
public func destroyChanges(spec: String, live: LiveState, allowDestroyVolumes: Bool, scope: String? = nil, adoptUnscoped: Bool = true) -> ChangeSet {
    let owned = live.ownedResources(spec: spec, scope: scope, adoptUnscoped: adoptUnscoped)
    var changes: [Change] = []
    var notes: [String] = []
    for p in owned.pods { changes.append(Change(kind: .pod, name: p.name ?? p.id, action: .delete, id: p.id, fields: [], impact: "stops serving")) }
    for e in owned.endpoints { changes.append(Change(kind: .endpoint, name: e.name ?? e.id, action: .delete, id: e.id, fields: [], impact: "stops serving")) }
    for t in owned.templates { changes.append(Change(kind: .template, name: t.name ?? t.id, action: .delete, id: t.id, fields: [])) }
    for v in owned.volumes {
        if allowDestroyVolumes {
            changes.append(Change(kind: .networkVolume, name: v.name, action: .delete, id: v.id, fields: [], impact: "its data is lost"))
        } else {
            notes.append("network volume \(v.name) kept: deleting it loses its data (use --allow-destroy-volumes)")
        }
    }
    return ChangeSet(spec: spec, changes: changes, notes: notes)
}

func podPlacementDiff(_ live: Pod, _ body: JSONValue) -> [FieldChange] {
    var out: [FieldChange] = []
    let gpuID = body["gpu"]?["id"]?.stringValue
    if let gpuID, gpuID != live.gpuTypeID { out.append(FieldChange(path: "gpu.id", old: live.gpuTypeID.map { .string($0) }, new: .string(gpuID))) }
    if case .int(let count)? = body["gpu"]?["count"], case .int(let liveCount)? = live.gpu?["count"], count != liveCount {
        out.append(FieldChange(path: "gpu.count", old: .int(liveCount), new: .int(count)))
    }
    if let cloud = body["cloud"]?.stringValue, let liveCloud = live.cloud, cloud != liveCloud {
        out.append(FieldChange(path: "cloud", old: .string(liveCloud), new: .string(cloud)))
    }
    if case .array(let dcs)? = body["dataCenterIds"], let liveDC = live.dataCenterId, !dcs.compactMap(\.stringValue).contains(liveDC) {
        out.append(FieldChange(path: "dataCenterIds", old: .string(liveDC), new: .array(dcs)))
    }
    return out
}

/// `gpu` with sorted excluded types and an explicit count, so order and defaults do not count as changes.
func normalizedGPU(_ value: JSONValue?) -> JSONValue {
    guard case .object(var o)? = value else { return .null }
    if case .array(let e)? = o["excludedTypes"] { o["excludedTypes"] = .array(e.compactMap(\.stringValue).sorted().map { .string($0) }) }
    else { o["excludedTypes"] = .array([]) }
    if o["count"] == nil { o["count"] = .int(1) }
    return .object(o)
}

/// Field-level differences between two objects, for the given top-level keys (nested objects by key).
///
/// Nested objects compare the keys the plan sets: fields RunPod adds on its side (defaults, read-only
/// status) are not drift, or every round would "fix" them.
func compare(_ old: JSONValue, _ new: JSONValue, keys: [String]) -> [FieldChange] {
    var out: [FieldChange] = []
    for key in keys {
        let a = old[key], b = new[key]
        if case .object(let ao)? = a, case .object(let bo)? = b {
            for sub in bo.keys.sorted() where !same(ao[sub], bo[sub]) {
                out.append(FieldChange(path: "\(key).\(sub)", old: ao[sub], new: bo[sub]))
            }
        } else if !same(a, b) {
            out.append(FieldChange(path: key, old: a, new: b))
        }
    }
    return out
}

func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    switch (a, b) {
    case (nil, nil), (nil, .null?), (.null?, nil): return true
    case (.int(let x)?, .number(let y)?), (.number(let y)?, .int(let x)?): return Double(x) == y
    default: return a == b
    }
}

/// Every field of a body, as creates show them.
func fields(_ old: JSONValue?, _ new: JSONValue) -> [FieldChange] {
    guard case .object(let o) = new else { return [] }
    return o.keys.sorted().map { FieldChange(path: $0, old: nil, new: o[$0]) }
}

/// The container fields RunPod reports on a live endpoint or pod (nil where it does not say).
struct LiveContainer {
    var image: String?
    var args: String?
    var env: [String: String]?
    var disk: Int?
    var ports: [String]?
}

/// What a running endpoint or pod needs so its container matches the planned template plus its
/// own body: the changed fields, and a PATCH carrying the whole container (env whole, because a
/// PATCH's env replaces the resource's env).
///
/// Where RunPod does not report the container (no image on the resource), the template's own
/// update is what tells the resource to follow; otherwise unreported fields are not drift.
func containerChanges(live: LiveContainer, template: JSONValue?, body: JSONValue, templateUpdate: Change?) -> (fields: [FieldChange], patch: [String: JSONValue]) {
    var env: [String: JSONValue] = [:]
    if case .object(let e)? = template?["env"] { env = e }
    if case .object(let e)? = body["env"] { for (k, v) in e { env[k] = v } }  // body wins per key, as RunPod merges
    var fields: [FieldChange] = []
    if live.image != nil {
        for (key, liveValue) in [("image", live.image), ("args", live.args)] {
            let wanted = body[key]?.stringValue ?? template?[key]?.stringValue
            if wanted == nil && (liveValue ?? "").isEmpty { continue }
            if wanted != liveValue { fields.append(FieldChange(path: key, old: liveValue.map { .string($0) }, new: wanted.map { .string($0) })) }
        }
        for (k, v) in env.sorted(by: { $0.key < $1.key }) where live.env?[k] != v.stringValue && !Marker.templateOnly.contains(k) {
            fields.append(FieldChange(path: "env.\(k)", old: live.env?[k].map { .string($0) }, new: v))
        }
        if case .int(let disk)? = template?["disk"], let liveDisk = live.disk, body["disk"] == nil, disk != liveDisk {
            fields.append(FieldChange(path: "disk", old: .int(liveDisk), new: .int(disk)))
        }
        if case .array(let ports)? = template?["ports"], let livePorts = live.ports, body["ports"] == nil,
           ports.compactMap(\.stringValue).sorted() != livePorts.sorted() {
            fields.append(FieldChange(path: "ports", old: .array(livePorts.map { .string($0) }), new: .array(ports)))
        }
    } else if let templateUpdate {
        fields = templateUpdate.fields
    }
    guard !fields.isEmpty else { return ([], [:]) }
    var patch: [String: JSONValue] = [:]
    for key in ["image", "args"] { if let v = body[key] ?? template?[key] { patch[key] = v } }
    if patch["args"] == nil, !(live.args ?? "").isEmpty { patch["args"] = "" }  // clears arguments the plan dropped
    if !env.isEmpty { patch["env"] = .object(env) }
    if body["disk"] == nil, let disk = template?["disk"] { patch["disk"] = disk }
    if body["ports"] == nil, let ports = template?["ports"] { patch["ports"] = ports }
    return (fields, patch)
}
