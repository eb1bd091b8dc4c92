/// Semantic rules over a parsed spec (`Specs/diagnostics.md` lists every code).
extension Spec {
    /// Parses and validates a spec. Pure: path and text in, spec and every diagnostic out.
    public static func validate(path: String, text: String, environment: ValidationEnvironment)
        -> (Spec?, [Diagnostic])
    {
        let (spec, diagnostics) = parse(path: path, text: text)
        guard let spec else { return (nil, diagnostics.sortedByLocation()) }
        let all = diagnostics + spec.semanticDiagnostics(file: path, environment: environment)
        return (spec, all.sortedByLocation())
    }

    /// Every rule after parsing, in rule-group order.
    public func semanticDiagnostics(file: String, environment: ValidationEnvironment) -> [Diagnostic] {
        workloadRules(file) + gpuRules(file, environment) + modelRules(file, environment) + trafficRules(file)
            + deployRules(file, environment) + shapeRules(file)
    }

    func at(_ keyPath: String, _ file: String) -> SourceLocation { location(keyPath, file: file) }

    /// Container disk sizes RunPod accepts, bytes (5 GB to 4 TB).
    public static let containerDiskRange: ClosedRange<Int64> = 5_000_000_000...4_000_000_000_000

    static func gigabytes(_ bytes: Int64) -> String {
        let gb = Double(bytes) / 1e9
        return gb == gb.rounded() ? "\(Int64(gb)) GB" : "\((gb * 100).rounded() / 100) GB"
    }

    func workloadRules(_ file: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        switch workload {
        case .inference, .batch:
            if context == nil, locations["context"] == nil {
                out.append(
                    .init(
                        .error, code: "missing-required", message: "required key `context` is missing for \(workload.rawValue) workloads",
                        at: at("", file).withLine(fallback: locations["name"]), hint: "add `context: 4k` (max tokens per sequence, prompt + output)"))
            }
            if concurrency == nil, locations["concurrency"] == nil {
                out.append(
                    .init(
                        .error, code: "missing-required", message: "required key `concurrency` is missing for \(workload.rawValue) workloads",
                        at: at("", file).withLine(fallback: locations["name"]), hint: "add `concurrency: 8` (concurrent sequences at peak)"))
            }
            if training != nil {
                out.append(
                    .init(
                        .warning, code: "unused-section", message: "`training` is ignored for \(workload.rawValue) workloads",
                        at: at("training", file)))
            }
        case .fineTune, .training:
            if deploy.mode == .serverless {
                out.append(
                    .init(
                        .error, code: "mode-conflict",
                        message: "\(workload.rawValue) runs on a pod (billed per second until destroyed), not serverless",
                        at: at("deploy.mode", file), hint: "remove `deploy.mode` or set it to `pod`"))
            }
            if workload == .fineTune, let method = training?.method, method == .full {
                out.append(
                    .init(
                        .warning, code: "method-mismatch", message: "`fine-tune` with `method: full` is full training; use `workload: training`",
                        at: at("training.method", file)))
            }
        }
        return out
    }

    func gpuRules(_ file: String, _ env: ValidationEnvironment) -> [Diagnostic] {
        guard !env.gpuNames.isEmpty else { return [] }
        var out: [Diagnostic] = []
        var allowed: [String: Int] = [:]
        for (list, key) in [(constraints.gpus, "constraints.gpus"), (constraints.excludeGPUs, "constraints.exclude_gpus")] {
            for (index, name) in list.enumerated() {
                let path = "\(key)[\(index)]"
                if let id = env.resolveGPU(name) {
                    if key == "constraints.gpus" {
                        allowed[id] = index
                    } else if allowed[id] != nil {
                        out.append(
                            .init(
                                .error, code: "gpu-conflict", message: "`\(name)` is both allowed and excluded",
                                at: at(path, file), hint: "remove it from one of the lists"))
                    }
                } else {
                    out.append(
                        .init(
                            .error, code: "unknown-gpu", message: "unknown GPU `\(name)`", at: at(path, file),
                            hint: Suggest.didYouMean(name, in: env.gpuNames) ?? "`podform gpus` lists the GPU ids and aliases"))
                }
            }
        }
        if constraints.cloud == .community, !constraints.dataCenters.isEmpty {
            out.append(
                .init(
                    .warning, code: "community-data-center",
                    message: "pinning data centers on Community Cloud often prevents allocation (runpodctl issue #326)",
                    at: at("constraints.data_centers", file)))
        }
        return out
    }

    func modelRules(_ file: String, _ env: ValidationEnvironment) -> [Diagnostic] {
        guard !model.id.isEmpty else { return [] }
        var out: [Diagnostic] = []
        if let facts = env.model(model.id) {
            if let max = facts.maxContext, let context, context > max {
                out.append(
                    .init(
                        .warning, code: "context-exceeds-model",
                        message: "context \(context) is longer than \(facts.canonicalID) supports (\(max) tokens)",
                        at: at("context", file), hint: "vLLM refuses a MAX_MODEL_LEN above the model's limit; use \(max) or less"))
            }
        } else if model.config == nil, !env.gpuNames.isEmpty {
            out.append(
                .init(
                    .note, code: "unknown-model",
                    message: "model `\(model.id)` is not in the catalog; its config.json is fetched from the Hugging Face Hub",
                    at: at(locations["model.id"] != nil ? "model.id" : "model", file),
                    hint: "set `model.config` to a local config.json to plan offline"))
        }
        if precision == .mxfp4, !model.id.lowercased().contains("gpt-oss") {
            out.append(
                .init(
                    .warning, code: "precision-unusual", message: "mxfp4 checkpoints are published for gpt-oss; check that this model has one",
                    at: at("precision", file)))
        }
        return out
    }

