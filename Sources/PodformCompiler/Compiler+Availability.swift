import PodformCatalog
import PodformCore

/// The options a live plan keeps once stock is known, and what it passed over (D-AVAILABILITY).
struct StockedOptions {
    /// The options that can be had now (all of them when nothing feasible can).
    var options: [Option]
    /// The cheapest options left out for stock, one per GPU type and product, cheapest first.
    var skipped: [(option: Option, reason: String)]
    /// Nothing feasible is in stock: `options` are all of them, and the plan says so.
    var noStock: Bool
}

extension Compiler {
    /// The data centers stock is judged in: the pinned ones, or only the first when the weights'
    /// network volume lives there (a volume pins its data center, NOTES §7).
    var stockDataCenters: [String] {
        weightsLocation == .networkVolume ? Array(spec.constraints.dataCenters.prefix(1)) : spec.constraints.dataCenters
    }

    /// The availability product and cloud an option runs in.
    func stockContext(_ o: Option) -> (GPUAvailability.Product, String) {
        if o.candidate.nodes > 1 { return (.cluster, "SECURE") }
        return o.mode == .pod ? (.pod, podPrice(o.candidate.gpu)?.1 ?? "SECURE") : (.serverless, "SECURE")
    }

    /// Why an option's GPU cannot be had now, or nil (always nil offline).
    func shortage(_ o: Option) -> String? {
        guard let availability = environment.availability else { return nil }
        let (product, cloud) = stockContext(o)
        return availability.shortage(o.candidate.gpu.id, product: product, cloud: cloud, dataCenters: stockDataCenters, spec: spec.name)
    }

    /// True when a pod of `gpu` in `cloud` can be had now (or nothing says it cannot): lets
    /// `constraints.cloud: any` take the other cloud when the cheaper one is out of stock.
    func podCloudStocked(_ gpu: GPUType, _ cloud: String) -> Bool {
        environment.availability?.shortage(gpu.id, product: .pod, cloud: cloud, dataCenters: stockDataCenters, spec: spec.name) == nil
    }

    /// D-AVAILABILITY: drops the options whose GPU type has no stock in the allowed cloud and data
    /// centers (a type the spec already runs on stays), keeping every option when none is left.
    func stocked(_ options: [Option]) -> StockedOptions {
        guard environment.availability != nil else { return StockedOptions(options: options, skipped: [], noStock: false) }
        var kept: [Option] = []
        var out: [String: (option: Option, reason: String)] = [:]
        for o in options {
            guard let why = shortage(o) else { kept.append(o); continue }
            let key = o.candidate.gpu.id + "/" + stockContext(o).0.rawValue
            if let seen = out[key], Option.isCheaper(seen.option, o) { continue }
            out[key] = (o, why)
        }
        let skipped = out.values.sorted { Option.isCheaper($0.option, $1.option) }
        if kept.isEmpty && !options.isEmpty { return StockedOptions(options: options, skipped: skipped, noStock: true) }
        return StockedOptions(options: kept, skipped: skipped, noStock: false)
    }

    /// The plan's stock record and its trace step: the first choices passed over (those cheaper
    /// than the chosen option), and the ranked fallbacks (the next GPU types, one per product, in
    /// cost order, within the budget and SLA like every option here).
    func availabilityRecord(_ best: Option, _ s: StockedOptions, _ trace: inout TraceBuilder) -> Deployment.Availability {
        guard let availability = environment.availability else { return .unchecked }
        let passed = s.noStock ? s.skipped : s.skipped.filter { Option.isCheaper($0.option, best) }
        let skipped = passed.prefix(5).map { entry in
            Deployment.Availability.Skipped(
                gpu: entry.option.candidate.gpu.id, count: entry.option.candidate.tp, mode: entry.option.modeName,
                monthlyUSD: (entry.option.monthlyUSD * 100).rounded() / 100, reason: entry.reason)
        }
        let fallbacks = self.fallbacks(best, s.noStock ? [] : s.options)
        var inputs = [
            "read": availability.read.sorted().joined(separator: ", "),
            "data_centers": stockDataCenters.isEmpty ? "any" : stockDataCenters.joined(separator: ", ")
        ]
        for entry in passed.prefix(5) { inputs["skipped \(entry.option.candidate.gpu.id) (\(entry.option.modeName))"] = entry.reason }
        if let held = availability.held[spec.name], !held.isEmpty {
            inputs["held"] = held.map { "\($0.gpu) (\($0.product.rawValue))" }.sorted().joined(separator: ", ")
        }
        let chosen = "\(best.candidate.tp) x \(best.candidate.gpu.displayName) (\(best.modeName))"
        let outcome: String
        if s.noStock {
            outcome = "no feasible choice is in stock now; planned the cheapest, \(chosen): apply fails on capacity until stock returns"
        } else if passed.isEmpty {
            outcome = "the cheapest feasible choice, \(chosen), is in stock"
        } else {
            outcome =
                "skipped \(passed.count) cheaper choice\(passed.count == 1 ? "" : "s") without stock ("
                + passed.prefix(3).map { "\($0.option.candidate.gpu.displayName) \($0.option.modeName): \($0.reason)" }.joined(separator: "; ")
                + "); chose \(chosen)"
        }
        trace.add(
            .availability, inputs: inputs,
            outcome: outcome
                + (fallbacks.isEmpty ? "" : "; fallbacks: " + fallbacks.map { "\($0.count) x \($0.gpu) (\($0.mode))" }.joined(separator: ", ")),
            source: Source.availability)
        return Deployment.Availability(checked: true, skipped: skipped, fallbacks: fallbacks, noStock: s.noStock)
    }

