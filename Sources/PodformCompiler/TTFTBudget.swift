/// Seconds a request may wait for a slot and still meet the TTFT SLA, for one stratum of prompt
/// lengths, with the stratum's share of requests.
struct TTFTBudget {
    var weight: Double
    var limit: Double

    /// Strata of the standard normal the prompt lengths are drawn over: (share of requests, z at the
    /// stratum's middle quantile). Finer in the tail, where the 5% a p95 allows is decided:
    /// [0, .5, .8, .9, .95, .98, .99, .995, 1].
    static let strata: [(Double, Double)] = [
        (0.5, -0.6745), (0.3, 0.3853), (0.1, 1.0364), (0.05, 1.4395), (0.03, 1.8119),
        (0.01, 2.1701), (0.005, 2.4324), (0.005, 2.8070)
    ]

    /// The share of requests over their limits: `f(limit)` per stratum, 1 where nothing is left to wait.
    static func share(_ budgets: [TTFTBudget], _ f: (Double) -> Double) -> Double {
        var total = 0.0
        // f once per distinct (rounded) limit: a handful of strata, so a scan of those seen beats a dictionary.
        withUnsafeTemporaryAllocation(of: (key: Double, value: Double).self, capacity: budgets.count) { seen in
            var count = 0
            for b in budgets {
                if b.limit <= 0 { total += b.weight; continue }
                let key = (b.limit * 1000).rounded() / 1000
                var value: Double?
                for i in 0..<count where seen[i].key == key { value = seen[i].value; break }
                if value == nil {
                    value = f(key)
                    seen[count] = (key, value!)
                    count += 1
                }
                total += b.weight * value!
            }
        }
        return min(total, 1)
    }
}
