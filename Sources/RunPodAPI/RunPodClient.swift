import Foundation
import Logging

/// How requests are retried: 429 honours Retry-After; 5xx and connection failures back off
/// exponentially with jitter, bounded in attempts and total time. Creates are never retried here.
public struct RetryPolicy: Sendable {
    public var maxAttempts = 4
    public var baseDelay: Double = 0.5
    public var maxDelay: Double = 8
    public var maxTotal: Double = 60

    public init() {}
    public static let none: RetryPolicy = {
        var p = RetryPolicy(); p.maxAttempts = 1; return p
    }()
}

/// The RunPod REST v2 client: base URL, Bearer auth, timeouts, retries, typed errors.
public struct RunPodClient: Sendable {
    public static let defaultBaseURL = URL(string: "https://api.runpod.io")!

    public var baseURL: URL
    private let apiKey: String
    public var transport: any HTTPTransport
    public var retry: RetryPolicy
    public var timeout: TimeInterval
    /// Sleeps between retries (injectable so tests do not wait).
    public var sleep: @Sendable (Double) async -> Void
    /// Request log (method, path, status, time; never headers or bodies): debug level.
    public var logger: Logger = Logger(label: "podform.runpod")
    /// Removes the key (and any other credential added, such as `HF_TOKEN`) from every string an
    /// answer brings: error details, transport messages, log lines.
    public var redactor: Redactor

    public init(
        baseURL: URL = RunPodClient.defaultBaseURL, apiKey: String, transport: any HTTPTransport = URLSessionTransport(),
        retry: RetryPolicy = RetryPolicy(), timeout: TimeInterval = 30,
        sleep: @escaping @Sendable (Double) async -> Void = { try? await Task.sleep(nanoseconds: RetryAfter.nanoseconds($0)) }
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.redactor = Redactor(secrets: [apiKey])
        self.transport = transport
        self.retry = retry
        self.timeout = timeout
        self.sleep = sleep
    }

    /// `RUNPOD_API_KEY`, else the first line of `keyFile`.
    public static func apiKey(environment: [String: String], keyFile: String?) throws -> String {
        if let file = keyFile {
            let text = try readKeyFile(file)
            let key = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            if key.isEmpty { throw RunPodError.missingAPIKey }
            return key
        }
        guard let key = environment["RUNPOD_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty else {
            throw RunPodError.missingAPIKey
        }
        return key
    }

    /// The most bytes read from an API key file (a key is under 100 bytes).
    static let maxKeyFileBytes = 64 * 1024

    /// Reads a key file after checking it is a regular file of sane size (never a 5 GB file or a device).
    static func readKeyFile(_ path: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw RunPodError.keyFile("cannot read \(path)") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw RunPodError.keyFile("\(path) is not a regular file")
        }
        guard info.st_size <= maxKeyFileBytes else {
            throw RunPodError.keyFile("\(path) is \(info.st_size) bytes; a key file holds one key (limit \(maxKeyFileBytes) bytes)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RunPodError.keyFile("cannot read \(path)") }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxKeyFileBytes + 1)) ?? Data()
        guard data.count <= maxKeyFileBytes, let text = String(data: data, encoding: .utf8) else {
            throw RunPodError.keyFile("\(path) is not a short UTF-8 text file")
        }
        return text
    }

    /// Sends a request to `path` (e.g. `/v2/catalog/gpus`) and returns the 2xx body.
    public func send(
        _ method: String, _ path: String, query: [String: String] = [:], body: Data? = nil,
        idempotent: Bool? = nil
    ) async throws -> Data {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        guard let url = components.url else { throw RunPodError.transport("bad URL for \(path)") }
        var headers = ["Authorization": "Bearer \(apiKey)", "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        let request = HTTPRequestData(method: method, url: url, headers: headers, body: body, timeout: timeout)
        let retryable = idempotent ?? (method == "GET" || method == "DELETE" || method == "PATCH")
        let started = Date()
        var attempt = 0
        while true {
            attempt += 1
            let response: HTTPResponseData
            let sentAt = Date()
            do {
                response = try await transport.send(request)
                logger.debug("\(method) \(path) -> \(response.status) (\(Int(Date().timeIntervalSince(sentAt) * 1000)) ms, attempt \(attempt))")
            } catch let error as RunPodError {
                logger.debug("\(method) \(path) failed: \(error)")
                throw error
            } catch let error as TransferError {
                logger.debug("\(method) \(path) stopped: \(error) (attempt \(attempt))")
                switch error {
                case .idleTimeout:
                    if retryable, attempt < retry.maxAttempts, Date().timeIntervalSince(started) < retry.maxTotal {
                        await sleep(backoff(attempt))
                        continue
                    }
                    throw RunPodError.transport(error.description)
                case .totalTimeout, .bodyTooLarge: throw RunPodError.invalidResponse(error.description)
                case .crossOriginRedirect(let from, let to, let status): throw RunPodError.redirectRefused(from: from, to: to, status: status)
                }
            } catch {
                let message = redact(error.localizedDescription)
                logger.debug("\(method) \(path) failed: \(message) (attempt \(attempt))")
                if retryable, attempt < retry.maxAttempts, Date().timeIntervalSince(started) < retry.maxTotal {
                    await sleep(backoff(attempt))
                    continue
                }
                throw RunPodError.transport(message)
            }
            if (200..<300).contains(response.status) { return response.body }
            let error = RunPodError.from(status: response.status, body: response.body, headers: response.headers, redactor: redactor)
            let transient = response.status == 429 || response.status >= 500
            if transient, retryable, attempt < retry.maxAttempts, Date().timeIntervalSince(started) < retry.maxTotal {
                if case .rateLimited(let after?) = error, after.isFinite, after >= 0 {
                    await sleep(min(after, retry.maxDelay * 4))
                } else {
                    await sleep(backoff(attempt))
                }
                continue
            }
            throw error
        }
    }

    func backoff(_ attempt: Int) -> Double {
        let exponential = min(retry.maxDelay, retry.baseDelay * pow(2, Double(attempt - 1)))
        return exponential / 2 + Double.random(in: 0...(exponential / 2))
    }

    /// The key, for the streaming logs request (which bypasses `send`).
    var apiKeyForStreaming: String { apiKey }

    /// Removes the key, other credentials in use and anything secret-shaped from text an answer brought.
    func redact(_ text: String) -> String { redactor(text) }

    /// `GET /v2/catalog/gpus`: every GPU type with memory, pool and list prices (raw JSON).
    public func listGPUTypes() async throws -> Data {
        try await send("GET", "/v2/catalog/gpus")
    }
}

extension RunPodClient: CustomStringConvertible {
    /// Never prints the key.
    public var description: String { "RunPodClient(\(baseURL.absoluteString))" }
}
