/// What a credential looks like, for the two places that must not let one through: `validate`
/// (a spec may not hold one: `literal-secret`) and the diff (live values it shows are hidden).
public enum SecretShape {
    /// Prefixes of Hugging Face, RunPod, OpenAI-style, GitHub and AWS access keys.
    static let tokenPrefixes = ["hf_", "rpa_", "sk-", "ghp_", "github_pat_", "AKIA"]
    /// Parts of environment variable names that usually hold a credential.
    static let nameParts = ["TOKEN", "API_KEY", "SECRET", "PASSWORD", "PASSWD"]

    /// Strong evidence, as `validate` needs before it fails a spec: a token-shaped value of
    /// realistic length, or a secret-sounding name holding a word-like value. RunPod secret
    /// references are never secret.
    public static func isLiteralSecret(name: String, value: String) -> Bool {
        if value.contains("{{") && value.contains("RUNPOD_SECRET_") { return false }
        if tokenPrefixes.contains(where: { value.hasPrefix($0) }) && value.count >= 16 { return true }
        let upper = name.uppercased()
        return nameParts.contains { upper.contains($0) } && value.count >= 8 && !value.contains(" ")
    }

    /// Any hint, as output needs before it shows a value: a secret-sounding name (a few more
    /// parts count here) with any literal value, or a token-shaped value of any length.
    public static func mayBeSecret(name: String, value: String) -> Bool {
        if value.hasPrefix("{{ RUNPOD_SECRET_") || value.isEmpty { return false }
        let upper = name.uppercased()
        if (nameParts + ["APIKEY", "CREDENTIAL", "PRIVATE"]).contains(where: upper.contains) { return true }
        return (tokenPrefixes + ["rps_"]).contains(where: value.hasPrefix)
    }
}
