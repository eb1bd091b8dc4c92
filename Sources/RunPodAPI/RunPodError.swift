import Foundation

/// An RFC 9457 problem body as RunPod REST v2 returns it.
public struct ProblemDetails: Sendable, Decodable {
    public struct FieldError: Sendable, Decodable {
        public var field: String?
        public var message: String?
        public var detail: String?
        public var pointer: String?
    }
    public var title: String?
    public var status: Int?
    public var detail: String?
    public var errors: [FieldError]?
}

/// What went wrong talking to RunPod, with what the user can do about it. Never holds the API key:
/// every string taken from an answer passes a `Redactor` in `from(status:body:headers:redactor:)`,
/// and `description` removes anything secret-shaped once more.
public enum RunPodError: Error, Sendable, CustomStringConvertible, Equatable {
    case missingAPIKey
    /// The `--api-key-file` cannot be used (missing, not a regular file, too large, not text).
    case keyFile(String)
    case unauthorized(String)
    case forbidden(String)
    case notFound(String)
    case conflict(String)
    /// 400: RunPod refused the request as malformed.
    case badRequest(String, fields: [String])
    /// 422: RunPod refused the request's values.
    case unprocessable(String, fields: [String])
    case capacity(String)
    case rateLimited(retryAfter: Double?)
    case server(status: Int, detail: String)
    case transport(String)
    case invalidResponse(String)
    case unexpected(status: Int, detail: String)
    /// RunPod's URL redirected to another scheme, host or port; the request was not sent there.
    case redirectRefused(from: String, to: String, status: Int)
    /// A pod stopped (`EXITED`, `TERMINATED`, `ERROR`) while podform waited for it to run.
    case podStopped(id: String, status: String)
    /// A wait (for a pod to reach `RUNNING`, say) ran out of time; RunPod itself answered.
    case waitTimedOut(what: String, seconds: Double)

    public var description: String { Redactor.shapes(rawDescription) }

    var rawDescription: String {
        switch self {
        case .missingAPIKey:
            return "no RunPod API key: set RUNPOD_API_KEY (or --api-key-file) to a key from the RunPod console (Settings > API Keys)"
        case .keyFile(let why): return "cannot use the API key file: \(why)"
        case .unauthorized(let d):
            return "RunPod rejected the API key (401\(d.isEmpty ? "" : ": \(d)")): check RUNPOD_API_KEY; keys can be revoked or expire"
        case .forbidden(let d):
            return "the API key may not do this (403\(d.isEmpty ? "" : ": \(d)")): give the key read/write permission in the RunPod console"
        case .notFound(let d): return "not found on RunPod (404\(d.isEmpty ? "" : ": \(d)"))"
        case .conflict(let d): return "conflict (409\(d.isEmpty ? "" : ": \(d)")): the resource changed or already exists; re-run plan"
        case .badRequest(let d, let fields): return Self.refused(400, d, fields)
        case .unprocessable(let d, let fields): return Self.refused(422, d, fields)
        case .capacity(let d):
            return "no capacity (\(d)): try other GPU types, another data center, or Community Cloud"
        case .rateLimited(let after):
            return "rate limited by RunPod (429)" + (RetryAfter.wholeSeconds(after).map { "; retry after \($0) s" } ?? "")
        case .server(let status, let d): return "RunPod server error \(status)\(d.isEmpty ? "" : ": \(d)"); try again later"
        case .transport(let m): return "could not reach RunPod: \(m)"
        case .invalidResponse(let m): return "RunPod's answer could not be read: \(m)"
        case .unexpected(let status, let d): return "unexpected HTTP \(status) from RunPod\(d.isEmpty ? "" : ": \(d)")"
        case .redirectRefused(let from, let to, let status):
            return "RunPod's URL \(from) redirected (HTTP \(status)) to another origin, \(to); podform does not send the API key "
                + "or a request body there. If that address is RunPod's, pass it with --api-url (or RUNPOD_API_URL)"
        case .podStopped(let id, let status):
            return "pod \(id) is \(status) instead of RUNNING: its container stopped; see `podform logs` for why, fix the spec and apply again"
        case .waitTimedOut(let what, let seconds):
            return "\(what) did not happen within \(RetryAfter.wholeSeconds(seconds, cap: .infinity) ?? 0) s; "
                + "RunPod is reachable, the resource is still starting: check `podform status`, or wait longer (--wait-timeout)"
        }
    }

    static func refused(_ status: Int, _ detail: String, _ fields: [String]) -> String {
        "RunPod refused the request (\(status)\(detail.isEmpty ? "" : ": \(detail)"))"
            + (fields.isEmpty ? "" : "; fields: " + fields.joined(separator: "; "))
    }

    /// The most characters of an answer's text kept in an error.
    static let excerptLength = 300

    /// Maps a non-2xx response to an error; problem bodies supply the detail. Every string taken
    /// from the answer passes `redactor` before it is cut to an excerpt, so a key is never half kept.
    public static func from(status: Int, body: Data, headers: [String: String], redactor: Redactor = .shapes) -> RunPodError {
        let head = body.prefix(65_536)
        let problem = try? JSONDecoder().decode(ProblemDetails.self, from: head)
        func clean(_ text: String?) -> String? {
            text.map { String(redactor($0).trimmingCharacters(in: .whitespacesAndNewlines).prefix(excerptLength)) }
        }
        var detail = clean(problem?.detail) ?? clean(problem?.title) ?? ""
        if detail.isEmpty {
            let text = String(decoding: head, as: UTF8.self)
            if !text.lowercased().contains("<html") { detail = clean(text) ?? "" }
        }
        let lower = detail.lowercased()
        // RunPod answers a create it cannot place with HTTP 500 and one of these (NOTES §1.1, §8).
        if [
            "no longer any instances", "no instances currently available", "not enough capacity", "no available",
            "does not have the resources to deploy"
        ].contains(where: lower.contains) {
            return .capacity(detail)
        }
        let fields = (problem?.errors ?? []).prefix(20).map { e in
            [clean(e.field ?? e.pointer), clean(e.message ?? e.detail)].compactMap { $0 }.joined(separator: ": ")
        }
        switch status {
        case 401: return .unauthorized(detail)
        case 403: return .forbidden(detail)
        case 404: return .notFound(detail)
        case 409: return .conflict(detail)
        case 400: return .badRequest(detail, fields: fields)
        case 422: return .unprocessable(detail, fields: fields)
        case 429: return .rateLimited(retryAfter: RetryAfter.seconds(headers["retry-after"]))
        case 500...599: return .server(status: status, detail: detail)
        default: return .unexpected(status: status, detail: detail)
        }
    }
}
