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
    func alternatives(
        _ best: Option, options: [Option], allOptions: [Option], rejected: [Candidate],
        gpuRejections: [(GPUType, String, String)], load: Load, modes: Set<PricingModel>
    ) -> [Deployment.Alternative] {
        var out: [Deployment.Alternative] = []
        var seen: Set<String> = [best.candidate.gpu.id]
        let bestPrice = hourlyPrice(best.candidate.gpu) ?? 0
        func priced(_ o: Option, _ reason: String) -> Deployment.Alternative {
            .init(
                gpu: o.candidate.gpu.id, count: o.candidate.tp, replicas: o.candidate.replicas, mode: o.mode,
                workerMode: o.workerMode, monthlyUSD: (o.monthlyUSD * 100).rounded() / 100,
                deltaMonthlyUSD: ((o.monthlyUSD - best.monthlyUSD) * 100).rounded() / 100, reason: reason)
        }

        // Constraints the spec can lift, cheapest hardware first; at most four GPUs searched.
        let liftable: Set<String> = ["D-GPU-CONSUMER", "D-GPU-ECC", "D-GPU-ROCM"]
        let ruledOut = gpuRejections.filter { liftable.contains($0.1) && (hourlyPrice($0.0) ?? .infinity) < bestPrice }
            .sorted { (hourlyPrice($0.0) ?? 0, $0.0.id) < (hourlyPrice($1.0) ?? 0, $1.0.id) }
        for (gpu, rule, why) in ruledOut.prefix(4) where out.count < 2 {
            let found = search(gpu, load: load, modes: modes, maxReplicas: min(spec.constraints.maxWorkers ?? 16, 64))
            guard let o = found.options.filter(\.meetsSLA).min(by: Option.isCheaper), Option.isCheaper(o, best) else { continue }
            out.append(priced(o, "rejected (\(rule)): \(why); without that constraint it meets the SLA"))
            seen.insert(gpu.id)
        }

        // The cheapest way that misses the SLA, when it is cheaper: the price of the SLA.
        if out.count < 3, let miss = allOptions.filter({ !$0.meetsSLA && !seen.contains($0.candidate.gpu.id) }).min(by: Option.isCheaper),
            Option.isCheaper(miss, best)
        {
            var shares: [String] = []
            if let s = miss.ttftWaitShare, s > slaBreachShare { shares.append("\(percentText(s)) of requests wait past the TTFT SLA") }
            if let s = miss.coldWaitShare, s > slaBreachShare { shares.append("\(percentText(s)) wait longer than the cold-start SLA") }
            out.append(
                priced(
                    miss,
                    "misses the SLA: " + shares.joined(separator: "; ")
                        + (miss.mode == .serverless ? " (idle timeout \(miss.idleSeconds) s)" : "")))
            seen.insert(miss.candidate.gpu.id)
        }

        // A cheaper GPU only memory keeps out, and only just.
        if out.count < 3,
            let near = rejected.filter({ r in
                guard case let .memory(need, _, _, _, _, _, _, have, _)? = r.rejectionDetail, !seen.contains(r.gpu.id) else { return false }
                return have > 0 && need <= have * 1.10 && (hourlyPrice(r.gpu) ?? .infinity) * Double(r.tp) < bestPrice * Double(best.candidate.tp)
            }).min(by: { ($0.replicas, $0.gpu.id) < ($1.replicas, $1.gpu.id) })
        {
            out.append(
                .init(
                    gpu: near.gpu.id, count: near.tp, replicas: near.replicas, mode: best.mode, workerMode: best.workerMode,
                    monthlyUSD: nil, deltaMonthlyUSD: nil, reason: "rejected (D-MEMORY): \(near.rejection ?? "")"))
        }
        // The next-cheapest options that meet it, one per GPU (a selection, not a full sort).
        var nextBest: [Option] = []
        for o in options where !seen.contains(o.candidate.gpu.id) && o.meetsSLA == best.meetsSLA {
            if let i = nextBest.firstIndex(where: { $0.candidate.gpu.id == o.candidate.gpu.id }) {
                if Option.isCheaper(o, nextBest[i]) { nextBest[i] = o; nextBest.sort(by: Option.isCheaper) }
                continue
            }
            nextBest.append(o)
            nextBest.sort(by: Option.isCheaper)
            if nextBest.count > 3 { nextBest.removeLast() }
        }
        for o in nextBest where out.count < 3 {
            seen.insert(o.candidate.gpu.id)
            out.append(priced(o, best.meetsSLA ? "meets the SLA" : "fits, and misses the SLA as the plan does"))
        }

        return out
    }
}
