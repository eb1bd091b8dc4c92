import Foundation
import RunPodAPI

/// Creating resources, and the rules RunPod applies to created (and updated) bodies.
extension FakeRunPodState {
    func create(_ kind: ResourceKind, _ json: [String: Any]) -> FakeResponse {
        if let invalid = validateBody(json, schema: Self.createSchemas[kind]!) { return invalid }
        var o = json
        let known = knownGPUIDs()
        switch kind {
        case .networkVolume:
            let dc = json["dataCenter"] as? String ?? ""
            guard Self.dataCenters.contains(dc) else { return fakeProblem(400, "Bad Request", "unknown data center \(dc)") }
        case .template:
            let name = json["name"] as? String ?? ""
            if templates.values.contains(where: { $0["name"] as? String == name }) {
                return fakeProblem(400, "Bad Request", "template name must be unique: \(name)")
            }
        case .endpoint:
            if let problem = templateRules(json, serverless: true) { return problem }
            if let problem = idleTimeoutRule(json, current: [:]) { return problem }
            let gpu = json["gpu"] as? [String: Any] ?? [:]
            for pool in gpu["pools"] as? [String] ?? [] where !Self.pools.contains(pool) {
                return fakeProblem(
                    400, "Bad Request", "unknown GPU pool \(pool)", errors: [["field": "gpu.pools", "message": "unknown pool \(pool)"]])
            }
            for excluded in gpu["excludedTypes"] as? [String] ?? [] where !known.ids.isEmpty && !known.ids.contains(excluded) {
                return fakeProblem(400, "Bad Request", "unknown GPU type \(excluded)")
            }
            if let problem = volumeRules(json, cloud: "SECURE") { return problem }
            if o["flashboot"] == nil { o["flashboot"] = "OFF" }
            spreadTemplate(into: &o, json)
            if o["type"] == nil { o["type"] = "QUEUE" }
        case .cluster:
            if let problem = clusterRules(json) { return problem }
        case .pod:
            if let problem = templateRules(json, serverless: false) { return problem }
            let gpu = json["gpu"] as? [String: Any] ?? [:]
            if let gpuID = gpu["id"] as? String, !known.ids.isEmpty, !known.ids.contains(gpuID) {
                return fakeProblem(400, "Bad Request", "unknown GPU type id \(gpuID)", errors: [["field": "gpu.id", "message": "unknown GPU type"]])
            }
            if let gpuID = gpu["id"] as? String, let refusal = capacityRefusal("POD", gpuID, json["dataCenterIds"] as? [String], what: "pod") {
                return refusal
            }
            let cloud = json["cloud"] as? String ?? "SECURE"
            o["cloud"] = cloud
            if let problem = volumeRules(json, cloud: cloud) { return problem }
            o["dataCenterId"] = (json["dataCenterIds"] as? [String])?.first ?? "EU-RO-1"
            o.removeValue(forKey: "dataCenterIds")
            if spreadTemplate(into: &o, json) { o["template"] = json["templateId"] }
            o.removeValue(forKey: "templateId")
            o["createdAt"] = ISO8601DateFormatter().string(from: Date())
        }
        let id = newID(kind)
        o["id"] = id
        setStore(kind, id, o)
        if kind == .pod { markCreated(id) }
        if kind == .cluster { createMembers(id, json) }
        return fakeObject(201, render(kind, o))
    }

    /// A network volume pins the data center and exists only in Secure Cloud (NOTES §7).
    func volumeRules(_ json: [String: Any], cloud: String) -> FakeResponse? {
        var volumeIDs = json["networkVolumes"] as? [String] ?? []
        let mounts = json["mounts"] as? [String: Any]
        volumeIDs += (mounts?["network"] as? [[String: Any]] ?? []).compactMap { $0["volumeId"] as? String }
        for id in volumeIDs {
            guard let volume = volumes[id] else { return fakeProblem(400, "Bad Request", "network volume \(id) does not exist") }
            if cloud != "SECURE" { return fakeProblem(400, "Bad Request", "network volumes are only available in Secure Cloud") }
            let dc = volume["dataCenter"] as? String ?? ""
            if let dcs = json["dataCenterIds"] as? [String], !dcs.isEmpty, !dcs.contains(dc) {
                return fakeProblem(400, "Bad Request", "network volume \(id) is in \(dc), outside dataCenterIds")
            }
        }
        return nil
    }

    /// Template fields are spread into a created endpoint or pod: body fields win, env merges per key
    /// with the body winning (OpenAPI v2, CreateEndpointRequest/CreatePodRequest.templateId).
    @discardableResult
    func spreadTemplate(into o: inout [String: Any], _ json: [String: Any]) -> Bool {
        guard spreadTemplateFields, let templateID = json["templateId"] as? String, let template = templates[templateID] else { return false }
        for key in ["image", "args", "ports", "disk"] where o[key] == nil { o[key] = template[key] }
        var env = template["env"] as? [String: String] ?? [:]
        for (k, v) in json["env"] as? [String: String] ?? [:] { env[k] = v }
        o["env"] = env
        return true
    }

    /// A `templateId` must name a template (404) of the right kind: serverless for an endpoint, a pod
    /// template for a pod (422) (OpenAPI v2, CreateEndpointRequest/CreatePodRequest.templateId).
    func templateRules(_ json: [String: Any], serverless: Bool) -> FakeResponse? {
        guard let templateID = json["templateId"] as? String else { return nil }
        guard let template = templates[templateID] else { return fakeProblem(404, "Not Found", "template \(templateID) not found") }
        if (template["serverless"] as? Bool ?? false) != serverless {
            return fakeProblem(
                422, "Unprocessable Entity",
                serverless
                    ? "template \(templateID) is not a serverless template"
                    : "template \(templateID) is a serverless template; pods need a pod template")
        }
        return nil
    }

    /// RunPod rejects `workers.idleTimeout` on a queue endpoint scaling on requestCount, and omits it
    /// from responses for that combination (OpenAPI v2, EndpointWorkers.idleTimeout).
    func idleTimeoutRule(_ json: [String: Any], current: [String: Any]) -> FakeResponse? {
        if Self.queueScalingOnRequestCount(type: json["type"] ?? current["type"], scaling: json["scaling"] ?? current["scaling"]),
            (json["workers"] as? [String: Any])?["idleTimeout"] != nil
        {
            return fakeProblem(
                400, "Bad Request", "workers.idleTimeout does not apply to a queue endpoint scaling on requestCount",
                errors: [["field": "workers.idleTimeout", "message": "not applicable with REQUEST_COUNT scaling"]])
        }
        return nil
    }

    /// A queue endpoint (the default type) whose scaler is REQUEST_COUNT.
    static func queueScalingOnRequestCount(type: Any?, scaling: Any?) -> Bool {
        (type as? String ?? "QUEUE") == "QUEUE" && (scaling as? [String: Any])?["type"] as? String == "REQUEST_COUNT"
    }
}
