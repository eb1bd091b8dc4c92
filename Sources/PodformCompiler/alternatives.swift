import PodformCatalog

extension Compiler {
    /// Per-GPU-hour price used to compare hardware: the pod price, else the flex price per hour.
    func hourlyPrice(_ gpu: GPUType) -> Double? {
        podPrice(gpu)?.0.usd ?? environment.gpus.flexPerSecond(gpu).map { $0.usd * 3600 }
    }

    /// What else could run the spec, at most three, one per GPU, each priced by the same model as the
    /// plan in its own mode and with its real reason (`Specs/plan.md`):
    /// - a cheaper GPU a spec constraint rules out (GeForce, no ECC, ROCm), when lifting the constraint
    ///   yields a plan that meets the SLA for less: that plan's mode and price, and the constraint;
    /// - the cheapest option that misses the SLA, when it is cheaper: what the SLA costs;
    /// - a cheaper GPU that misses by memory alone by at most 10% (no price: it does not fit);
    /// - the next-cheapest options that meet it on other GPUs.
    func alternatives(_ choice: ServingChoice) -> [Deployment.Alternative] {
        let best = choice.best
        var seen: Set<String> = [best.candidate.gpu.id]
        var out = liftedConstraints(choice, seen: &seen)
        if out.count < 3, let miss = slaPrice(choice, seen: &seen) { out.append(miss) }
        if out.count < 3, let near = nearMiss(choice, seen: seen) { out.append(near) }
        for o in nextBest(choice, seen: seen) where out.count < 3 {
            seen.insert(o.candidate.gpu.id)
            out.append(alternative(o, best: best, best.meetsSLA ? "meets the SLA" : "fits, and misses the SLA as the plan does"))
        }
        return out
    }

    /// An option as an alternative to `best`, priced, with the difference.
    func alternative(_ o: Option, best: Option, _ reason: String) -> Deployment.Alternative {
        .init(
            gpu: o.candidate.gpu.id, count: o.candidate.tp, replicas: o.candidate.replicas, mode: o.mode,
            workerMode: o.workerMode, monthlyUSD: (o.monthlyUSD * 100).rounded() / 100,
            deltaMonthlyUSD: ((o.monthlyUSD - best.monthlyUSD) * 100).rounded() / 100, reason: reason)
    }

    /// Constraints the spec can lift, cheapest hardware first: at most two, four GPUs searched.
    func liftedConstraints(_ choice: ServingChoice, seen: inout Set<String>) -> [Deployment.Alternative] {
        let best = choice.best, bestPrice = hourlyPrice(best.candidate.gpu) ?? 0
        let liftable: Set<String> = ["D-GPU-CONSUMER", "D-GPU-ECC", "D-GPU-ROCM"]
        let ruledOut = choice.gpuRejections.filter { liftable.contains($0.1) && (hourlyPrice($0.0) ?? .infinity) < bestPrice }
            .sorted { (hourlyPrice($0.0) ?? 0, $0.0.id) < (hourlyPrice($1.0) ?? 0, $1.0.id) }
        var out: [Deployment.Alternative] = []
        for (gpu, rule, why) in ruledOut.prefix(4) where out.count < 2 {
            let found = search(gpu, load: choice.load, modes: choice.modes, maxReplicas: min(spec.constraints.maxWorkers ?? 16, 64))
            guard let o = found.options.filter(\.meetsSLA).min(by: Option.isCheaper), Option.isCheaper(o, best) else { continue }
            out.append(alternative(o, best: best, "rejected (\(rule)): \(why); without that constraint it meets the SLA"))
            seen.insert(gpu.id)
        }
        return out
    }

    /// The cheapest way that misses the SLA, when it is cheaper: the price of the SLA.
    func slaPrice(_ choice: ServingChoice, seen: inout Set<String>) -> Deployment.Alternative? {
        let best = choice.best
        guard let miss = choice.allOptions.filter({ !$0.meetsSLA && !seen.contains($0.candidate.gpu.id) }).min(by: Option.isCheaper),
            Option.isCheaper(miss, best)
        else { return nil }
        var shares: [String] = []
        if let s = miss.ttftWaitShare, s > slaBreachShare { shares.append("\(percentText(s)) of requests wait past the TTFT SLA") }
        if let s = miss.coldWaitShare, s > slaBreachShare { shares.append("\(percentText(s)) wait longer than the cold-start SLA") }
        seen.insert(miss.candidate.gpu.id)
        return alternative(
            miss, best: best,
            "misses the SLA: " + shares.joined(separator: "; ") + (miss.mode == .serverless ? " (idle timeout \(miss.idleSeconds) s)" : ""))
    }

    /// A cheaper GPU only memory keeps out, and only just (no price: it does not fit).
    func nearMiss(_ choice: ServingChoice, seen: Set<String>) -> Deployment.Alternative? {
        let best = choice.best, bestPrice = hourlyPrice(best.candidate.gpu) ?? 0
        let near = choice.rejected.filter({ r in
            guard case let .memory(need, _, _, _, _, _, _, have, _)? = r.rejectionDetail, !seen.contains(r.gpu.id) else { return false }
            return have > 0 && need <= have * 1.10 && (hourlyPrice(r.gpu) ?? .infinity) * Double(r.tp) < bestPrice * Double(best.candidate.tp)
        }).min(by: { ($0.replicas, $0.gpu.id) < ($1.replicas, $1.gpu.id) })
        return near.map {
            .init(
                gpu: $0.gpu.id, count: $0.tp, replicas: $0.replicas, mode: best.mode, workerMode: best.workerMode,
                monthlyUSD: nil, deltaMonthlyUSD: nil, reason: "rejected (D-MEMORY): \($0.rejection ?? "")")
        }
    }

    /// The next-cheapest options with the plan's SLA verdict, one per GPU, at most three (a selection,
    /// not a full sort).
    func nextBest(_ choice: ServingChoice, seen: Set<String>) -> [Option] {
        var nextBest: [Option] = []
        for o in choice.options where !seen.contains(o.candidate.gpu.id) && o.meetsSLA == choice.best.meetsSLA {
            if let i = nextBest.firstIndex(where: { $0.candidate.gpu.id == o.candidate.gpu.id }) {
                if Option.isCheaper(o, nextBest[i]) { nextBest[i] = o; nextBest.sort(by: Option.isCheaper) }
                continue
            }
            nextBest.append(o)
            nextBest.sort(by: Option.isCheaper)
            if nextBest.count > 3 { nextBest.removeLast() }
        }
        return nextBest
    }
}
