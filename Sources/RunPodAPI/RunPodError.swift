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

/// What went wrong talking to RunPod, with what the user can do about it. Never holds the API key.
public enum RunPodError: Error, Sendable, CustomStringConvertible, Equatable {
    case missingAPIKey
    case unauthorized(String)
    case forbidden(String)
    case notFound(String)
    case conflict(String)
    case unprocessable(String, fields: [String])
    case capacity(String)
    case rateLimited(retryAfter: Double?)
    case server(status: Int, detail: String)
    case transport(String)
    case invalidResponse(String)
    case unexpected(status: Int, detail: String)

    public var description: String {
        switch self {
        case .missingAPIKey:
            return "no RunPod API key: set RUNPOD_API_KEY (or --api-key-file) to a key from the RunPod console (Settings > API Keys)"
        case .unauthorized(let d):
            return "RunPod rejected the API key (401\(d.isEmpty ? "" : ": \(d)")): check RUNPOD_API_KEY; keys can be revoked or expire"
        case .forbidden(let d):
            return "the API key may not do this (403\(d.isEmpty ? "" : ": \(d)")): give the key read/write permission in the RunPod console"
        case .notFound(let d): return "not found on RunPod (404\(d.isEmpty ? "" : ": \(d)"))"
        case .conflict(let d): return "conflict (409\(d.isEmpty ? "" : ": \(d)")): the resource changed or already exists; re-run plan"
        case .unprocessable(let d, let fields):
            return "RunPod refused the request (422\(d.isEmpty ? "" : ": \(d)"))" + (fields.isEmpty ? "" : "; fields: " + fields.joined(separator: "; "))
        case .capacity(let d):
            return "no capacity (\(d)): try other GPU types, another data center, or Community Cloud"
        case .rateLimited(let after):
            return "rate limited by RunPod (429)" + (after.map { "; retry after \(Int($0)) s" } ?? "")
        case .server(let status, let d): return "RunPod server error \(status)\(d.isEmpty ? "" : ": \(d)"); try again later"
        case .transport(let m): return "could not reach RunPod: \(m)"
        case .invalidResponse(let m): return "RunPod's answer could not be read: \(m)"
        case .unexpected(let status, let d): return "unexpected HTTP \(status) from RunPod\(d.isEmpty ? "" : ": \(d)")"
        }
    }

    /// Maps a non-2xx response to an error; problem bodies supply the detail.
    public static func from(status: Int, body: Data, headers: [String: String]) -> RunPodError {
        let problem = try? JSONDecoder().decode(ProblemDetails.self, from: body)
        var detail = problem?.detail ?? problem?.title ?? ""
        if detail.isEmpty, let text = String(data: body.prefix(300), encoding: .utf8), !text.contains("<html") {
            detail = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        detail = String(detail.prefix(300))
        let lower = detail.lowercased()
        if lower.contains("no longer any instances") || lower.contains("not enough capacity") || lower.contains("no available") {
            return .capacity(detail)
        }
        switch status {
        case 401: return .unauthorized(detail)
        case 403: return .forbidden(detail)
        case 404: return .notFound(detail)
        case 409: return .conflict(detail)
        case 400, 422:
            let fields = (problem?.errors ?? []).map { e in
                [e.field ?? e.pointer, e.message ?? e.detail].compactMap { $0 }.joined(separator: ": ")
            }
            return .unprocessable(detail, fields: fields)
        case 429: return .rateLimited(retryAfter: headers["retry-after"].flatMap(Double.init))
        case 500...599: return .server(status: status, detail: detail)
        default: return .unexpected(status: status, detail: detail)
        }
    }
}
