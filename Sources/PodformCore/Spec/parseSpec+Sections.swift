import Yams

/// The optional top-level sections of a spec: traffic (and its schedule), sla, constraints, deploy, training.
extension Spec {
    static func readTraffic(_ node: Node, _ r: NodeReader) -> Traffic {
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
            abs(hours - schedule.hoursPerRunDay) > 0.01
        {
            r.report(
                .error, "schedule-hours-mismatch",
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
            r.report(
                .error, "invalid-schedule",
                "`traffic.schedule.hours` must be `HH:MM-HH:MM` (24-hour clock, start and end differ), found `\(text.prefix(40))`",
                at: hoursNode, "traffic.schedule.hours", hint: "e.g. \"08:00-18:00\", or \"22:00-06:00\" overnight")
            return nil
        }
        var schedule = Schedule(startMinute: start, endMinute: end)
        if let daysNode = e["days"]?.value, let names = r.stringList(daysNode, "traffic.schedule.days") {
            var days: [Schedule.Day] = []
            for name in names {
                if let day = Schedule.Day(rawValue: name.lowercased().prefix(3).description), name.count >= 3,
                    ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
                        .contains(name.lowercased())
                {
                    if !days.contains(day) { days.append(day) }
                } else {
                    r.report(
                        .error, "invalid-schedule", "`traffic.schedule.days` has `\(name.prefix(20))`; use mon, tue, wed, thu, fri, sat, sun",
                        at: daysNode, "traffic.schedule.days")
                    return nil
                }
            }
            if days.isEmpty {
                r.report(
                    .error, "invalid-schedule", "`traffic.schedule.days` is empty: the deployment would never run", at: daysNode,
                    "traffic.schedule.days")
                return nil
            }
            schedule.days = Schedule.Day.allCases.filter(days.contains)
        }
        if let zoneNode = e["timezone"]?.value, let zone = r.string(zoneNode, "traffic.schedule.timezone") {
            guard zone.count <= 64, zone.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) }),
                Schedule.isKnownTimeZone(zone)
            else {
                r.report(
                    .error, "invalid-schedule", "`traffic.schedule.timezone` `\(zone.prefix(40))` is not an IANA time zone",
                    at: zoneNode, "traffic.schedule.timezone", hint: "e.g. UTC, Europe/Berlin, America/New_York")
                return nil
            }
            schedule.timezone = zone
        }
        return schedule
    }

    static func readSLA(_ node: Node, _ r: NodeReader) -> SLA {
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
            } else if let seconds = r.unit(
                c.value, "sla.cold_start", what: "a duration or `none`", example: "30s",
                parse: Units.seconds)
            {
                s.coldStart = .seconds(seconds)
            }
        }
        s.redundancy = e["redundancy"].flatMap { r.enumeration($0.value, "sla.redundancy", Redundancy.self) }
        return s
    }

    static func readConstraints(_ node: Node, _ r: NodeReader) -> Constraints {
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
            r.unit(
                $0.value, "constraints.monthly_budget", what: "an amount of money", example: "2500 USD",
                parse: Units.usd)
        }
        c.accountSpendLimitUSDPerHour = e["account_spend_limit"].flatMap {
            r.unit(
                $0.value, "constraints.account_spend_limit", what: "an amount of money per hour", example: "200 USD/hour",
                parse: Units.usdPerHour)
        }
        return c
    }

    static func readDeploy(_ node: Node, _ r: NodeReader) -> Deploy {
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
        d.activeDiscount = e["active_discount"].flatMap { entry in
            r.unit(entry.value, "deploy.active_discount", what: "a percentage", example: "30%", parse: Units.percent)
                .flatMap { r.inRange($0, 0...0.9, entry.value, "deploy.active_discount") }
        }
        return d
    }

    static func readTraining(_ node: Node, _ r: NodeReader) -> Training {
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
