import PodformCatalog

/// One GPU type's smallest count that holds a training run: the type, the count, the price, the
/// cloud and what the planned hours cost.
typealias TrainingChoice = (GPUType, Int, PricePoint, String, Double)

/// The training choices a live plan keeps once stock is known (D-AVAILABILITY).
struct StockedTraining {
    var choices: [TrainingChoice]
    var skipped: [(choice: TrainingChoice, reason: String)]
    var noStock: Bool
}

extension Compiler {
    /// Why a training pod of `gpu` in `cloud` cannot be had now, or nil (always nil offline).
    func trainingShortage(_ gpu: GPUType, cloud: String) -> String? {
        environment.availability?.shortage(gpu.id, product: .pod, cloud: cloud, dataCenters: spec.constraints.dataCenters, spec: spec.name)
    }

    /// Drops the choices without stock, keeping them all when none is left.
    func stockedTraining(_ choices: [TrainingChoice]) -> StockedTraining {
        guard environment.availability != nil else { return StockedTraining(choices: choices, skipped: [], noStock: false) }
        var kept: [TrainingChoice] = []
        var skipped: [(choice: TrainingChoice, reason: String)] = []
        for c in choices {
            if let why = trainingShortage(c.0, cloud: c.3) { skipped.append((c, why)) } else { kept.append(c) }
        }
        if kept.isEmpty && !choices.isEmpty { return StockedTraining(choices: choices, skipped: skipped, noStock: true) }
        return StockedTraining(choices: kept, skipped: skipped, noStock: false)
    }

    /// The stock record of a training plan and its trace step: the cheaper types passed over, the
    /// next in-stock types as fallbacks.
    func trainingAvailability(_ s: StockedTraining, _ trace: inout TraceBuilder) -> Deployment.Availability {
        guard let availability = environment.availability, let best = s.choices.first else { return .unchecked }
        let monthly = { (c: TrainingChoice) in (c.2.usd * Double(c.1) * hoursPerMonth * 100).rounded() / 100 }
        let passed =
            s.noStock ? s.skipped : s.skipped.filter { $0.choice.4 < best.4 - 1e-9 || ($0.choice.4 <= best.4 + 1e-9 && $0.choice.1 < best.1) }
        let skipped = passed.prefix(5).map {
            Deployment.Availability.Skipped(gpu: $0.choice.0.id, count: $0.choice.1, mode: "pod", monthlyUSD: monthly($0.choice), reason: $0.reason)
        }
        let fallbacks =
            s.noStock
            ? []
            : s.choices.dropFirst().prefix(3).enumerated().map { i, c in
                Deployment.Availability.Fallback(
                    rank: i + 1, gpu: c.0.id, count: c.1, replicas: 1, mode: "pod", workerMode: nil, cloud: c.3, monthlyUSD: monthly(c),
                    deltaMonthlyUSD: ((monthly(c) - monthly(best)) * 100).rounded() / 100,
                    dataCenters: availability.stockedDataCenters(c.0.id, product: .pod, cloud: c.3, among: spec.constraints.dataCenters))
            }
        var inputs = [
            "read": availability.read.sorted().joined(separator: ", "),
            "data_centers": spec.constraints.dataCenters.isEmpty ? "any" : spec.constraints.dataCenters.joined(separator: ", ")
        ]
        for entry in passed.prefix(5) { inputs["skipped \(entry.choice.0.id) (pod)"] = entry.reason }
        let chosen = "\(best.1) x \(best.0.displayName)"
        let outcome =
            s.noStock
            ? "no GPU that holds the run is in stock now; planned the cheapest, \(chosen): apply fails on capacity until stock returns"
            : passed.isEmpty
                ? "the cheapest choice, \(chosen), is in stock"
                : "skipped " + passed.prefix(3).map { "\($0.choice.0.displayName): \($0.reason)" }.joined(separator: "; ") + "; chose \(chosen)"
        trace.add(
            .availability, inputs: inputs,
            outcome: outcome + (fallbacks.isEmpty ? "" : "; fallbacks: " + fallbacks.map { "\($0.count) x \($0.gpu)" }.joined(separator: ", ")),
            source: Source.availability)
        return Deployment.Availability(checked: true, skipped: skipped, fallbacks: fallbacks, noStock: s.noStock)
    }

    func trainingNoStockWarning(_ gpu: GPUType, _ count: Int) -> Deployment.Warning {
        .init(
            code: "no-stock",
            message:
                "no GPU type that holds the run is in stock now; the plan keeps the cheapest (\(count) x \(gpu.displayName)), and apply fails with no capacity until stock returns"
        )
    }
}
