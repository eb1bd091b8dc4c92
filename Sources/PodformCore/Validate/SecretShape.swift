/// What a credential looks like, for the two places that must not let one through: `validate`
/// (a spec may not hold one: `literal-secret`) and the diff (live values it shows are hidden).
///
/// The spec rule is positive: an env value is either exactly one `{{ RUNPOD_SECRET_name }}`
/// reference, or a literal that matches none of the shapes below.
public enum SecretShape {
    /// Prefixes of access tokens: Hugging Face, RunPod, OpenAI-style, GitHub (classic, OAuth, app,
    /// refresh, fine-grained), Slack (bot, app, user, refresh, legacy), AWS access key ids, GitLab.
    static let tokenPrefixes = [
        "hf_", "rpa_", "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
        "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xapp-", "AKIA", "ASIA", "glpat-"
    ]
    /// Parts of environment variable names that usually hold a credential.
    static let nameParts = ["TOKEN", "API_KEY", "APIKEY", "SECRET", "PASSWORD", "PASSWD", "PRIVATE_KEY", "ACCESS_KEY"]
    /// Name parts that look like `nameParts` but name counts or settings (`MAX_NUM_BATCHED_TOKENS`, `TOKENIZER`).
    static let notSecretNameParts = ["TOKENS", "TOKENIZER"]
    /// Names whose 40-hex values are commit ids, not WANDB keys.
    static let commitNameParts = ["SHA", "COMMIT", "REVISION", "HASH", "DIGEST"]

    /// True when `value` is exactly one RunPod secret reference: `{{ RUNPOD_SECRET_name }}` (the
    /// spaces inside the braces are optional), `name` a RunPod secret name.
    public static func isSecretReference(_ value: String) -> Bool {
        guard value.hasPrefix("{{"), value.hasSuffix("}}"), value.count >= 4 else { return false }
        let inner = value.dropFirst(2).dropLast(2)
        let trimmed = inner.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        let name = String(trimmed)
        guard name.hasPrefix("RUNPOD_SECRET_") else { return false }
        return StringShape.isSecretName(String(name.dropFirst("RUNPOD_SECRET_".count)))
    }

    /// True when `value` mentions a RunPod secret reference without being exactly one.
    public static func isMalformedReference(_ value: String) -> Bool {
        value.contains("RUNPOD_SECRET_") && (value.contains("{{") || value.contains("}}")) && !isSecretReference(value)
    }

    /// Whether `name` reads as a credential's name (`HF_TOKEN`, `DB_PASSWORD`, `WANDB_API_KEY`).
    static func isSecretName(_ name: String) -> Bool {
        var upper = name.uppercased()
        for part in notSecretNameParts { upper = upper.replacingOccurrences(of: part, with: "_") }
        return nameParts.contains { upper.contains($0) }
    }

    /// Whether some word of `value` has a credential's shape: a token prefix with a realistic
    /// length, a URL with a password (`postgres://user:pass@host`), a Slack webhook, or (unless the
    /// name says it is a commit) exactly 40 hex digits, the shape of a WANDB key.
    static func hasSecretShape(name: String, value: String) -> Bool {
        let separators: Set<Character> = [" ", "\t", "\"", "'", ",", ";", "=", "(", ")", "<", ">", "`"]
        for word in value.split(whereSeparator: { separators.contains($0) }) {
            if tokenPrefixes.contains(where: { word.hasPrefix($0) }) && word.count >= 16 { return true }
            if hasURLPassword(word) { return true }
            if word.hasPrefix("https://hooks.slack.com/") { return true }
        }
        let upper = name.uppercased()
        if value.count == 40, value.unicodeScalars.allSatisfy({ StringShape.isDigit($0) || ("a"..."f").contains($0) }),
            !commitNameParts.contains(where: upper.contains)
        {
            return true
        }
        return false
    }

    /// `scheme://user:password@host`: a URL carrying a password.
    static func hasURLPassword(_ word: Substring) -> Bool {
        guard let schemeEnd = word.range(of: "://") else { return false }
        let scheme = word[..<schemeEnd.lowerBound]
        guard !scheme.isEmpty, scheme.unicodeScalars.allSatisfy({ StringShape.isAlnum($0) || "+.-".unicodeScalars.contains($0) })
        else { return false }
        let rest = word[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return false }
        return !userInfo[userInfo.index(after: colon)...].isEmpty
    }

    /// Strong evidence, as `validate` needs before it fails a spec: a value with a credential's
    /// shape, or a secret-sounding name holding a literal of 8 characters or more (spaces count:
    /// passphrases have them). Exactly one RunPod secret reference is never secret.
    public static func isLiteralSecret(name: String, value: String) -> Bool {
        if isSecretReference(value) { return false }
        if hasSecretShape(name: name, value: value) { return true }
        return isSecretName(name) && value.count >= 8
    }

    /// Any hint, as output needs before it shows a value: a secret-sounding name (a few more
    /// parts count here) with any literal value, or a token-shaped value of any length.
    public static func mayBeSecret(name: String, value: String) -> Bool {
        if isSecretReference(value) || value.isEmpty { return false }
        var upper = name.uppercased()
        for part in notSecretNameParts { upper = upper.replacingOccurrences(of: part, with: "_") }
        if (nameParts + ["CREDENTIAL", "PRIVATE"]).contains(where: upper.contains) { return true }
        if (tokenPrefixes + ["rps_"]).contains(where: value.hasPrefix) { return true }
        return hasSecretShape(name: name, value: value)
    }
}
