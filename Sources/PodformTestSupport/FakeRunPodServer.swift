import FlyingFox
import FlyingSocks
import Foundation

/// A request the fake received (the Authorization header is recorded only as "Bearer <redacted>").
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var body: Data
}

/// In-memory state of the fake RunPod: canned catalog data, Hub configs and injected faults.
public actor FakeRunPodState {
    public var apiKey: String
    public var gpuTypes: Data
    /// Hugging Face `owner/name` -> config.json bytes, served at `/owner/name/resolve/main/config.json`.
    public var hubConfigs: [String: Data] = [:]
    /// Hub ids answered with 401 (gated without a token) unless the token matches `hubToken`.
    public var gatedHubModels: Set<String> = []
    public var hubToken: String?
    /// Statuses to answer with before serving normally (one per request), for retry tests.
    public var faults: [Int] = []
    public private(set) var requests: [RecordedRequest] = []

    public init(apiKey: String, gpuTypes: Data) {
        self.apiKey = apiKey
        self.gpuTypes = gpuTypes
    }

    public func setGPUTypes(_ data: Data) { gpuTypes = data }
    public func setFaults(_ statuses: [Int]) { faults = statuses }
    public func addHubConfig(_ id: String, _ data: Data, gated: Bool = false) {
        hubConfigs[id] = data
        if gated { gatedHubModels.insert(id) }
    }
    public func setHubToken(_ token: String?) { hubToken = token }

    func record(_ r: RecordedRequest) { requests.append(r) }
    func nextFault() -> Int? { faults.isEmpty ? nil : faults.removeFirst() }
}

/// A loopback HTTP server standing in for RunPod's REST v2 API (and the Hugging Face Hub's
/// config.json route) in tests. Binds 127.0.0.1 on an ephemeral port.
public final class FakeRunPodServer: Sendable {
    public let state: FakeRunPodState
    private let server: HTTPServer
    private let task: Task<Void, any Error>
    public let baseURL: URL

    /// Starts the server and waits until it listens.
    public init(apiKey: String, gpuTypes: Data) async throws {
        let state = FakeRunPodState(apiKey: apiKey, gpuTypes: gpuTypes)
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 10, logger: .disabled)
        await server.appendRoute("*") { request in await FakeRunPodServer.handle(request, state: state) }
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            task.cancel()
            throw URLError(.cannotConnectToHost)
        }
        self.state = state
        self.server = server
        self.task = task
        self.baseURL = URL(string: "http://127.0.0.1:\(port)")!
    }

    /// Stops the server; call it when the test ends.
    public func stop() async {
        await server.stop(timeout: 0.05)
        task.cancel()
    }

    static func json(_ status: Int, _ body: Data, contentType: String = "application/json") -> HTTPResponse {
        HTTPResponse(statusCode: HTTPStatusCode(status, phrase: "Status"), headers: [HTTPHeader("Content-Type"): contentType], body: body)
    }

    static func problem(_ status: Int, _ title: String, _ detail: String) -> HTTPResponse {
        let body = try! JSONSerialization.data(withJSONObject: ["title": title, "status": status, "detail": detail], options: [.sortedKeys])
        return json(status, body, contentType: "application/problem+json")
    }

    static func handle(_ request: HTTPRequest, state: FakeRunPodState) async -> HTTPResponse {
        let body = (try? await request.bodyData) ?? Data()
        var query: [String: String] = [:]
        for item in request.query { query[item.name] = item.value }
        await state.record(RecordedRequest(method: request.method.rawValue, path: request.path, query: query, body: body))
        let path = request.path
        if path.hasSuffix("/resolve/main/config.json") {
            let id = path.dropFirst().components(separatedBy: "/resolve/").first ?? ""
            guard let data = await state.hubConfigs[id] else { return problem(404, "Not Found", "Repository not found") }
            if await state.gatedHubModels.contains(id) {
                let token = await state.hubToken
                let sent = request.headers[.authorization]
                if sent == nil { return problem(401, "Unauthorized", "gated repository") }
                if sent != "Bearer \(token ?? "")" { return problem(403, "Forbidden", "license not accepted") }
            }
            return json(200, data)
        }
        let key = await state.apiKey
        guard request.headers[.authorization] == "Bearer \(key)" else {
            return problem(401, "Unauthorized", "invalid or missing API key")
        }
        if let status = await state.nextFault() {
            if status == 429 {
                var r = problem(429, "Too Many Requests", "rate limited")
                r.headers[HTTPHeader("Retry-After")] = "0"
                return r
            }
            return problem(status, "Fault", "injected fault")
        }
        switch (request.method.rawValue, path) {
        case ("GET", "/v2/catalog/gpus"):
            return json(200, await state.gpuTypes)
        default:
            return problem(404, "Not Found", "no route \(request.method.rawValue) \(path) in the fake")
        }
    }
}