    /// The next GPU types after the chosen one, one per (type, product), cheapest first: what apply
    /// moves to when RunPod answers a create with no capacity (it re-plans with the refused type out
    /// of stock, which picks exactly the next of these).
    func fallbacks(_ best: Option, _ options: [Option], limit: Int = 3) -> [Deployment.Availability.Fallback] {
        guard let availability = environment.availability else { return [] }
        let chosenKey = best.candidate.gpu.id + "/" + stockContext(best).0.rawValue
        var seen: Set<String> = [chosenKey]
        var out: [Deployment.Availability.Fallback] = []
        for o in options.sorted(by: Option.isCheaper) {
            let (product, cloud) = stockContext(o)
            let key = o.candidate.gpu.id + "/" + product.rawValue
            guard !seen.contains(key) else { continue }
            seen.insert(key)
            out.append(
                .init(
                    rank: out.count + 1, gpu: o.candidate.gpu.id, count: o.candidate.tp, replicas: o.candidate.replicas,
                    mode: o.modeName, workerMode: o.workerMode, cloud: o.mode == .pod ? cloud : "SERVERLESS",
                    monthlyUSD: (o.monthlyUSD * 100).rounded() / 100,
                    deltaMonthlyUSD: ((o.monthlyUSD - best.monthlyUSD) * 100).rounded() / 100,
                    dataCenters: availability.stockedDataCenters(o.candidate.gpu.id, product: product, cloud: cloud, among: stockDataCenters),
                    nodes: o.candidate.nodes > 1 ? o.candidate.nodes : nil))
            if out.count == limit { break }
        }
        return out
    }

    /// A live plan's other serverless pools whose members can run the worker as configured within
    /// the budget, with what the cheapest member costs and the members that cannot (to exclude).
    /// RunPod places workers on whichever listed pool has capacity (OpenAPI v2
    /// `BaseEndpointGpuConfig.pools`). Offline plans keep the chosen pool only.
    func fallbackPools(_ best: Option, load: Load, vllm: Deployment.VLLM) -> [(pool: String, monthlyUSD: Double, excluded: [String])] {
        guard environment.availability != nil, let chosenPool = best.candidate.gpu.serverlessPool else { return [] }
        let byPool = Dictionary(
            grouping: environment.gpus.gpus.filter { $0.serverlessPool != nil && $0.serverlessPool != chosenPool },
            by: { $0.serverlessPool! })
        var found: [(pool: String, monthlyUSD: Double, excluded: [String])] = []
        for (pool, members) in byPool {
            var runs: [Option] = []
            var excluded: [String] = []
            for member in members.sorted(by: { $0.id < $1.id }) {
                if memberProblem(member, chosen: best.candidate, load: load, vllm: vllm) != nil { excluded.append(member.id); continue }
                let run = evaluate(
                    member, tp: best.candidate.tp, replicas: best.candidate.replicas, load: load, maxBatchedTokens: vllm.maxNumBatchedTokens)
                let priced = options(for: run, load: load, allowed: [best.model == .pod ? .serverlessFlex : best.model])
                    .filter { $0.mode == .serverless && $0.minWorkers == best.minWorkers }
                if let o = priced.first { runs.append(o) } else { excluded.append(member.id) }
            }
            guard let cheapest = runs.min(by: Option.isCheaper) else { continue }
            if let budget = spec.constraints.monthlyBudgetUSD, cheapest.monthlyUSD > budget { continue }
            found.append((pool, cheapest.monthlyUSD, excluded))
        }
        return found
    }

    /// Applies `fallbackPools` to a compiled serverless deployment: every feasible pool in cost
    /// order (the chosen one among them), exclusions extended, and the trace says so.
    func withFallbackPools(_ d: Deployment, _ best: Option, load: Load) -> Deployment {
        guard d.mode == .serverless, var serverless = d.serverless, let vllm = d.vllm, let chosen = serverless.pools.first else { return d }
        let extra = fallbackPools(best, load: load, vllm: vllm)
        guard !extra.isEmpty else { return d }
        var d = d
        let ordered = (extra.map { ($0.pool, $0.monthlyUSD) } + [(chosen, best.monthlyUSD)]).sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        serverless.pools = ordered.map(\.0)
        serverless.excludedTypes = Array(Set(serverless.excludedTypes + extra.flatMap(\.excluded))).sorted()
        d.serverless = serverless
        if let i = d.trace.lastIndex(where: { $0.rule == DecisionRule.availability.rawValue }) {
            d.trace[i].outcome += "; serverless pools in cost order: " + serverless.pools.joined(separator: ", ")
            d.trace[i].inputs["fallback_pools"] = extra.sorted { $0.monthlyUSD < $1.monthlyUSD }
                .map { fmt("%@ from $%.2f/month", $0.pool, $0.monthlyUSD) }.joined(separator: "; ")
        }
        return d
    }
}

extension Compiler {
    /// `no-stock`: nothing feasible can be had now.
    func noStockWarning(_ best: Option) -> Deployment.Warning {
        .init(
            code: "no-stock",
            message: "no feasible GPU type is in stock now\(stockDataCenters.isEmpty ? "" : " in " + stockDataCenters.joined(separator: ", ")); "
                + "the plan keeps the cheapest (\(best.candidate.tp) x \(best.candidate.gpu.displayName)), and apply fails with no capacity until stock returns"
        )
    }
}

extension Option {
    /// `pod`, `serverless` or `cluster` (an Instant Cluster of several nodes).
    var modeName: String { candidate.nodes > 1 ? "cluster" : mode.rawValue }
}
