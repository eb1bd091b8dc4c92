import Foundation
import RunPodAPI

/// The v2 routes and RunPod's behaviours that matter to podform (shared/runpod/NOTES.md).
/// A response from the fake's logic (Sendable; the server turns it into an HTTP response).
public struct FakeResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
}

func fakeJSON(_ status: Int, _ body: Data, contentType: String = "application/json") -> FakeResponse {
    FakeResponse(status: status, headers: ["Content-Type": contentType], body: body)
}

func fakeObject(_ status: Int, _ value: Any) -> FakeResponse {
    fakeJSON(status, (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data())
}

func fakeProblem(_ status: Int, _ title: String, _ detail: String, errors: [[String: String]] = []) -> FakeResponse {
    var body: [String: Any] = ["title": title, "status": status, "detail": detail]
    if !errors.isEmpty { body["errors"] = errors }
    return fakeJSON(status, try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), contentType: "application/problem+json")
}

extension FakeRunPodState {
    static let collections: [String: ResourceKind] = [
        "/v2/pods": .pod, "/v2/serverless": .endpoint, "/v2/templates": .template, "/v2/network-volumes": .networkVolume,
        "/v2/clusters": .cluster
    ]
    static let createSchemas: [ResourceKind: String] = [
        .pod: "CreatePodRequest", .endpoint: "CreateEndpointRequest", .template: "CreateTemplateRequest",
        .networkVolume: "CreateNetworkVolumeRequest", .cluster: "CreateClusterRequest"
    ]
    static let updateSchemas: [ResourceKind: String] = [
        .pod: "UpdatePodRequest", .endpoint: "UpdateEndpointRequest", .template: "UpdateTemplateRequest",
        .networkVolume: "UpdateNetworkVolumeRequest", .cluster: "UpdateClusterRequest"
    ]
    static let listKeys: [ResourceKind: String] = [
        .pod: "pods", .endpoint: "endpoints", .template: "templates", .networkVolume: "networkVolumes",
        .cluster: "clusters"
    ]