    func trafficRules(_ file: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let context, let prompt = traffic.promptTokens, let output = traffic.outputTokens, prompt + output > context {
            out.append(
                .init(
                    .error, code: "context-too-small",
                    message: "prompt_tokens + output_tokens = \(prompt + output) exceed context \(context)",
                    at: at("context", file), hint: "raise `context` to at least \(prompt + output)"))
        }
        if let perDay = traffic.requestsPerDay, let peak = traffic.peakRequestsPerSecond, activeHoursPerDay > 0,
            perDay > peak * activeHoursPerDay * 3600 * (1 + 1e-9)
        {
            out.append(peakBelowMean(perDay: perDay, peak: peak, file))
        }
        if let hours = traffic.activeHoursPerDay, hours == 0, (traffic.requestsPerDay ?? 0) > 0 {
            out.append(
                .init(
                    .error, code: "traffic-inconsistent", message: "requests arrive but active_hours_per_day is 0",
                    at: at("traffic.active_hours_per_day", file)))
        }
        return out
    }

    func deployRules(_ file: String, _ environment: ValidationEnvironment) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if let image = deploy.image, StringShape.isImageReference(image), !StringShape.isPinnedImage(image) {
            out.append(
                .init(
                    .warning, code: "unpinned-image", message: "image `\(image)` is not pinned to a version",
                    at: at("deploy.image", file), hint: "pin a tag such as `\(environment.pinnedImageExample)` so every worker runs the same code"))
        }
        out += envRules(file)
        out += secretRules(file)
        out += accessRules(file)
        if let disk = deploy.containerDiskBytes, !Self.containerDiskRange.contains(disk) {
            out.append(
                .init(
                    .error, code: "out-of-range",
                    message: "`deploy.container_disk` is \(Self.gigabytes(disk)); RunPod container disks are 5 GB to 4 TB",
                    at: at("deploy.container_disk", file), hint: "omit it to let podform size the disk from the weights"))
        }
        if deploy.weights == .networkVolume, constraints.cloud == .community {
            out.append(
                .init(
                    .error, code: "network-volume-cloud",
                    message: "network volumes exist only in Secure Cloud (RunPod docs, storage/network-volumes)",
                    at: at("deploy.weights", file), hint: "use `cloud: secure` or `weights: image`"))
        }
        if sla.redundancy == .nPlusOne, let most = constraints.maxWorkers, most < 2 {
            out.append(
                .init(
                    .error, code: "redundancy-conflict",
                    message: "`sla.redundancy: n+1` needs a spare replica, and `constraints.max_workers` is \(most)",
                    at: at("sla.redundancy", file), hint: "raise constraints.max_workers to 2 or more, or drop sla.redundancy"))
        }
        if deploy.mode == .serverless, sla.coldStart == ColdStart.none, constraints.maxWorkers == 0 {
            out.append(.init(.error, code: "mode-conflict", message: "cold_start none needs at least one worker", at: at("sla.cold_start", file)))
        }
        return out
    }

    /// A peak below the mean: the day's requests do not fit in the active hours at the peak rate, so
    /// every figure sized for the peak (replicas, slots, queueing) would be too small.
    func peakBelowMean(perDay: Double, peak: Double, _ file: String) -> Diagnostic {
        let hours = activeHoursPerDay
        let mean = perDay / (hours * 3600)
        let whence =
            activeHoursAreDefault
            ? "the default for \(trafficPattern.rawValue) traffic; state `traffic.active_hours_per_day` if it is wrong"
            : traffic.schedule != nil ? "the schedule's window" : "traffic.active_hours_per_day"
        return .init(
            .error, code: "traffic-inconsistent",
            message: String(
                format: "peak_requests_per_second %g is below the mean rate: %.0f requests in %g active hours a day (%@) are %.3g/s",
                peak, perDay, hours, whence, mean),
            at: at("traffic.peak_requests_per_second", file),
            hint: String(
                format:
                    "a peak is at least the mean (bursty traffic peaks near 3x it): raise the peak to %.3g or more, or spread the requests over at least %.1f hours",
                mean, perDay / (peak * 3600)))
    }
}

extension SourceLocation {
    /// A synthetic location replaced by `fallback` when there is one (a missing key points at the mapping start).
    func withLine(fallback: SourceLocation?) -> SourceLocation {
        guard line == 0 else { return self }
        if let fallback { return SourceLocation(file: file, line: 1, column: 1, keyPath: keyPath.isEmpty ? fallback.keyPath : keyPath) }
        return SourceLocation(file: file, line: 1, column: 1, keyPath: keyPath)
    }
}
