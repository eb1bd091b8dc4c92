/// Shape rules: every spec string that reaches a Dockerfile, a shell, a URL or a RunPod id
/// (`StringShape`); each violation is located at the offending value.
extension Spec {
    func shapeRules(_ file: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if !model.id.isEmpty, !StringShape.isModelID(model.id) {
            out.append(
                .init(
                    .error, code: "invalid-model-id",
                    message: "model id `\(StringShape.excerpt(model.id))` is not a Hugging Face repo id (`owner/name`) or a catalog alias",
                    at: at(locations["model.id"] != nil ? "model.id" : "model", file),
                    hint: "letters, digits, `.`, `_` and `-`, at most 96 per part, no `--` or `..`: `meta-llama/Llama-3.1-8B-Instruct`"))
        }
        if let revision = model.revision, !StringShape.isRevision(revision) {
            out.append(
                .init(
                    .error, code: "invalid-revision",
                    message: "revision `\(StringShape.excerpt(revision))` is not a git branch, tag or commit",
                    at: at("model.revision", file),
                    hint: "1 to 255 of letters, digits, `.`, `_`, `/` and `-`, no `..`, not starting with `-`: `main`, `v1.0`, a commit hash"))
        }
        if let image = deploy.image, !StringShape.isImageReference(image) {
            out.append(
                .init(
                    .error, code: "invalid-image",
                    message: "image `\(StringShape.excerpt(image))` is not an OCI image reference",
                    at: at("deploy.image", file),
                    hint: "`[registry/]path[:tag][@sha256:digest]` with a lowercase path: `vllm/vllm-openai:v0.27.1`"))
        }
        for (index, id) in constraints.dataCenters.enumerated() where !StringShape.isDataCenter(id) {
            out.append(
                .init(
                    .error, code: "invalid-data-center",
                    message: "`\(StringShape.excerpt(id))` is not a RunPod data center id",
                    at: at("constraints.data_centers[\(index)]", file),
                    hint: "ids look like `EU-RO-1`, `US-TX-3`, `CA-MTL-1`"))
        }
        for key in labels.keys.sorted() {
            let value = labels[key] ?? ""
            if !StringShape.isLabelKey(key) {
                out.append(
                    .init(
                        .error, code: "invalid-label",
                        message: "label key `\(StringShape.excerpt(key))` is not `[prefix/]name` (kubectl label syntax)",
                        at: at("labels.\(key)", file),
                        hint: "names are 1 to 63 of letters, digits, `.`, `_` and `-`, starting and ending alphanumeric"))
            } else if !StringShape.isLabelValue(value) {
                out.append(
                    .init(
                        .error, code: "invalid-label",
                        message:
                            "label `\(key)` has the value `\(StringShape.excerpt(value))`; values are empty or 1 to 63 of letters, digits, `.`, `_` and `-`",
                        at: at("labels.\(key)", file),
                        hint: "start and end with a letter or digit: `team: search`"))
            }
        }
        return out
    }
}
