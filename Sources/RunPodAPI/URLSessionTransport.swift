import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Foundation's URLSession (libcurl on Linux), with limits enforced while the body arrives and a
/// redirect policy that never hands credentials or a body to another origin.
///
/// It uses the delegate API, not `data(for:)` or a completion handler: the data delegate counts
/// bytes as they come and a timer checks the idle and total deadlines; over a limit the
/// `URLSessionTask` itself is cancelled (on Linux, cancelling a Swift task while `data(for:)` is
/// in flight can deadlock inside FoundationNetworking's cancel path).
public struct URLSessionTransport: HTTPTransport {
    /// Size and time bounds for every exchange.
    public var limits: TransferLimits
    /// Which redirects are followed.
    public var redirects: RedirectPolicy

    /// The most bytes accepted in one response body.
    public var maxBodyBytes: Int {
        get { limits.maxBodyBytes }
        set { limits.maxBodyBytes = newValue }
    }

    public init(limits: TransferLimits = TransferLimits(), redirects: RedirectPolicy = .sameOriginOnly) {
        self.limits = limits
        self.redirects = redirects
    }

    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        try await withCheckedThrowingContinuation { continuation in
            start(request) { continuation.resume(with: $0) }
        }
    }

    /// Starts the exchange and calls `completion` exactly once, on a URLSession queue. For callers
    /// that are not async (the Hub fetch); `send` is this, awaited.
    public func start(_ request: HTTPRequestData, completion: @escaping @Sendable (Result<HTTPResponseData, any Error>) -> Void) {
        var urlRequest = URLRequest(url: request.url, timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let idle = max(0.05, min(limits.idleTimeout, request.timeout))
        let total = max(idle, limits.totalTimeout)
        let configuration = URLSessionConfiguration.ephemeral
        // Backstops only: the delegate's timer fires first, with a clear error.
        configuration.timeoutIntervalForRequest = idle + 5
        configuration.timeoutIntervalForResource = total + 5
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        let delegate = TransferDelegate(
            origin: Origin(request.url), policy: redirects, maxBytes: limits.maxBodyBytes,
            idle: idle, total: total, completion: completion)
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        let task = session.dataTask(with: urlRequest)
        delegate.begin(task: task, session: session)
    }
}

/// One exchange's state: bytes so far, deadlines, the redirect decision, the single completion.
final class TransferDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private let origin: Origin?
    private let policy: RedirectPolicy
    private let maxBytes: Int
    private let idle: TimeInterval
    private let total: TimeInterval
    private var completion: (@Sendable (Result<HTTPResponseData, any Error>) -> Void)?
    private var task: URLSessionTask?
    private var session: URLSession?
    private var timer: DispatchSourceTimer?
    private var started = Date()
    private var lastActivity = Date()
    private var response: HTTPURLResponse?
    private var body = Data()
    private var stop: TransferError?
    /// Whether the task was cancelled already: cancel once, not once per queued chunk (each
    /// cancel takes FoundationNetworking's shared work queue).
    private var cancelled = false
    private var refusedRedirect: TransferError?

    init(
        origin: Origin?, policy: RedirectPolicy, maxBytes: Int, idle: TimeInterval, total: TimeInterval,
        completion: @escaping @Sendable (Result<HTTPResponseData, any Error>) -> Void
    ) {
        self.origin = origin
        self.policy = policy
        self.maxBytes = maxBytes
        self.idle = idle
        self.total = total
        self.completion = completion
    }

    func begin(task: URLSessionTask, session: URLSession) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        let period = min(max(min(idle, total) / 4, 0.02), 1)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [weak self] in self?.tick() }
        lock.lock()
        self.task = task
        self.session = session
        self.timer = timer
        started = Date()
        lastActivity = started
        lock.unlock()
        timer.resume()
        task.resume()
    }

    /// Checks the deadlines; over one, cancels the URLSessionTask (its completion reports why).
    private func tick() {
        lock.lock()
        let now = Date()
        if stop == nil {
            if now.timeIntervalSince(started) > total {
                stop = .totalTimeout(seconds: total)
            } else if now.timeIntervalSince(lastActivity) > idle {
                stop = .idleTimeout(seconds: idle)
            }
        }
        let cancel = stop != nil && !cancelled ? task : nil
        if cancel != nil { cancelled = true }
        lock.unlock()
        cancel?.cancel()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.lock()
        self.response = response as? HTTPURLResponse
        lastActivity = Date()
        let expected = response.expectedContentLength
        if expected > Int64(maxBytes), stop == nil { stop = .bodyTooLarge(limit: maxBytes) }
        let refuse = stop != nil
        if refuse { cancelled = true }
        lock.unlock()
        completionHandler(refuse ? .cancel : .allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        lastActivity = Date()
        if stop == nil {
            if body.count + data.count > maxBytes { stop = .bodyTooLarge(limit: maxBytes); body = Data() } else { body.append(data) }
        }
        let cancel = stop != nil && !cancelled
        if cancel { cancelled = true }
        lock.unlock()
        if cancel { dataTask.cancel() }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        let target = Origin(request.url)
        if let origin, target == origin { return completionHandler(request) }
        let method = (request.httpMethod ?? "GET").uppercased()
        if policy == .stripCredentialsAcrossOrigins, method == "GET" || method == "HEAD" {
            var stripped = request
            for header in ["Authorization", "Proxy-Authorization", "Cookie"] { stripped.setValue(nil, forHTTPHeaderField: header) }
            stripped.httpBody = nil
            return completionHandler(stripped)
        }
        lock.lock()
        refusedRedirect = .crossOriginRedirect(
            from: origin?.description ?? "?", to: target?.description ?? "an unreadable URL",
            status: response.statusCode)
        lock.unlock()
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        lock.lock()
        let completion = self.completion
        self.completion = nil
        let outcome: Result<HTTPResponseData, any Error>
        if let stop {
            outcome = .failure(stop)
        } else if let refusedRedirect {
            outcome = .failure(refusedRedirect)
        } else if let error {
            outcome = .failure(error)
        } else if let http = response {
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let k = key as? String, let v = value as? String { headers[k.lowercased()] = v }
            }
            outcome = .success(HTTPResponseData(status: http.statusCode, headers: headers, body: body))
        } else {
            outcome = .failure(RunPodError.invalidResponse("not an HTTP response"))
        }
        timer?.cancel()
        timer = nil
        body = Data()
        let session = self.session
        self.session = nil
        self.task = nil
        lock.unlock()
        session?.finishTasksAndInvalidate()
        completion?(outcome)
    }
}
