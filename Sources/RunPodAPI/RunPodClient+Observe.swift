import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A log line from the v2 logs endpoints (an SSE `data:` payload).
public struct LogLine: Sendable, Codable, Hashable {
    public var ts: String?
    public var source: String?
    public var line: String
}

extension RunPodClient {
    /// Total spend of a pod over the last `days` days (`GET /v2/billing/pods?podId=`).
    public func podSpend(_ podID: String, days: Int = 30) async throws -> Double {
        try await spend("/v2/billing/pods", ["podId": podID, "bucketSize": "day", "lastN": String(days)])
    }

    /// Total spend of a serverless endpoint over the last `days` days (`GET /v2/billing/serverless?serverlessId=`).
    public func endpointSpend(_ endpointID: String, days: Int = 30) async throws -> Double {
        try await spend("/v2/billing/serverless", ["serverlessId": endpointID, "bucketSize": "day", "lastN": String(days)])
    }

    func spend(_ path: String, _ query: [String: String]) async throws -> Double {
        struct Records: Decodable { struct R: Decodable { var totalAmount: Double? }; var records: [R] }
        return try decode(Records.self, await send("GET", path, query: query), "billing").records.compactMap(\.totalAmount).reduce(0, +)
    }

    /// Parses a Server-Sent Events body into log lines (`data:` payloads with `ts`, `source`, `line`).
    public static func parseLogEvents(_ text: String) -> [LogLine] {
        text.split(separator: "\n").compactMap { raw -> LogLine? in
            guard raw.hasPrefix("data:") else { return nil }
            let payload = raw.dropFirst(5).trimmingCharacters(in: .whitespaces)
            if let data = payload.data(using: .utf8), let line = try? JSONDecoder().decode(LogLine.self, from: data) { return line }
            return LogLine(ts: nil, source: nil, line: payload)
        }
    }

    /// Reads a log stream (pod: `/v2/pods/{id}/logs`; worker: `/v2/serverless/{id}/workers/{workerId}/logs`),
    /// calling `onLine` per line, redacted. Without `follow` it stops once the backfill is read (no
    /// data for `idle` seconds), and fails past `limits` (bytes, total time); with `follow` only a
    /// line longer than `maxLineBytes` or an error body over 64 KB stops it.
    public func streamLogs(
        path: String, tail: Int, follow: Bool, idle: TimeInterval = 2,
        limits: TransferLimits = TransferLimits(), maxLineBytes: Int = 1_048_576,
        onLine: @escaping @Sendable (LogLine) -> Void
    ) async throws {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "tail", value: String(tail))]
        guard let url = components.url else { throw RunPodError.transport("bad URL for \(path)") }
        var request = URLRequest(url: url, timeoutInterval: follow ? 24 * 3600 : max(timeout, idle * 4))
        request.setValue("Bearer \(apiKeyForStreaming)", forHTTPHeaderField: "Authorization")
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        let redactor = self.redactor
        let delegate = SSEDelegate(origin: Origin(url), maxLineBytes: maxLineBytes, maxBytes: follow ? nil : limits.maxBodyBytes) { line in
            var clean = line
            clean.line = redactor(line.line)
            clean.source = line.source.map { redactor($0) }
            onLine(clean)
        }
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        let started = Date()
        task.resume()
        while true {
            try await Task.sleep(nanoseconds: 100_000_000)
            if let stop = delegate.stop {
                task.cancel()
                switch stop {
                case .crossOriginRedirect(let from, let to, let status): throw RunPodError.redirectRefused(from: from, to: to, status: status)
                default: throw RunPodError.invalidResponse("log stream: \(stop)")
                }
            }
            if let status = delegate.status, !(200..<300).contains(status),
                delegate.finished || delegate.errorBody.count >= SSEDelegate.maxErrorBody || Date().timeIntervalSince(delegate.lastData) > idle
            {
                task.cancel()
                throw RunPodError.from(status: status, body: delegate.errorBody, headers: [:], redactor: redactor)
            }
            if let error = delegate.failure { throw RunPodError.transport(redact(error)) }
            if delegate.finished { return }
            if !follow, Date().timeIntervalSince(delegate.lastData) > idle { task.cancel(); return }
            if !follow, Date().timeIntervalSince(started) > limits.totalTimeout {
                task.cancel()
                throw RunPodError.invalidResponse("log stream: \(TransferError.totalTimeout(seconds: limits.totalTimeout))")
            }
            if Task.isCancelled { task.cancel(); return }
        }
    }
}

/// Receives an event stream incrementally (URLSession data delegate; works on Linux), holding at
/// most one unfinished line (`maxLineBytes`) and 64 KB of an error body, never the whole stream.
final class SSEDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    static let maxErrorBody = 65_536
    private let lock = NSLock()
    private var buffer = Data()
    private var _status: Int?
    private var _finished = false
    private var _failure: String?
    private var _stop: TransferError?
    private var _lastData = Date()
    private var _errorBody = Data()
    private var received = 0
    private let origin: Origin?
    private let maxLineBytes: Int
    private let maxBytes: Int?
    let onLine: @Sendable (LogLine) -> Void

    init(origin: Origin?, maxLineBytes: Int, maxBytes: Int?, onLine: @escaping @Sendable (LogLine) -> Void) {
        self.origin = origin
        self.maxLineBytes = maxLineBytes
        self.maxBytes = maxBytes
        self.onLine = onLine
    }

    var status: Int? { lock.lock(); defer { lock.unlock() }; return _status }
    var finished: Bool { lock.lock(); defer { lock.unlock() }; return _finished }
    var failure: String? { lock.lock(); defer { lock.unlock() }; return _failure }
    var stop: TransferError? { lock.lock(); defer { lock.unlock() }; return _stop }
    var lastData: Date { lock.lock(); defer { lock.unlock() }; return _lastData }
    var errorBody: Data { lock.lock(); defer { lock.unlock() }; return _errorBody }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.lock(); _status = (response as? HTTPURLResponse)?.statusCode; _lastData = Date(); lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        let target = Origin(request.url)
        if let origin, target == origin { return completionHandler(request) }
        lock.lock()
        _stop = .crossOriginRedirect(from: origin?.description ?? "?", to: target?.description ?? "an unreadable URL", status: response.statusCode)
        lock.unlock()
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        _lastData = Date()
        received += data.count
        if _stop != nil { lock.unlock(); return }  // cancelled already; chunks still queued are dropped
        if let s = _status, !(200..<300).contains(s) {
            _errorBody.append(data.prefix(max(0, Self.maxErrorBody - _errorBody.count)))
            lock.unlock()
            return
        }
        if let maxBytes, received > maxBytes {
            _stop = .bodyTooLarge(limit: maxBytes)
            lock.unlock()
            dataTask.cancel()
            return
        }
        buffer.append(data)
        var complete: [String] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            complete.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
            buffer.removeSubrange(buffer.startIndex...newline)
        }
        if buffer.count > maxLineBytes {
            _stop = .bodyTooLarge(limit: maxLineBytes)
            buffer = Data()
        }
        let stopNow = _stop != nil
        lock.unlock()
        for line in RunPodClient.parseLogEvents(complete.joined(separator: "\n")) { onLine(line) }
        if stopNow { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        if let error, (error as NSError).code != NSURLErrorCancelled { _failure = error.localizedDescription }
        _finished = true
        lock.unlock()
    }
}