    func apply(method: String, path: String, query: [String: String] = [:], body: Data) -> FakeResponse {
        if method == "GET" && path == "/v2/catalog/gpus" { return catalog(query) }
        if method == "GET" && (path == "/v2/billing/pods" || path == "/v2/billing/serverless") { return billing(path, query) }
        if method == "GET" && path == "/v2/catalog/datacenters" {
            return fakeObject(200, ["dataCenters": Self.dataCenters.map { ["id": $0, "name": $0] }])
        }
        if method == "GET" && path == "/v2/registries" { return fakeObject(200, ["registries": [[String: Any]]()]) }
        let parts = path.split(separator: "/").map(String.init)  // ["v2", "pods", id?, action?]
        guard parts.count >= 2, let kind = Self.collections["/" + parts[0...1].joined(separator: "/")] else {
            return fakeProblem(404, "Not Found", "no route \(method) \(path)")
        }
        let id = parts.count >= 3 ? parts[2] : nil
        var json: [String: Any] = [:]
        if !body.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                return fakeProblem(400, "Bad Request", "request body is not a JSON object")
            }
            json = object
        }
        switch (method, id, parts.count) {
        case ("GET", nil, 2): return list(kind, includeClusterPods: query["includeClusterPods"] == "true")
        case ("POST", nil, 2): return create(kind, json)
        case ("GET", let id?, 3): return get(kind, id)
        case ("PATCH", let id?, 3): return update(kind, id, json)
        case ("DELETE", let id?, 3): return delete(kind, id)
        case ("POST", let id?, 4) where kind == .pod && parts[3] == "action": return podAction(id, json)
        case ("GET", let id?, 4) where kind == .cluster && parts[3] == "pods": return clusterPods(id)
        case ("GET", let id?, 4) where kind == .pod && parts[3] == "logs":
            guard pods[id] != nil else { return fakeProblem(404, "Not Found", "pod \(id) not found") }
            return fakeJSON(200, Self.sse(["Loading model weights", "INFO: vLLM API server started on port 8000"]), contentType: "text/event-stream")
        case ("GET", let id?, 4) where kind == .endpoint && parts[3] == "workers":
            guard let e = endpoints[id] else { return fakeProblem(404, "Not Found", "endpoint \(id) not found") }
            let count = ((e["workers"] as? [String: Any])?["min"] as? Int) ?? 0
            let workers = (0..<count).map { i -> [String: Any] in
                ["id": "\(id)-w\(i)", "status": "RUNNING", "gpuCount": 1, "isStale": false]
            }
            return fakeObject(200, ["workers": workers, "summary": ["total": count, "running": count]])
        case ("GET", let id?, 6) where kind == .endpoint && parts[3] == "workers" && parts[5] == "logs":
            guard endpoints[id] != nil else { return fakeProblem(404, "Not Found", "endpoint \(id) not found") }
            return fakeJSON(200, Self.sse(["Worker ready."]), contentType: "text/event-stream")
        default: return fakeProblem(405, "Method Not Allowed", "\(method) \(path)")
        }
    }

    /// Spend: $1 per hour since creation (pods) or $0.10 per day (endpoints), in one record.
    func billing(_ path: String, _ query: [String: String]) -> FakeResponse {
        let id = query["podId"] ?? query["serverlessId"] ?? ""
        var amount = 0.0
        if let created = podCreatedAt[id] { amount = Date().timeIntervalSince(created) / 3600 }
        if endpoints[id] != nil { amount = 0.10 }
        let key = path.hasSuffix("pods") ? "podId" : "serverlessId"
        return fakeObject(
            200,
            [
                "records": [
                    [
                        "startTime": "2026-11-01T00:00:00Z", "endTime": "2026-11-26T00:00:00Z", key: id,
                        "totalAmount": (amount * 10_000).rounded() / 10_000
                    ]
                ],
                "metadata": ["recordCount": 1]
            ])
    }

    /// A finished Server-Sent Events body (the real stream stays open; clients stop after the backfill).
    static func sse(_ lines: [String]) -> Data {
        var out = ""
        for (i, line) in lines.enumerated() {
            let payload =
                (try? JSONSerialization.data(
                    withJSONObject: ["ts": "2026-11-25T12:00:0\(i)Z", "source": "container", "line": line], options: [.sortedKeys])) ?? Data()
            out += "id: 2026-11-25T12:00:0\(i)Z/\(i)\ndata: \(String(decoding: payload, as: UTF8.self))\n\n"
        }
        return Data(out.utf8)
    }

    static let dataCenters = [
        "EU-RO-1", "EU-SE-1", "EU-CZ-1", "EU-NL-1", "US-KS-2", "US-TX-3", "US-CA-2", "US-GA-1", "US-IL-1", "CA-MTL-1", "AP-JP-1"
    ]
    static let pools: Set<String> = [
        "AMPERE_16", "AMPERE_24", "ADA_24", "AMPERE_48", "ADA_48_PRO", "AMPERE_80", "ADA_80_PRO",
        "HOPPER_141", "ADA_32_PRO", "BLACKWELL_96", "BLACKWELL_180"
    ]

    func validateBody(_ json: [String: Any], schema: String) -> FakeResponse? {
        guard let validator = validator else { return nil }
        let errors = validator.validate(json, schema: schema)
        guard !errors.isEmpty else { return nil }
        return fakeProblem(
            400, "Bad Request", "request body does not match \(schema): \(errors[0])",
            errors: errors.prefix(10).map { e in
                let field = e.split(separator: ":").first.map(String.init) ?? ""
                return ["field": field, "message": String(e.dropFirst(field.count + 1)).trimmingCharacters(in: .whitespaces)]
            })
    }

    func render(_ kind: ResourceKind, _ o: [String: Any]) -> [String: Any] {
        var out = o
        out.removeValue(forKey: "desiredStatus")
        if kind == .pod, let id = o["id"] as? String { out["status"] = podStatus(id) }
        if kind == .cluster { return renderCluster(o) }
        if kind == .endpoint, let id = o["id"] as? String {
            out["requestUrls"] = ["run": "https://api.runpod.ai/v2/\(id)/run", "runsync": "https://api.runpod.ai/v2/\(id)/runsync"]
            if Self.queueScalingOnRequestCount(type: o["type"], scaling: o["scaling"]), var workers = o["workers"] as? [String: Any] {
                workers.removeValue(forKey: "idleTimeout")  // omitted for this combination
                out["workers"] = workers
            }
        }
        return out
    }

    /// A list; cluster member pods only with `includeClusterPods=true` (OpenAPI v2 `listPods`).
    func list(_ kind: ResourceKind, includeClusterPods: Bool = false) -> FakeResponse {
        var items: [[String: Any]] = []
        for (_, o) in store(kind).sorted(by: { $0.key < $1.key }) where kind != .pod || includeClusterPods || o["cluster"] == nil {
            items.append(render(kind, o))
        }
        return fakeObject(200, [Self.listKeys[kind]!: items])
    }

    func get(_ kind: ResourceKind, _ id: String) -> FakeResponse {
        guard let o = store(kind)[id] else { return fakeProblem(404, "Not Found", "\(kind.rawValue) \(id) not found") }
        return fakeObject(200, render(kind, o))
    }

    func delete(_ kind: ResourceKind, _ id: String) -> FakeResponse {
        guard store(kind)[id] != nil else { return fakeProblem(404, "Not Found", "\(kind.rawValue) \(id) not found") }
        if kind == .pod, pods[id]?["cluster"] != nil {
            return fakeProblem(400, "Bad Request", "pod \(id) belongs to a cluster and cannot be modified via the pod endpoints")
        }
        if kind == .cluster {
            for (podID, pod) in pods where (pod["cluster"] as? [String: Any])?["id"] as? String == id { setStore(.pod, podID, nil) }
        }
        if kind == .networkVolume {
            let used =
                endpoints.values.contains { ($0["networkVolumes"] as? [String] ?? []).contains(id) }
                || pods.values.contains { pod in
                    ((pod["mounts"] as? [String: Any])?["network"] as? [[String: Any]] ?? []).contains { $0["volumeId"] as? String == id }
                }
            if used { return fakeProblem(409, "Conflict", "network volume \(id) is attached to a pod or endpoint") }
        }
        if kind == .template {
            let used = endpoints.values.contains { $0["templateId"] as? String == id }
            if used { return fakeProblem(409, "Conflict", "template \(id) is used by an endpoint") }
        }
        setStore(kind, id, nil)
        return FakeResponse(status: 204, headers: [:], body: Data())
    }

    func update(_ kind: ResourceKind, _ id: String, _ json: [String: Any]) -> FakeResponse {
        guard var o = store(kind)[id] else { return fakeProblem(404, "Not Found", "\(kind.rawValue) \(id) not found") }
        if kind == .pod, o["cluster"] != nil {
            return fakeProblem(400, "Bad Request", "pod \(id) belongs to a cluster and cannot be modified via the pod endpoints")
        }
        if kind == .pod {
            let fixed = ["gpu", "cloud", "dataCenterIds", "dataCenterId"].filter { json[$0] != nil }
            if !fixed.isEmpty {
                return fakeProblem(
                    400, "Bad Request", "\(fixed.joined(separator: ", ")) cannot be changed on an existing pod; create a new pod",
                    errors: fixed.map { ["field": $0, "message": "not updatable"] })
            }
        }
        if let invalid = validateBody(json, schema: Self.updateSchemas[kind]!) { return invalid }
        if kind == .networkVolume, let size = json["size"] as? Int, let current = o["size"] as? Int, size < current {
            return fakeProblem(400, "Bad Request", "network volume size can only increase (\(current) GB -> \(size) GB)")
        }
        if kind == .endpoint, let problem = idleTimeoutRule(json, current: o) { return problem }
        if kind == .endpoint, var gpu = json["gpu"] as? [String: Any] {
            // RunPod v2 bug (runpod-mcp #63): a PATCH without excludedTypes erases the exclusions.
            if gpu["excludedTypes"] == nil { gpu["excludedTypes"] = [String]() }
            var merged = o["gpu"] as? [String: Any] ?? [:]
            for (k, v) in gpu { merged[k] = v }
            o["gpu"] = merged
        }
        for (key, value) in json where !(kind == .endpoint && key == "gpu") { o[key] = value }
        setStore(kind, id, o)
        // A pod PATCH restarts the container; a rename alone does not (it changes no container field).
        if kind == .pod && json.keys.contains(where: { $0 != "name" }) { markCreated(id) }
        return fakeObject(200, render(kind, o))
    }

    func podAction(_ id: String, _ json: [String: Any]) -> FakeResponse {
        guard pods[id] != nil else { return fakeProblem(404, "Not Found", "pod \(id) not found") }
        if let invalid = validateBody(json, schema: "PodActionRequest") { return invalid }
        switch json["action"] as? String {
        case "stop": mutate(.pod, id: id) { $0["desiredStatus"] = "EXITED" }
        case "start", "restart":
            mutate(.pod, id: id) { $0.removeValue(forKey: "desiredStatus") }
            markCreated(id)
        case "terminate": setStore(.pod, id, nil); return FakeResponse(status: 204, headers: [:], body: Data())
        default: break
        }
        return get(.pod, id)
    }
}

extension FakeRunPodState {
    func markCreated(_ id: String) { podCreatedAt[id] = Date() }
}
