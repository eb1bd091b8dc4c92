import Foundation
import RunPodAPI

/// A request the fake received. The Authorization header is never recorded.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var body: Data
    public var status: Int
}

/// A fault to inject into matching requests (`Specs/state.md` lists what apply must survive).
public struct Fault: Sendable {
    public enum Kind: Sendable, Equatable {
        /// Answer with this status and a problem body.
        case status(Int)
        /// 429 with `Retry-After`.
        case rateLimited(retryAfter: Int)
        /// Wait before answering normally.
        case delay(seconds: Double)
        /// 500 "There are no longer any instances available with the requested specifications".
        case noCapacity
        /// Carry out the request, then answer 500 (RunPod does this on pod creates).
        case succeedThen500
        /// Answer 200 with a body that is not JSON.
        case malformedBody
        /// Answer 200 with list items or objects missing required fields.
        case missingFields
        /// Answer normally but with an enum value RunPod has not documented (status "HIBERNATING").
        case unknownEnum
        /// Answer 200 with a 40 MB body.
        case hugeBody
        /// Answer 200 with an HTML page (a proxy's error page).
        case wrongContentType
        /// Answer `status` with the request's Authorization header and the bare key echoed in every
        /// field: problem `title`, `detail`, `errors[].message`/`detail` (or a text/plain body).
        case echoAuthorization(status: Int, plainText: Bool = false)
    }
    public var method: String?
    public var pathPrefix: String?
    public var kind: Kind
    public var remaining: Int

    public init(_ kind: Kind, method: String? = nil, pathPrefix: String? = nil, times: Int = 1) {
        self.kind = kind
        self.method = method
        self.pathPrefix = pathPrefix
        self.remaining = times
    }

    func matches(_ method: String, _ path: String) -> Bool {
        (self.method == nil || self.method == method) && (pathPrefix == nil || path.hasPrefix(pathPrefix!))
    }
}

