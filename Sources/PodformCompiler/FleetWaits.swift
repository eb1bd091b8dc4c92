/// A serverless option's fleets at each rate of the profile and what the start of a peak adds
/// (`Compiler.waits`): the share of requests that wait past each limit.
struct FleetWaits {
    var fleets: [ServerlessFleet]
    /// Further starts per second of the first worker, per rate (the start of a peak block).
    var extra: [Double]
    /// By request: each rate's share of time x its rate.
    var weights: [Double]
    var totalWeight: Double
    var overloadSeconds: Double
    var overloadWeight: Double

    func share(_ limits: [TTFTBudget]) -> Double {
        guard !fleets.isEmpty else { return 0 }
        return TTFTBudget.share(limits) { limit in
            var share = 0.0
            for (i, fleet) in fleets.enumerated() where weights[i] > 0 {
                share += weights[i] * fleet.waitShare(limit: limit, extraStarts: extra[i])
            }
            share = totalWeight > 0 ? share / totalWeight : 0
            share += overloadWeight * max(0, overloadSeconds - limit)
            return min(share, 1)
        }
    }
}
