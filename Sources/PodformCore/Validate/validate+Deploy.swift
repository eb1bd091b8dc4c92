/// The `deploy` section's environment, secrets and access rules.
extension Spec {
    /// `deploy.env`: names and values a shell and RunPod accept, and no secret written out.
    func envRules(_ file: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for key in deploy.env.keys.sorted() {
            let path = "deploy.env.\(key)"
            if !StringShape.isEnvName(key) {
                out.append(
                    .init(
                        .error, code: "invalid-env-name", message: "`\(StringShape.excerpt(key))` is not a valid environment variable name",
                        at: at(path, file), hint: "use letters, digits and `_`, not starting with a digit"))
            }
            let value = deploy.env[key] ?? ""
            if !StringShape.isEnvValue(value) {
                out.append(
                    .init(
                        .error, code: "invalid-env-value",
                        message:
                            "`\(StringShape.excerpt(key))` holds a control character or newline, or is over \(StringShape.maxEnvValueLength) bytes",
                        at: at(path, file), hint: "environment values are one line of printable text"))
            }
            if SecretShape.isMalformedReference(value) {
                out.append(
                    .init(
                        .error, code: "invalid-secret-reference",
                        message: "`\(StringShape.excerpt(key))` mentions a RunPod secret but is not exactly one `{{ RUNPOD_SECRET_name }}` reference",
                        at: at(path, file),
                        hint: "put the secret in `deploy.secrets` (podform writes the reference), or make the value exactly the reference"))
            } else if SecretShape.isLiteralSecret(name: key, value: value) {
                out.append(
                    .init(
                        .error, code: "literal-secret",
                        message: "`\(key)` holds what looks like a secret value; secrets must not be written in specs",
                        at: at(path, file), hint: "create a RunPod secret and reference it: `secrets: {\(key): my_secret_name}`"))
            }
            if deploy.secrets[key] != nil {
                out.append(
                    .init(
                        .error, code: "env-secret-conflict", message: "`\(key)` is set both in `env` and in `secrets`",
                        at: at(path, file)))
            }
        }
        return out
    }

    /// `deploy.api_key_secret` and `deploy.public`: a RunPod secret name, and not both.
    func accessRules(_ file: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let name = deploy.apiKeySecret, !StringShape.isSecretName(name) {
            out.append(
                .init(
                    .error, code: "invalid-secret-name",
                    message: "`\(StringShape.excerpt(name, limit: 40))` is not a RunPod secret name (1 to 64 letters, digits, `_` and `-`)",
                    at: at("deploy.api_key_secret", file), hint: "name the RunPod secret that holds the key, e.g. `api_key_secret: podform_api_key`"))
        }
        if deploy.apiKeySecret != nil, deploy.public == true {
            out.append(
                .init(
                    .error, code: "api-key-conflict",
                    message: "`deploy.public: true` serves the pod without an API key, and `deploy.api_key_secret` names one",
                    at: at("deploy.public", file), hint: "keep one: remove `public` to require the key, or `api_key_secret` to serve without one"))
        }
        return out
    }

    /// `deploy.secrets`: env names, RunPod secret names, and tokens pasted where a name belongs.
    func secretRules(_ file: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for key in deploy.secrets.keys.sorted() {
            let name = deploy.secrets[key] ?? ""
            if !StringShape.isEnvName(key) {
                out.append(
                    .init(
                        .error, code: "invalid-env-name", message: "`\(StringShape.excerpt(key))` is not a valid environment variable name",
                        at: at("deploy.secrets.\(key)", file)))
            }
            if !StringShape.isSecretName(name) {
                out.append(
                    .init(
                        .error, code: "invalid-secret-name",
                        message: "`\(StringShape.excerpt(name, limit: 40))` is not a RunPod secret name (1 to 64 letters, digits, `_` and `-`)",
                        at: at("deploy.secrets.\(key)", file)))
            }
            if name.hasPrefix("hf_") && name.count > 20 {
                out.append(
                    .init(
                        .error, code: "literal-secret", message: "`secrets.\(key)` must name a RunPod secret, not hold the token itself",
                        at: at("deploy.secrets.\(key)", file)))
            }
        }
        return out
    }
}
