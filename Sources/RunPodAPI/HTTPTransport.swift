import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP request as the client builds it.
public struct HTTPRequestData: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?
    public var timeout: TimeInterval

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: TimeInterval = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// An HTTP response: status, headers (lower-cased names) and body.
public struct HTTPResponseData: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The one seam between the client and the network: send a request, get a response.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData
}

/// Foundation's URLSession (libcurl on Linux).
public struct URLSessionTransport: HTTPTransport {
    /// The most bytes accepted in one response body (RunPod lists are far smaller).
    public var maxBodyBytes = 32 * 1_048_576

    public init() {}

    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = request.timeout
        configuration.timeoutIntervalForResource = request.timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        // The completion-handler API, not `data(for:)`: on Linux, a Swift task cancelled while its
        // `data(for:)` is in flight can deadlock inside FoundationNetworking's cancel path. The
        // request's own timeout bounds the wait instead.
        let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: urlRequest) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                guard let response else { continuation.resume(throwing: RunPodError.invalidResponse("no response")); return }
                continuation.resume(returning: (data ?? Data(), response))
            }
            task.resume()
        }
        guard let http = response as? HTTPURLResponse else { throw RunPodError.invalidResponse("not an HTTP response") }
        guard data.count <= maxBodyBytes else { throw RunPodError.invalidResponse("response body over \(maxBodyBytes) bytes") }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
        }
        return HTTPResponseData(status: http.statusCode, headers: headers, body: data)
    }
}
