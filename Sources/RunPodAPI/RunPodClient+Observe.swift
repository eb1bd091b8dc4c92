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
    /// calling `onLine` per line. Without `follow` it stops once the backfill is read (no data for `idle` seconds).
    public func streamLogs(path: String, tail: Int, follow: Bool, idle: TimeInterval = 2,
                           onLine: @escaping @Sendable (LogLine) -> Void) async throws {
        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "tail", value: String(tail))]
        guard let url = components.url else { throw RunPodError.transport("bad URL for \(path)") }
        var request = URLRequest(url: url, timeoutInterval: follow ? 24 * 3600 : max(timeout, idle * 4))
        request.setValue("Bearer \(apiKeyForStreaming)", forHTTPHeaderField: "Authorization")
        request.setValue("text/event-stream", forHTTPHeaderField: "Accept")
        let delegate = SSEDelegate(onLine: onLine)
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: request)
        task.resume()
        while true {
            try await Task.sleep(nanoseconds: 100_000_000)
            if let status = delegate.status, !(200..<300).contains(status) {
                throw RunPodError.from(status: status, body: delegate.errorBody, headers: [:])
            }
            if let error = delegate.failure { throw RunPodError.transport(redact(error)) }
            if delegate.finished { return }
            if !follow, Date().timeIntervalSince(delegate.lastData) > idle { task.cancel(); return }
            if Task.isCancelled { task.cancel(); return }
        }
    }
}

/// Receives an event stream incrementally (URLSession data delegate; works on Linux).
final class SSEDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""
    private var _status: Int?
    private var _finished = false
    private var _failure: String?
    private var _lastData = Date()
    private var _errorBody = Data()
    let onLine: @Sendable (LogLine) -> Void

    init(onLine: @escaping @Sendable (LogLine) -> Void) { self.onLine = onLine }

    var status: Int? { lock.lock(); defer { lock.unlock() }; return _status }
    var finished: Bool { lock.lock(); defer { lock.unlock() }; return _finished }
    var failure: String? { lock.lock(); defer { lock.unlock() }; return _failure }
    var lastData: Date { lock.lock(); defer { lock.unlock() }; return _lastData }
    var errorBody: Data { lock.lock(); defer { lock.unlock() }; return _errorBody }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock(); _status = (response as? HTTPURLResponse)?.statusCode; _lastData = Date(); lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        _lastData = Date()
        if let s = _status, !(200..<300).contains(s) { _errorBody.append(data); lock.unlock(); return }
        buffer += String(decoding: data, as: UTF8.self)
        var complete: [String] = []
        while let range = buffer.range(of: "\n") {
            complete.append(String(buffer[..<range.lowerBound]))
            buffer.removeSubrange(..<range.upperBound)
        }
        lock.unlock()
        for line in RunPodClient.parseLogEvents(complete.joined(separator: "\n")) { onLine(line) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        if let error, (error as NSError).code != NSURLErrorCancelled { _failure = error.localizedDescription }
        _finished = true
        lock.unlock()
    }
}
