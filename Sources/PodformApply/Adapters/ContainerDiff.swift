import RunPodAPI

/// The container fields RunPod reports on a live endpoint or pod (nil where it does not say).
struct LiveContainer {
    var image: String?
    var args: String?
    var env: [String: String]?
    var disk: Int?
    var ports: [String]?
}

/// The container a running endpoint or pod should have: the planned template's, with the
/// resource's own env on top (RunPod merges it, the resource's winning per key). `disk` and
/// `ports` are nil where the resource's own request sets them (a pod), which is then compared
/// on its own.
struct DesiredContainer {
    var image: String?
    var args: String?
    var env: [String: String]
    var disk: Int?
    var ports: [String]?

    init(template: CreateTemplateRequest?, env own: [String: String], ownDiskAndPorts: Bool) {
        image = template?.image
        args = template?.args
        env = (template?.env ?? [:]).merging(own) { _, mine in mine }
        disk = ownDiskAndPorts ? nil : template?.disk
        ports = ownDiskAndPorts ? nil : template?.ports
    }
}

/// What a running endpoint or pod needs so its container matches the planned template plus its
/// own env: the changed fields, and a PATCH carrying the whole container (env whole, because a
/// PATCH's env replaces the resource's env). Live env keys the plan does not set are removed by that
/// PATCH, so they are among the fields; with no PATCH they stay, in `extraEnv` (a note, not drift).
///
/// Where RunPod does not report the container (no image on the resource), the template's own
/// update is what tells the resource to follow; otherwise unreported fields are not drift.
func containerChanges(live: LiveContainer, desired: DesiredContainer, templateUpdate: Change?) -> ContainerChanges {
    var fields: [FieldChange] = []
    if live.image != nil {
        fields = containerFields(live: live, desired: desired)
    } else if let templateUpdate {
        fields = templateUpdate.fields
    }
    let extra = extraEnvKeys(live: live.env, desired: desired.env, ignoring: Marker.templateOnly)
    guard !fields.isEmpty else { return ContainerChanges(fields: [], patch: [:], extraEnv: extra) }
    var patch: [String: JSONValue] = [:]
    if let image = desired.image { patch["image"] = .string(image) }
    if let args = desired.args { patch["args"] = .string(args) }
    if patch["args"] == nil, !(live.args ?? "").isEmpty { patch["args"] = "" }  // clears arguments the plan dropped
    if !desired.env.isEmpty {
        patch["env"] = .object(desired.env.mapValues { .string($0) })
        if live.image != nil { fields += envRemovals(extra, live: live.env) }
    }
    if let disk = desired.disk { patch["disk"] = .int(disk) }
    if let ports = desired.ports { patch["ports"] = .array(ports.map { .string($0) }) }
    return ContainerChanges(fields: fields, patch: patch, extraEnv: [])
}

/// `containerChanges`' answer.
struct ContainerChanges {
    var fields: [FieldChange]
    var patch: [String: JSONValue]
    /// Live env keys the plan does not set, when nothing patches the env.
    var extraEnv: [String]
}

/// The container fields that differ from what RunPod reports (markers that describe the
/// deployment, such as its labels, are compared on the template only).
private func containerFields(live: LiveContainer, desired: DesiredContainer) -> [FieldChange] {
    var fields: [FieldChange] = []
    for (key, liveValue, wanted) in [("image", live.image, desired.image), ("args", live.args, desired.args)] {
        if wanted == nil && (liveValue ?? "").isEmpty { continue }
        if wanted != liveValue { fields.append(FieldChange(path: key, old: liveValue.map { .string($0) }, new: wanted.map { .string($0) })) }
    }
    for (k, v) in desired.env.sorted(by: { $0.key < $1.key }) where live.env?[k] != v && !Marker.templateOnly.contains(k) {
        fields.append(FieldChange(path: "env.\(k)", old: live.env?[k].map { .string($0) }, new: .string(v)))
    }
    if let disk = desired.disk, let liveDisk = live.disk, disk != liveDisk {
        fields.append(FieldChange(path: "disk", old: .int(liveDisk), new: .int(disk)))
    }
    if let ports = desired.ports, let livePorts = live.ports, ports.sorted() != livePorts.sorted() {
        fields.append(FieldChange(path: "ports", old: .array(livePorts.map { .string($0) }), new: .array(ports.map { .string($0) })))
    }
    return fields
}
