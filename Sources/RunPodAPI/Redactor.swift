import Foundation

/// Removes credentials from text that came from the outside world (error bodies, log lines,
/// transport messages) before podform stores, prints or logs it.
///
/// Two passes: the exact secrets in use (the RunPod key, the Hugging Face token), also
/// percent-encoded or JSON-escaped; then anything shaped like a credential (RunPod, Hugging Face,
/// OpenAI-style, GitHub, AWS and Slack keys, `Authorization:` and `Bearer` values, `key=`/`token=`/
/// `password=` values, URL user-info). Every error podform makes from a remote answer is built
/// through one (`RunPodError.from`), so no field of an answer reaches the user unredacted.
public struct Redactor: Sendable, CustomStringConvertible {
    /// What a removed secret is replaced with.
    public static let placeholder = "[redacted]"
    /// Shapes only: for places that do not know which secrets are in use.
    public static let shapes = Redactor()

    /// Exact values to remove; values shorter than 4 characters are ignored (they are no secret
    /// and replacing them would mangle every message).
    public private(set) var secrets: [String]

    /// - Parameter secrets: the credentials in use (empty strings are ignored).
    public init(secrets: [String] = []) {
        self.secrets = []
        for secret in secrets { add(secret) }
    }

    /// Adds a credential to remove by exact value.
    public mutating func add(_ secret: String?) {
        guard let secret = secret?.trimmingCharacters(in: .whitespacesAndNewlines), secret.count >= 4,
            !secrets.contains(secret)
        else { return }
        secrets.append(secret)
        secrets.sort { $0.count > $1.count }  // longest first, so a key containing another goes whole
    }

    /// Never shows the secrets it holds.
    public var description: String { "Redactor(\(secrets.count) secrets)" }

    /// The text with every secret and secret-shaped value replaced by `[redacted]`.
    public func callAsFunction(_ text: String) -> String { redact(text) }

    /// The text with every secret and secret-shaped value replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        var result = text
        for secret in secrets {
            for variant in Self.variants(of: secret) where result.contains(variant) {
                result = result.replacingOccurrences(of: variant, with: Self.placeholder)
            }
            // Percent-encoding with lower-case hex digits.
            let encoded = Self.percentEncoded(secret)
            if encoded != secret {
                result = result.replacingOccurrences(of: encoded, with: Self.placeholder, options: .caseInsensitive)
            }
        }
        for rule in Self.rules {
            let range = NSRange(result.startIndex..., in: result)
            result = rule.regex.stringByReplacingMatches(in: result, range: range, withTemplate: rule.template)
        }
        return result
    }

    /// The forms a secret takes inside a URL, a query string, a JSON string or a header.
    static func variants(of secret: String) -> [String] {
        var forms = [
            secret, percentEncoded(secret), secret.replacingOccurrences(of: "/", with: "\\/"),
            secret.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? secret,
            secret.replacingOccurrences(of: " ", with: "+")
        ]
        forms = forms.filter { !$0.isEmpty }
        var seen = Set<String>()
        return forms.filter { seen.insert($0).inserted }
    }

    /// Every character outside RFC 3986's unreserved set, percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    struct Rule: @unchecked Sendable {
        let regex: NSRegularExpression
        let template: String
        init(_ pattern: String, _ template: String) {
            regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            self.template = template
        }
    }

    /// Credential shapes, in order. Templates keep the name, drop the value.
    static let rules: [Rule] = [
        // `Authorization: Bearer X`, `"authorization": "Basic X"`, `X-Api-Key: X`, `Cookie: X`.
        Rule(
            #"\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|cookie|set-cookie)(["']?\s*[:=]\s*["']?)((?:bearer|basic|token|digest)\s+)?(?!\[redacted\])[^\s"',;()\[\]<>]+"#,
            "$1$2$3" + placeholder),
        // A bare `Bearer X` anywhere.
        Rule(#"\bbearer\s+[A-Za-z0-9._~+/=-]{4,}"#, "Bearer " + placeholder),
        // Vendor key shapes: RunPod (rpa_, rps_), Hugging Face (hf_, api_org_), GitHub, OpenAI-style, Slack.
        Rule(#"\b(?:rpa|rps|hf|api_org|ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{12,}"#, placeholder),
        Rule(#"\bsk-[A-Za-z0-9_-]{12,}"#, placeholder),
        Rule(#"\bxox[abprs]-[A-Za-z0-9-]{8,}"#, placeholder),
        Rule(#"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#, placeholder),
        // `key=X`, `api_key=X`, `token=X`, `password=X`, `secret=X`, `sig=X` (query strings, form bodies, messages).
        Rule(
            #"\b([A-Za-z0-9_.-]*(?:key|token|secret|password|passwd|pwd|credential|signature|sig))=(?!\[redacted\])[^\s&"',;()\[\]<>]+"#,
            "$1=" + placeholder),
        // JSON members with such names: `"access_token": "X"`.
        Rule(#"("[A-Za-z0-9_.-]*(?:key|token|secret|password|passwd|credential)"\s*:\s*")[^"]+""#, "$1" + placeholder + "\""),
        // User-info in URLs: `https://user:pass@host`.
        Rule(#"(\b[a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"#, "$1" + placeholder + "@")
    ]
}
