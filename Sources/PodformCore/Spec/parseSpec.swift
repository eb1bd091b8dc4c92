import Yams

/// The keys of each mapping in spec language v1 (see `Specs/spec.md`).
public enum SpecKeys {
    public static let root = [
        "version", "name", "workload", "model", "precision", "kv_cache_dtype", "kv_cache_sizing", "context",
        "concurrency", "traffic", "sla", "constraints", "deploy", "training", "labels"
    ]
    public static let model = ["id", "config", "parameters", "revision"]
    public static let traffic = [
        "pattern", "requests_per_day", "peak_requests_per_second", "active_hours_per_day",
        "prompt_tokens", "output_tokens", "repeated_prefixes", "schedule"
    ]
    public static let schedule = ["hours", "days", "timezone"]
    public static let sla = ["ttft_p95", "output_tokens_per_second", "cold_start", "redundancy"]
    public static let constraints = [
        "gpus", "exclude_gpus", "cloud", "data_centers", "require_ecc",
        "allow_consumer_gpus", "max_gpus_per_worker", "max_workers", "monthly_budget",
        "account_spend_limit"
    ]
    public static let deploy = [
        "mode", "image", "weights", "env", "secrets", "gpu_memory_utilization",
        "container_disk", "port", "flashboot", "cuda_compat_fix", "restore_idle_scale_down",
        "api_key_secret", "public", "active_discount"
    ]
    public static let training = [
        "method", "lora_rank", "target_modules", "batch_size", "sequence_length",
        "gradient_checkpointing", "hours"
    ]
}

/// Physical maxima for the spec's numbers: beyond them a value is a mistake, and bounding them here
/// keeps every later product (tokens x concurrency x bytes) far from overflow.
public enum Limits {
    /// Tokens per sequence (context, prompt, output, training sequence): 16M.
    public static let context: ClosedRange<Int> = 16...16_777_216
    /// Parameters: 100T (the largest published models are near 2T).
    public static let parameters: ClosedRange<Int64> = 1...100_000_000_000_000
}

extension Spec {
    /// Reads a spec from its text. Pure: the path is used only in diagnostics.
    ///
    /// - Returns: the spec when every required field could be read (it may still carry errors in
    ///   optional fields, reported in the diagnostics), and every diagnostic found.
    public static func parse(path: String, text: String) -> (Spec?, [Diagnostic]) {
        let (document, syntax) = SpecDocument.parse(path: path, text: text)
        guard let root = document.root, syntax.isEmpty else { return (nil, syntax) }
        let r = NodeReader(file: path)
        let spec = read(root, r)
        return (r.diagnostics.hasErrors ? spec : spec, r.diagnostics)
    }

    private static func read(_ root: Node, _ r: NodeReader) -> Spec? {
        guard let top = r.entries(root, "", allowed: SpecKeys.root) else { return nil }
        let version = readVersion(root, top, r)
        let name = readName(root, top, r)
        let workload = top["workload"].flatMap { r.enumeration($0.value, "workload", Workload.self) } ?? .inference
        let model = readModel(root, top, r)
        let precision =
            top["precision"].flatMap {
                r.enumeration($0.value, "precision", Precision.self, code: "unknown-precision")
            } ?? .bf16
        let kv = top["kv_cache_dtype"].flatMap { r.enumeration($0.value, "kv_cache_dtype", KVCacheDType.self) } ?? .auto
        let kvSizing = top["kv_cache_sizing"].flatMap { r.enumeration($0.value, "kv_cache_sizing", KVCacheSizing.self) } ?? .full
        let context = top["context"].flatMap {
            r.unit($0.value, "context", what: "a token count", example: "8k", parse: Units.tokens)
                .flatMap { r.inRange($0, Limits.context, top["context"]!.value, "context") }
        }
        let concurrency = top["concurrency"].flatMap { r.int($0.value, "concurrency", range: 1...100_000) }

        let traffic = top["traffic"].map { readTraffic($0.value, r) } ?? Traffic()
        let sla = top["sla"].map { readSLA($0.value, r) } ?? SLA()
        let constraints = top["constraints"].map { readConstraints($0.value, r) } ?? Constraints()
        let deploy = top["deploy"].map { readDeploy($0.value, r) } ?? Deploy()
        let training = top["training"].map { readTraining($0.value, r) }
        let labels = top["labels"].flatMap { r.stringMap($0.value, "labels") } ?? [:]

        guard let version, let name, let model else { return nil }
        return Spec(
            version: version, name: name, workload: workload, model: model, precision: precision,
            kvCacheDType: kv, kvCacheSizing: kvSizing, context: context, concurrency: concurrency, traffic: traffic, sla: sla,
            constraints: constraints, deploy: deploy, training: training, labels: labels,
            locations: r.locations)
    }

