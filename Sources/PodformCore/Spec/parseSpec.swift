import Yams

/// The keys of each mapping in spec language v1 (see `Specs/spec.md`).
public enum SpecKeys {
    public static let root = ["version", "name", "workload", "model", "precision", "kv_cache_dtype", "context",
                              "concurrency", "traffic", "sla", "constraints", "deploy", "training", "labels"]
    public static let model = ["id", "config", "parameters", "revision"]
    public static let traffic = ["pattern", "requests_per_day", "peak_requests_per_second", "active_hours_per_day",
                                 "prompt_tokens", "output_tokens", "repeated_prefixes", "schedule"]
    public static let schedule = ["hours", "days", "timezone"]
    public static let sla = ["ttft_p95", "output_tokens_per_second", "cold_start", "redundancy"]
    public static let constraints = ["gpus", "exclude_gpus", "cloud", "data_centers", "require_ecc",
                                     "allow_consumer_gpus", "max_gpus_per_worker", "max_workers", "monthly_budget"]
    public static let deploy = ["mode", "image", "weights", "env", "secrets", "gpu_memory_utilization",
                                "container_disk", "port", "flashboot", "cuda_compat_fix", "restore_idle_scale_down",
                                "api_key_secret", "public"]
    public static let training = ["method", "lora_rank", "target_modules", "batch_size", "sequence_length",
                                  "gradient_checkpointing", "hours"]
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
        let precision = top["precision"].flatMap {
            r.enumeration($0.value, "precision", Precision.self, code: "unknown-precision")
        } ?? .bf16
        let kv = top["kv_cache_dtype"].flatMap { r.enumeration($0.value, "kv_cache_dtype", KVCacheDType.self) } ?? .auto
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
        return Spec(version: version, name: name, workload: workload, model: model, precision: precision,
                    kvCacheDType: kv, context: context, concurrency: concurrency, traffic: traffic, sla: sla,
                    constraints: constraints, deploy: deploy, training: training, labels: labels,
                    locations: r.locations)
    }

    /// `version` (nil: missing or not a number; only 1 is supported).
    private static func readVersion(_ root: Node, _ top: [String: (key: Node, value: Node)], _ r: NodeReader) -> Int? {
        guard let node = r.require("version", in: top, mapping: root, "", hint: "add `version: 1` as the first line"),
              let v = r.int(node, "version", range: Int.min...Int.max) else { return nil }
        if v != 1 {
            r.report(.error, "unsupported-version", "spec version \(v) is not supported; this podform reads version 1",
                     at: node, "version", hint: "set `version: 1`")
        }
        return v
    }

    /// `name` (nil: missing or not a string; an invalid name is reported and kept).
    private static func readName(_ root: Node, _ top: [String: (key: Node, value: Node)], _ r: NodeReader) -> String? {
        guard let node = r.require("name", in: top, mapping: root, "", hint: "add `name: my-deployment`"),
              let text = r.string(node, "name") else { return nil }
        if !isValidName(text) {
            r.report(.error, "invalid-name",
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
            model.parameters = r.unit(p.value, "model.parameters", what: "a parameter count", example: "8.03B",
                                      parse: Units.parameters)
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
              scalars.last != "-" else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func suggestedName(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(ch) || ("0"..."9").contains(ch) { out.unicodeScalars.append(ch) }
            else if !out.hasSuffix("-") { out += "-" }
        }
        while out.hasSuffix("-") { out.removeLast() }
        while let f = out.unicodeScalars.first, !("a"..."z").contains(f) { out.removeFirst() }
        if out.count < 3 { out = "deployment-\(out)" }
        return String(out.prefix(40))
    }

    private static func readTraffic(_ node: Node, _ r: NodeReader) -> Traffic {
        var t = Traffic()
        guard let e = r.entries(node, "traffic", allowed: SpecKeys.traffic) else { return t }
        t.pattern = e["pattern"].flatMap { r.enumeration($0.value, "traffic.pattern", TrafficPattern.self) }
        t.requestsPerDay = e["requests_per_day"].flatMap { r.double($0.value, "traffic.requests_per_day", range: 0...1e10) }
        t.peakRequestsPerSecond = e["peak_requests_per_second"].flatMap {
            r.double($0.value, "traffic.peak_requests_per_second", range: 0...1e6)
        }
        t.activeHoursPerDay = e["active_hours_per_day"].flatMap { r.double($0.value, "traffic.active_hours_per_day", range: 0...24) }
        t.promptTokens = e["prompt_tokens"].flatMap { entry in
            r.unit(entry.value, "traffic.prompt_tokens", what: "a token count", example: "1000", parse: Units.tokens)
                .flatMap { r.inRange($0, 0...Limits.context.upperBound, entry.value, "traffic.prompt_tokens") }
        }
        t.outputTokens = e["output_tokens"].flatMap { entry in
            r.unit(entry.value, "traffic.output_tokens", what: "a token count", example: "300", parse: Units.tokens)
                .flatMap { r.inRange($0, 1...Limits.context.upperBound, entry.value, "traffic.output_tokens") }
        }
        t.repeatedPrefixes = e["repeated_prefixes"].flatMap { r.bool($0.value, "traffic.repeated_prefixes") }
        t.schedule = e["schedule"].flatMap { readSchedule($0.value, r) }
        if let schedule = t.schedule, let hours = t.activeHoursPerDay, let node = e["active_hours_per_day"]?.value,
           abs(hours - schedule.hoursPerRunDay) > 0.01 {
            r.report(.error, "schedule-hours-mismatch",
                     String(format: "`traffic.active_hours_per_day` is %g but the schedule is open %g hours a day", hours, schedule.hoursPerRunDay),
                     at: node, "traffic.active_hours_per_day", hint: "drop active_hours_per_day: the schedule sets it")
        }
        return t
    }

    private static func readSchedule(_ node: Node, _ r: NodeReader) -> Schedule? {
        guard let e = r.entries(node, "traffic.schedule", allowed: SpecKeys.schedule) else { return nil }
        guard let hoursNode = e["hours"]?.value else {
            r.report(.error, "missing-required", "`traffic.schedule` needs `hours`, e.g. `hours: \"08:00-18:00\"`", at: node, "traffic.schedule")
            return nil
        }
        guard let text = r.string(hoursNode, "traffic.schedule.hours") else { return nil }
        guard let (start, end) = Schedule.parseHours(text) else {
            r.report(.error, "invalid-schedule", "`traffic.schedule.hours` must be `HH:MM-HH:MM` (24-hour clock, start and end differ), found `\(text.prefix(40))`",
                     at: hoursNode, "traffic.schedule.hours", hint: "e.g. \"08:00-18:00\", or \"22:00-06:00\" overnight")
            return nil
        }
        var schedule = Schedule(startMinute: start, endMinute: end)
        if let daysNode = e["days"]?.value, let names = r.stringList(daysNode, "traffic.schedule.days") {
            var days: [Schedule.Day] = []
            for name in names {
                if let day = Schedule.Day(rawValue: name.lowercased().prefix(3).description), name.count >= 3,
                   ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].contains(name.lowercased()) {
                    if !days.contains(day) { days.append(day) }
                } else {
                    r.report(.error, "invalid-schedule", "`traffic.schedule.days` has `\(name.prefix(20))`; use mon, tue, wed, thu, fri, sat, sun",
                             at: daysNode, "traffic.schedule.days")
                    return nil
                }
            }
            if days.isEmpty {
                r.report(.error, "invalid-schedule", "`traffic.schedule.days` is empty: the deployment would never run", at: daysNode, "traffic.schedule.days")
                return nil
            }
            schedule.days = Schedule.Day.allCases.filter(days.contains)
        }
        if let zoneNode = e["timezone"]?.value, let zone = r.string(zoneNode, "traffic.schedule.timezone") {
            guard zone.count <= 64, zone.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) }),
                  Schedule.isKnownTimeZone(zone) else {
                r.report(.error, "invalid-schedule", "`traffic.schedule.timezone` `\(zone.prefix(40))` is not an IANA time zone",
                         at: zoneNode, "traffic.schedule.timezone", hint: "e.g. UTC, Europe/Berlin, America/New_York")
                return nil
            }
            schedule.timezone = zone
        }
        return schedule
    }

    private static func readSLA(_ node: Node, _ r: NodeReader) -> SLA {
        var s = SLA()
        guard let e = r.entries(node, "sla", allowed: SpecKeys.sla) else { return s }
        s.ttftP95 = e["ttft_p95"].flatMap {
            r.unit($0.value, "sla.ttft_p95", what: "a duration", example: "1.5s", parse: Units.seconds)
        }
        s.outputTokensPerSecond = e["output_tokens_per_second"].flatMap {
            r.double($0.value, "sla.output_tokens_per_second", range: 0...100_000)
        }
        if let c = e["cold_start"] {
            if case .scalar(let scalar) = c.value, scalar.string.lowercased() == "none" {
                s.coldStart = ColdStart.none
            } else if let seconds = r.unit(c.value, "sla.cold_start", what: "a duration or `none`", example: "30s",
                                           parse: Units.seconds) {
                s.coldStart = .seconds(seconds)
            }
        }
        s.redundancy = e["redundancy"].flatMap { r.enumeration($0.value, "sla.redundancy", Redundancy.self) }
        return s
    }

    private static func readConstraints(_ node: Node, _ r: NodeReader) -> Constraints {
        var c = Constraints()
        guard let e = r.entries(node, "constraints", allowed: SpecKeys.constraints) else { return c }
        c.gpus = e["gpus"].flatMap { r.stringList($0.value, "constraints.gpus") } ?? []
        c.excludeGPUs = e["exclude_gpus"].flatMap { r.stringList($0.value, "constraints.exclude_gpus") } ?? []
        c.cloud = e["cloud"].flatMap { r.enumeration($0.value, "constraints.cloud", Cloud.self) }
        c.dataCenters = e["data_centers"].flatMap { r.stringList($0.value, "constraints.data_centers") } ?? []
        c.requireECC = e["require_ecc"].flatMap { r.bool($0.value, "constraints.require_ecc") }
        c.allowConsumerGPUs = e["allow_consumer_gpus"].flatMap { r.bool($0.value, "constraints.allow_consumer_gpus") }
        c.maxGPUsPerWorker = e["max_gpus_per_worker"].flatMap { r.int($0.value, "constraints.max_gpus_per_worker", range: 1...8) }
        c.maxWorkers = e["max_workers"].flatMap { r.int($0.value, "constraints.max_workers", range: 1...1000) }
        c.monthlyBudgetUSD = e["monthly_budget"].flatMap {
            r.unit($0.value, "constraints.monthly_budget", what: "an amount of money", example: "2500 USD",
                   parse: Units.usd)
        }
        return c
    }

    private static func readDeploy(_ node: Node, _ r: NodeReader) -> Deploy {
        var d = Deploy(env: [:], secrets: [:])
        guard let e = r.entries(node, "deploy", allowed: SpecKeys.deploy) else { return d }
        d.mode = e["mode"].flatMap { r.enumeration($0.value, "deploy.mode", DeployMode.self) }
        d.image = e["image"].flatMap { r.string($0.value, "deploy.image") }
        d.weights = e["weights"].flatMap { r.enumeration($0.value, "deploy.weights", WeightsSource.self) }
        d.env = e["env"].flatMap { r.stringMap($0.value, "deploy.env") } ?? [:]
        d.secrets = e["secrets"].flatMap { r.stringMap($0.value, "deploy.secrets") } ?? [:]
        d.gpuMemoryUtilization = e["gpu_memory_utilization"].flatMap {
            r.double($0.value, "deploy.gpu_memory_utilization", range: 0.5...0.99)
        }
        d.containerDiskBytes = e["container_disk"].flatMap {
            r.unit($0.value, "deploy.container_disk", what: "a size", example: "100GB", parse: Units.bytes)
        }
        d.port = e["port"].flatMap { r.int($0.value, "deploy.port", range: 1...65535) }
        d.flashboot = e["flashboot"].flatMap { r.bool($0.value, "deploy.flashboot") }
        d.cudaCompatFix = e["cuda_compat_fix"].flatMap { r.bool($0.value, "deploy.cuda_compat_fix") }
        d.restoreIdleScaleDown = e["restore_idle_scale_down"].flatMap { r.bool($0.value, "deploy.restore_idle_scale_down") }
        d.apiKeySecret = e["api_key_secret"].flatMap { r.string($0.value, "deploy.api_key_secret") }
        d.public = e["public"].flatMap { r.bool($0.value, "deploy.public") }
        return d
    }

    private static func readTraining(_ node: Node, _ r: NodeReader) -> Training {
        var t = Training()
        guard let e = r.entries(node, "training", allowed: SpecKeys.training) else { return t }
        t.method = e["method"].flatMap { r.enumeration($0.value, "training.method", TrainingMethod.self) }
        t.loraRank = e["lora_rank"].flatMap { r.int($0.value, "training.lora_rank", range: 1...1024) }
        t.targetModules = e["target_modules"].flatMap { r.stringList($0.value, "training.target_modules") }
        t.batchSize = e["batch_size"].flatMap { r.int($0.value, "training.batch_size", range: 1...4096) }
        t.sequenceLength = e["sequence_length"].flatMap { entry in
            r.unit(entry.value, "training.sequence_length", what: "a token count", example: "2048", parse: Units.tokens)
                .flatMap { r.inRange($0, 1...Limits.context.upperBound, entry.value, "training.sequence_length") }
        }
        t.gradientCheckpointing = e["gradient_checkpointing"].flatMap { r.bool($0.value, "training.gradient_checkpointing") }
        t.hours = e["hours"].flatMap { r.double($0.value, "training.hours", range: 0...10_000) }
        return t
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
