import Foundation

extension RunPodClient {
    static let decoder = JSONDecoder()

    func decode<T: Decodable>(_ type: T.Type, _ data: Data, _ what: String) throws -> T {
        do { return try Self.decoder.decode(T.self, from: data) } catch { throw RunPodError.invalidResponse("\(what): \(Self.describe(error))") }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing `\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))`"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at `\(context.codingPath.map(\.stringValue).joined(separator: "."))`"
        case DecodingError.dataCorrupted(let context):
            return "malformed JSON (\(context.debugDescription.prefix(80)))"
        default:
            return "\(error)"
        }
    }

    /// A request body as JSON with sorted keys.
    ///
    /// - Throws: `EncodingError` for a number JSON cannot hold (NaN, infinity): sending `{}` in its
    ///   place would ask RunPod for something else.
    static func encode(_ body: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(body)
    }

    // MARK: Pods

    public func listPods() async throws -> [Pod] { try decode(PodList.self, await send("GET", "/v2/pods"), "pod list").pods }
    public func getPod(_ id: String) async throws -> Pod { try decode(Pod.self, await send("GET", "/v2/pods/\(id)"), "pod") }
    public func updatePod(_ id: String, _ body: JSONValue) async throws -> Pod {
        try decode(Pod.self, await send("PATCH", "/v2/pods/\(id)", body: try Self.encode(body)), "pod")
    }
    public func deletePod(_ id: String) async throws { _ = try await send("DELETE", "/v2/pods/\(id)") }
    /// `start`, `stop`, `restart` or `terminate`.
    public func podAction(_ id: String, _ action: String) async throws {
        _ = try await send("POST", "/v2/pods/\(id)/action", body: try Self.encode(["action": .string(action)]), idempotent: true)
    }
    /// The pod's recent log lines (`GET /v2/pods/{id}/logs`, an event stream), as text, redacted.
    public func podLogs(_ id: String, tail: Int = 100) async throws -> String {
        redact(String(decoding: try await send("GET", "/v2/pods/\(id)/logs", query: ["tail": String(tail)]), as: UTF8.self))
    }

    // MARK: Serverless endpoints

    public func listEndpoints() async throws -> [Endpoint] {
        try decode(EndpointList.self, await send("GET", "/v2/serverless"), "endpoint list").endpoints
    }
    public func getEndpoint(_ id: String) async throws -> Endpoint {
        try decode(Endpoint.self, await send("GET", "/v2/serverless/\(id)"), "endpoint")
    }
    public func updateEndpoint(_ id: String, _ body: JSONValue) async throws -> Endpoint {
        try decode(Endpoint.self, await send("PATCH", "/v2/serverless/\(id)", body: try Self.encode(body)), "endpoint")
    }
    public func deleteEndpoint(_ id: String) async throws { _ = try await send("DELETE", "/v2/serverless/\(id)") }
    public func endpointWorkers(_ id: String) async throws -> WorkerList {
        try decode(WorkerList.self, await send("GET", "/v2/serverless/\(id)/workers"), "worker list")
    }

    // MARK: Templates

    public func listTemplates() async throws -> [Template] {
        try decode(TemplateList.self, await send("GET", "/v2/templates"), "template list").templates
    }
    public func getTemplate(_ id: String) async throws -> Template { try decode(Template.self, await send("GET", "/v2/templates/\(id)"), "template") }
    public func updateTemplate(_ id: String, _ body: JSONValue) async throws -> Template {
        try decode(Template.self, await send("PATCH", "/v2/templates/\(id)", body: try Self.encode(body)), "template")
    }
    public func deleteTemplate(_ id: String) async throws { _ = try await send("DELETE", "/v2/templates/\(id)") }

    // MARK: Network volumes

    public func listNetworkVolumes() async throws -> [NetworkVolume] {
        try decode(NetworkVolumeList.self, await send("GET", "/v2/network-volumes"), "network volume list").networkVolumes
    }
    public func updateNetworkVolume(_ id: String, _ body: JSONValue) async throws -> NetworkVolume {
        try decode(NetworkVolume.self, await send("PATCH", "/v2/network-volumes/\(id)", body: try Self.encode(body)), "network volume")
    }
    public func deleteNetworkVolume(_ id: String) async throws { _ = try await send("DELETE", "/v2/network-volumes/\(id)") }

    // MARK: Registries, catalog

    public func listRegistries() async throws -> [Registry] {
        try decode(RegistryList.self, await send("GET", "/v2/registries"), "registry list").registries
    }
    public func listDataCenters() async throws -> [DataCenter] {
        try decode(DataCenterList.self, await send("GET", "/v2/catalog/datacenters"), "data center list").dataCenters
    }

    // MARK: Creates that are safe to retry

    /// The id, name and env of each resource of `kind`, from its list (volumes carry no env).
    public func listIDs(_ kind: ResourceKind) async throws -> [(id: String, name: String, env: [String: String]?)] {
        switch kind {
        case .pod: return try await listPods().filter { $0.status != "TERMINATED" }.map { ($0.id, $0.name ?? "", $0.env) }
        case .endpoint: return try await listEndpoints().map { ($0.id, $0.name ?? "", $0.env) }
        case .template: return try await listTemplates().map { ($0.id, $0.name ?? "", $0.env) }
        case .networkVolume: return try await listNetworkVolumes().map { ($0.id, $0.name, nil) }
        case .cluster:
            // A cluster carries no env of its own: its markers are its member pods'.
            var out: [(id: String, name: String, env: [String: String]?)] = []
            for c in try await listClusters() { out.append((c.id, c.name, try await clusterPods(c.id).first?.env)) }
            return out
        }
    }

    /// Creates a resource named `name` without ever duplicating it: a create that fails with a
    /// 5xx, a timeout or a dropped connection may still have happened (RunPod can answer 500 after
    /// creating a pod), so the client looks the name up before trying again, at most `attempts` times.
    ///
    /// - Parameters:
    ///   - excluding: ids of same-named resources that are not this one (a pod being replaced).
    ///   - adoptable: whether a same-named resource found after a failed create is the one this
    ///     create made (its env carries the caller's ownership markers). One that is not is never
    ///     returned: the create fails instead, naming it.
    /// - Returns: the new (or found) resource's id and whether it was found rather than created.
    public func createOnce(
        _ kind: ResourceKind, name: String, body: JSONValue, attempts: Int = 2,
        excluding: Set<String> = [],
        adoptable: @Sendable ([String: String]?) -> Bool = { _ in true }
    ) async throws -> (id: String, found: Bool) {
        var lastError: Error = RunPodError.transport("no attempt made")
        func lookUp() async throws -> (id: String, found: Bool)? {
            let named = try await listIDs(kind).filter { $0.name == name && !excluding.contains($0.id) }
            if let mine = named.first(where: { adoptable($0.env) }) { return (mine.id, true) }
            if let other = named.first {
                throw RunPodError.conflict("\(kind.rawValue) \(name) exists (\(other.id)) but is not podform's for this spec; not adopting it")
            }
            return nil
        }
        for attempt in 1...max(attempts, 1) {
            if attempt > 1, let existing = try await lookUp() { return existing }
            do {
                let data = try await send("POST", kind.collectionPath, body: try Self.encode(body), idempotent: false)
                struct Created: Decodable { var id: String }
                return (try decode(Created.self, data, "\(kind.rawValue) create").id, false)
            } catch let error as RunPodError {
                lastError = error
                switch error {
                case .server, .transport, .invalidResponse: continue  // may have been created: look it up first
                default: throw error
                }
            }
        }
        if let existing = try await lookUp() { return existing }
        throw lastError
    }
}