    /// `version` (nil: missing or not a number; only 1 is supported).
    private static func readVersion(_ root: Node, _ top: [String: (key: Node, value: Node)], _ r: NodeReader) -> Int? {
        guard let node = r.require("version", in: top, mapping: root, "", hint: "add `version: 1` as the first line"),
            let v = r.int(node, "version", range: Int.min...Int.max)
        else { return nil }
        if v != 1 {
            r.report(
                .error, "unsupported-version", "spec version \(v) is not supported; this podform reads version 1",
                at: node, "version", hint: "set `version: 1`")
        }
        return v
    }

    /// `name` (nil: missing or not a string; an invalid name is reported and kept).
    private static func readName(_ root: Node, _ top: [String: (key: Node, value: Node)], _ r: NodeReader) -> String? {
        guard let node = r.require("name", in: top, mapping: root, "", hint: "add `name: my-deployment`"),
            let text = r.string(node, "name")
        else { return nil }
        if !isValidName(text) {
            r.report(
                .error, "invalid-name",
                "name `\(StringShape.excerpt(text))` must be 3 to 40 characters of a-z, 0-9 and `-`, starting with a letter and not ending with `-`",
                at: node, "name", hint: "RunPod resource names derive from it; try `\(suggestedName(text))`")
        }
        return text
    }

    /// `model` as `model: ID` or `model: {id, config, revision, parameters}` (nil: incomplete).
    private static func readModel(_ root: Node, _ top: [String: (key: Node, value: Node)], _ r: NodeReader) -> ModelRef? {
        guard let node = r.require("model", in: top, mapping: root, "", hint: "add `model: {id: meta-llama/Llama-3.1-8B-Instruct}`")
        else { return nil }
        var model = ModelRef(id: "", config: nil, parameters: nil, revision: nil)
        if case .scalar = node, let id = r.string(node, "model") {
            // shorthand: `model: meta-llama/Llama-3.1-8B-Instruct`
            guard !id.isEmpty else { return nil }
            model.id = id
            return model
        }
        guard let m = r.entries(node, "model", allowed: SpecKeys.model) else { return nil }
        let id = r.require("id", in: m, mapping: node, "model").flatMap { r.string($0, "model.id") }
        model.config = m["config"].flatMap { r.string($0.value, "model.config") }
        model.revision = m["revision"].flatMap { r.string($0.value, "model.revision") }
        if let p = m["parameters"] {
            model.parameters = r.unit(
                p.value, "model.parameters", what: "a parameter count", example: "8.03B",
                parse: Units.parameters
            )
            .flatMap { r.inRange($0, Limits.parameters, p.value, "model.parameters") }
        }
        guard let id else { return nil }
        model.id = id
        return model
    }

    /// Whether a name is a valid spec name (for the CLI's `init --name`).
    public static func isValidNameForCLI(_ name: String) -> Bool { isValidName(name) }
    /// A valid name derived from free text (for `init`).
    public static func suggestedNameForCLI(_ text: String) -> String { suggestedName(text) }

    static func isValidName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (3...40).contains(scalars.count), let first = scalars.first, ("a"..."z").contains(first),
            scalars.last != "-"
        else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func suggestedName(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(ch) || ("0"..."9").contains(ch) { out.unicodeScalars.append(ch) } else if !out.hasSuffix("-") { out += "-" }
        }
        while out.hasSuffix("-") { out.removeLast() }
        while let f = out.unicodeScalars.first, !("a"..."z").contains(f) { out.removeFirst() }
        if out.count < 3 { out = "deployment-\(out)" }
        return String(out.prefix(40))
    }
}

extension Spec {
    /// The spec's `name` when the file composes as YAML with a valid top-level name, even if the
    /// rest of the spec has errors. Reconcile uses it so that a spec that fails to validate is
    /// still known to be present (and is never pruned as an orphan).
    public static func declaredName(path: String, text: String) -> String? {
        let (document, syntax) = SpecDocument.parse(path: path, text: text)
        guard syntax.isEmpty, let root = document.root, case .mapping(let mapping) = root else { return nil }
        for (key, value) in mapping {
            guard key.scalar?.string == "name", let name = value.scalar?.string else { continue }
            return isValidName(name) ? name : nil
        }
        return nil
    }
}
