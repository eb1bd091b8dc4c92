import Foundation

/// Bounds on one HTTP exchange, enforced while the body arrives (not after): a never-ending
/// answer stops at `maxBodyBytes`, a silent one after `idleTimeout`, a trickling one after `totalTimeout`.
public struct TransferLimits: Sendable, Equatable {
    /// The most bytes accepted in one response body (RunPod lists are far smaller).
    public var maxBodyBytes: Int
    /// The longest wait for the next byte (headers or body); the request's own timeout may be shorter.
    public var idleTimeout: TimeInterval
    /// The longest a whole exchange may take, from sending to the last byte.
    public var totalTimeout: TimeInterval

    public init(maxBodyBytes: Int = 32 * 1_048_576, idleTimeout: TimeInterval = 30, totalTimeout: TimeInterval = 120) {
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
    }
}

/// Which redirects a transport follows.
public enum RedirectPolicy: Sendable, Equatable {
    /// Same scheme, host and port only; any other redirect fails with `TransferError.crossOriginRedirect`
    /// and nothing is sent there (RunPod: the key and the request body stay with RunPod's URL).
    case sameOriginOnly
    /// Same origin as is; another origin only without credentials (Authorization, Cookie) and
    /// only for GET/HEAD, as browsers and `curl --location` do (the Hub sends files from a CDN).
    case stripCredentialsAcrossOrigins
}

/// Why a transfer was stopped by podform rather than by the network.
public enum TransferError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body went over the limit; reading stopped there.
    case bodyTooLarge(limit: Int)
    /// No byte arrived for this many seconds.
    case idleTimeout(seconds: Double)
    /// The exchange took longer than this many seconds in all.
    case totalTimeout(seconds: Double)
    /// The server redirected to another origin and the policy refused to follow.
    case crossOriginRedirect(from: String, to: String, status: Int)

    public var description: String {
        switch self {
        case .bodyTooLarge(let limit): return "the answer is over \(limit) bytes; stopped reading it there"
        case .idleTimeout(let s): return "no data for \(RetryAfter.wholeSeconds(s, cap: .infinity) ?? 0) s; gave up waiting"
        case .totalTimeout(let s): return "the answer took over \(RetryAfter.wholeSeconds(s, cap: .infinity) ?? 0) s in all; stopped reading it"
        case .crossOriginRedirect(let from, let to, let status):
            return "\(from) redirected (HTTP \(status)) to another origin, \(to); not followed"
        }
    }
}

/// Scheme, host and port of a URL, with default ports filled in: what "same origin" compares.
struct Origin: Equatable, CustomStringConvertible {
    var scheme: String
    var host: String
    var port: Int

    init?(_ url: URL?) {
        guard let url, let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
    }

    var description: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}
