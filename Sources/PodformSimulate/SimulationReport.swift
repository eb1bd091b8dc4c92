/// What one simulation run measured (`podform simulate`; `Specs/performance.md` §5).
public struct SimulationReport: Sendable, Codable, Hashable {
    public struct Percentiles: Sendable, Codable, Hashable {
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var mean: Double
    }

    /// One SLA term: the share of requests that break it and whether the spec's percentile holds.
    public struct Term: Sendable, Codable, Hashable {
        public var term: String
        public var limit: Double
        public var breachShare: Double
        public var met: Bool
    }

    public var days: Int
    public var seed: UInt64
    public var requests: Int
    public var events: Int
    /// Arrival to first token: queueing, waiting for a worker to start, prefill.
    public var ttftSeconds: Percentiles
    /// Arrival to a slot on a ready worker.
    public var waitSeconds: Percentiles
    /// Per-request decode speed, 5th percentile (tokens/s).
    public var tokensPerSecondP5: Double
    /// Requests served by a worker that was not ready when they arrived.
    public var coldHitShare: Double
    public var coldStarts: Int
    public var terms: [Term]
    public var slaMet: Bool
    public var flexGPUSeconds: Double
    public var activeGPUSeconds: Double
    public var podGPUSeconds: Double
    /// Mean flex workers up over the active hours of a run day.
    public var meanFlexWorkersUp: Double
    public var peakWorkers: Int
    public var computeMonthlyUSD: Double
    public var storageMonthlyUSD: Double
    public var monthlyUSD: Double
    public var claimedMonthlyUSD: Double
    public var claimedSLAMet: Bool
    /// Workers up (starting or ready), averaged over the days, in 5-minute buckets of the day.
    public var workersByTimeOfDay: [Double]
    /// p95 TTFT of the requests arriving in each 30-minute bucket of the day (nil: none arrived).
    public var ttftP95ByTimeOfDay: [Double?]

    enum CodingKeys: String, CodingKey {
        case days, seed, requests, events, ttftSeconds = "ttft_seconds", waitSeconds = "wait_seconds"
        case tokensPerSecondP5 = "tokens_per_second_p5", coldHitShare = "cold_hit_share", coldStarts = "cold_starts"
        case terms, slaMet = "sla_met", flexGPUSeconds = "flex_gpu_seconds", activeGPUSeconds = "active_gpu_seconds"
        case podGPUSeconds = "pod_gpu_seconds", meanFlexWorkersUp = "mean_flex_workers_up", peakWorkers = "peak_workers"
        case computeMonthlyUSD = "compute_monthly_usd", storageMonthlyUSD = "storage_monthly_usd", monthlyUSD = "monthly_usd"
        case claimedMonthlyUSD = "claimed_monthly_usd", claimedSLAMet = "claimed_sla_met"
        case workersByTimeOfDay = "workers_by_time_of_day", ttftP95ByTimeOfDay = "ttft_p95_by_time_of_day"
    }
}

extension SimulationReport.Percentiles {
    /// Percentiles of `values` (nearest rank on the sorted values).
    static func of(_ values: [Double]) -> Self {
        guard !values.isEmpty else { return .init(p50: 0, p95: 0, p99: 0, mean: 0) }
        let sorted = values.sorted()
        func q(_ p: Double) -> Double {
            sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1 < 0 ? 0 : Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        return .init(p50: q(0.5), p95: q(0.95), p99: q(0.99), mean: sorted.reduce(0, +) / Double(sorted.count))
    }
}
