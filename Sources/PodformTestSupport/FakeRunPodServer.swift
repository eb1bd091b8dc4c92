import FlyingFox
import FlyingSocks
import Foundation
import RunPodAPI

/// A loopback HTTP server standing in for RunPod's REST v2 API (and the Hugging Face Hub's
/// config.json and model.safetensors.index.json routes). Binds 127.0.0.1 on an ephemeral port unless told otherwise.
public final class FakeRunPodServer: Sendable {
    public let state: FakeRunPodState
    private let server: HTTPServer
    private let task: Task<Void, any Error>
    public let baseURL: URL

    /// Starts the server and waits until it listens.
    public init(apiKey: String, gpuTypes: Data, port: UInt16 = 0) async throws {
        let state = FakeRunPodState(apiKey: apiKey, gpuTypes: gpuTypes)
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: port), timeout: 30, logger: .disabled)
        await server.appendRoute("*") { request in await FakeRunPodServer.handle(request, state: state) }
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let bound)? = await server.listeningAddress else {
            task.cancel()
            throw URLError(.cannotConnectToHost)
        }
        self.state = state
        self.server = server
        self.task = task
        self.baseURL = URL(string: "http://127.0.0.1:\(bound)")!
    }

    /// Stops the server; call it when the test ends.
    public func stop() async {
        await server.stop(timeout: 0.05)
        task.cancel()
    }

    static func http(_ r: FakeResponse) -> HTTPResponse {
        var headers = HTTPHeaders()
        for (k, v) in r.headers { headers[HTTPHeader(k)] = v }
        return HTTPResponse(statusCode: HTTPStatusCode(r.status, phrase: "Status"), headers: headers, body: r.body)
    }

    static func handle(_ request: HTTPRequest, state: FakeRunPodState) async -> HTTPResponse {
        let body = (try? await request.bodyData) ?? Data()
        var query: [String: String] = [:]
        for item in request.query { query[item.name] = item.value }
        var headers: [String: String] = [:]
        if let auth = request.headers[.authorization] { headers["authorization"] = auth }
        let response = await state.respond(method: request.method.rawValue, path: request.path, query: query, body: body, headers: headers)
        return http(response)
    }
}

extension FakeRunPodState {
    /// Answers one request (auth, faults, routes) and records it.
    public func respond(method: String, path: String, query: [String: String], body: Data, headers: [String: String]) async -> FakeResponse {
        let response = await route(method: method, path: path, query: query, body: body, headers: headers)
        record(RecordedRequest(method: method, path: path, query: query, body: body, status: response.status))
        return response
    }

    func route(method: String, path: String, query: [String: String] = [:], body: Data, headers: [String: String]) async -> FakeResponse {
        if path.hasSuffix("/resolve/main/config.json") || path.hasSuffix("/resolve/main/model.safetensors.index.json") {
            return hub(path: path, headers: headers)
        }
        guard headers["authorization"] == "Bearer \(apiKey)" else {
            return fakeProblem(401, "Unauthorized", "invalid or missing API key")
        }
        var fault = takeFault(method, path)
        if case .delay(let seconds)? = fault {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            fault = nil
        }
        switch fault {
        case .status(let code)?: return fakeProblem(code, "Injected", "injected fault \(code)")
        case .rateLimited(let after)?:
            var r = fakeProblem(429, "Too Many Requests", "rate limited")
            r.headers["Retry-After"] = String(after)
            return r
        case .noCapacity?:
            return fakeProblem(
                500, "Internal Server Error",
                "There are no longer any instances available with the requested specifications. Please refresh and try again.")
        case .malformedBody?: return fakeJSON(200, Data("{\"pods\": [ this is not json".utf8))
        case .missingFields?:
            return fakeJSON(
                200,
                Data(
                    "{\"pods\": [{\"name\": \"no-id\"}], \"endpoints\": [{}], \"templates\": [{\"image\": 1}], \"networkVolumes\": [{\"id\": \"v\"}]}"
                        .utf8))
        case .hugeBody?: return fakeJSON(200, Data(repeating: UInt8(ascii: " "), count: 40 * 1_048_576))
        case .echoAuthorization(let code, let plainText)?:
            let echoed = headers["authorization"] ?? ""
            if plainText {
                return FakeResponse(
                    status: code, headers: ["Content-Type": "text/plain"],
                    body: Data("upstream rejected Authorization: \(echoed) (key=\(apiKey))\n".utf8))
            }
            var r = fakeProblem(
                code, "bad header Authorization: \(echoed)", "bad header Authorization: \(echoed); your key \(apiKey) is not valid here",
                errors: [["field": "authorization", "message": "got \(echoed)"], ["pointer": "/key", "detail": apiKey]])
            if code == 429 { r.headers["Retry-After"] = "1" }
            return r
        case .wrongContentType?:
            return FakeResponse(status: 200, headers: ["Content-Type": "text/html"], body: Data("<html><body>502 Bad Gateway</body></html>".utf8))
        default: break
        }
        var response = apply(method: method, path: path, query: query, body: body)
        if case .unknownEnum? = fault, var object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            if var pods = object["pods"] as? [[String: Any]] {
                for i in pods.indices { pods[i]["status"] = "HIBERNATING"; pods[i]["cloud"] = "MOON" }
                object["pods"] = pods
            }
            if object["status"] != nil { object["status"] = "HIBERNATING" }
            response.body = (try? JSONSerialization.data(withJSONObject: object)) ?? response.body
        }
        if case .succeedThen500? = fault, (200..<300).contains(response.status) {
            return fakeProblem(500, "Internal Server Error", "failed to read back the created resource")
        }
        return response
    }

    func hub(path: String, headers: [String: String]) -> FakeResponse {
        let id = path.dropFirst().components(separatedBy: "/resolve/").first ?? ""
        guard let data = hubConfigs[id] else { return fakeProblem(404, "Not Found", "Repository not found") }
        if gatedHubModels.contains(id) {
            guard let sent = headers["authorization"] else { return fakeProblem(401, "Unauthorized", "gated repository") }
            if sent != "Bearer \(hubToken ?? "")" { return fakeProblem(403, "Forbidden", "license not accepted") }
        }
        if path.hasSuffix("/model.safetensors.index.json") {
            guard let index = hubIndexes[id] else { return fakeProblem(404, "Not Found", "Entry not found") }
            return fakeJSON(200, index)
        }
        return fakeJSON(200, data)
    }
}