/// In-memory RunPod: pods, endpoints, templates, network volumes, the GPU catalog, faults, a request log.
public actor FakeRunPodState {
    public var apiKey: String
    public var gpuTypes: Data
    public var hubConfigs: [String: Data] = [:]
    /// `model.safetensors.index.json` by repository (the checkpoint's size); none: the Hub's 404.
    public var hubIndexes: [String: Data] = [:]
    public var gatedHubModels: Set<String> = []
    public var hubToken: String?
    public private(set) var faults: [Fault] = []
    public private(set) var requests: [RecordedRequest] = []
    /// Stored resources by id, as JSON objects in the wire format.
    public private(set) var pods: [String: [String: Any]] = [:]
    public private(set) var endpoints: [String: [String: Any]] = [:]
    public private(set) var templates: [String: [String: Any]] = [:]
    public private(set) var volumes: [String: [String: Any]] = [:]
    /// Instant Clusters; their member pods are in `pods`, each with a `cluster` membership.
    public private(set) var clusters: [String: [String: Any]] = [:]
    /// Whether creates spread the template's fields (image, env...) into endpoints and pods, as
    /// RunPod documents; off, the fake returns only what the request carried.
    public var spreadTemplateFields = true
    public func setSpreadTemplateFields(_ on: Bool) { spreadTemplateFields = on }
    /// Seconds a pod spends PROVISIONING, then STARTING, before RUNNING.
    public var podPhaseSeconds: Double = 0.2
    var podCreatedAt: [String: Date] = [:]
    /// GPU stock (`setStock`): "PRODUCT|GPU|DC" -> level, `*` for any; unset: HIGH everywhere.
    var stockLevels: [String: String] = [:]
    private var nextID = 1
    let validator: OpenAPIValidator?

    public init(apiKey: String, gpuTypes: Data, validator: OpenAPIValidator? = try? .bundled()) {
        self.apiKey = apiKey
        self.gpuTypes = gpuTypes
        self.validator = validator
    }

    public func setGPUTypes(_ data: Data) { gpuTypes = data }
    public func setFaults(_ statuses: [Int]) { faults = statuses.map { Fault(.status($0)) } }
    public func inject(_ fault: Fault) { faults.append(fault) }
    public func clearFaults() { faults = [] }
    public func addHubConfig(_ id: String, _ data: Data, gated: Bool = false) {
        hubConfigs[id] = data
        if gated { gatedHubModels.insert(id) }
    }
    public func addHubIndex(_ id: String, _ data: Data) { hubIndexes[id] = data }
    public func setHubToken(_ token: String?) { hubToken = token }
    public func setPodPhaseSeconds(_ s: Double) { podPhaseSeconds = s }
    public func clearRequests() { requests = [] }

    /// Requests that changed state (POST, PATCH, DELETE).
    public var writeCount: Int { requests.filter { ["POST", "PATCH", "DELETE"].contains($0.method) }.count }

    /// Counts of stored resources by kind, for duplicate/orphan checks.
    public func counts() -> [String: Int] {
        var out = [
            "pods": pods.values.filter { $0["cluster"] == nil }.count, "endpoints": endpoints.count, "templates": templates.count,
            "network_volumes": volumes.count
        ]
        // Clusters and their member pods, once there are any.
        let members = pods.values.filter { $0["cluster"] != nil }.count
        if !clusters.isEmpty || members > 0 { out["clusters"] = clusters.count; out["cluster_pods"] = members }
        return out
    }

    /// Ids of stored resources of a kind.
    public func ids(_ kind: ResourceKind) -> [String] { store(kind).keys.sorted() }

    /// A string field of a stored resource.
    public func field(_ kind: ResourceKind, id: String, _ key: String) -> String? { store(kind)[id]?[key] as? String }

    /// Names of stored resources of a kind.
    public func names(_ kind: ResourceKind) -> [String] {
        store(kind).values.compactMap { $0["name"] as? String }.sorted()
    }

    /// Adds a resource directly (a resource podform does not own, or drift).
    @discardableResult
    public func seed(_ kind: ResourceKind, _ object: [String: Any]) -> String {
        let id = newID(kind)
        var o = object
        o["id"] = id
        setStore(kind, id, o)
        return id
    }

    /// Changes a stored resource directly (drift RunPod or a person causes).
    public func mutate(_ kind: ResourceKind, id: String, _ change: @Sendable (inout [String: Any]) -> Void) {
        guard var o = store(kind)[id] else { return }
        change(&o)
        setStore(kind, id, o)
    }

    func record(_ r: RecordedRequest) { requests.append(r) }

    func takeFault(_ method: String, _ path: String) -> Fault.Kind? {
        guard let index = faults.firstIndex(where: { $0.matches(method, path) && $0.remaining > 0 }) else { return nil }
        faults[index].remaining -= 1
        let kind = faults[index].kind
        if faults[index].remaining == 0 { faults.remove(at: index) }
        return kind
    }

    func newID(_ kind: ResourceKind) -> String {
        defer { nextID += 1 }
        let prefix = ["network_volume": "vol", "template": "tpl", "endpoint": "ep", "pod": "pod", "cluster": "cluster_"][kind.rawValue] ?? "x"
        return "\(prefix)\(String(format: "%06d", nextID))"
    }

    func store(_ kind: ResourceKind) -> [String: [String: Any]] {
        switch kind {
        case .pod: return pods
        case .endpoint: return endpoints
        case .template: return templates
        case .networkVolume: return volumes
        case .cluster: return clusters
        }
    }

    func setStore(_ kind: ResourceKind, _ id: String, _ value: [String: Any]?) {
        switch kind {
        case .pod: pods[id] = value
        case .endpoint: endpoints[id] = value
        case .template: templates[id] = value
        case .networkVolume: volumes[id] = value
        case .cluster: clusters[id] = value
        }
    }

    func podStatus(_ id: String) -> String {
        guard let created = podCreatedAt[id] else { return (pods[id]?["status"] as? String) ?? "RUNNING" }
        if let s = pods[id]?["desiredStatus"] as? String, s != "RUNNING" { return s }
        let age = Date().timeIntervalSince(created)
        if age < podPhaseSeconds { return "PROVISIONING" }
        if age < podPhaseSeconds * 2 { return "STARTING" }
        return "RUNNING"
    }

    func knownGPUIDs() -> (ids: Set<String>, pools: Set<String>) {
        guard let root = try? JSONSerialization.jsonObject(with: gpuTypes) as? [String: Any],
            let gpus = root["gpus"] as? [[String: Any]]
        else { return ([], []) }
        return (Set(gpus.compactMap { $0["id"] as? String }), Set(gpus.compactMap { $0["pool"] as? String }))
    }
}
