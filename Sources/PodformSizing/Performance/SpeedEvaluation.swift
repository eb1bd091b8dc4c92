import Foundation

/// Errors of the speed model against measured rows (what `podform-bench speed` reports and the
/// tests hold to).
public struct SpeedEvaluation: Sendable {
    public struct Row: Sendable {
        public var observation: SpeedObservation
        public var prediction: SpeedPrediction
        /// Measured per-user decode tokens/s (1000 / TPOT) and its prediction.
        public var perUser: (measured: Double, predicted: Double)?
        public var throughput: (measured: Double, predicted: Double)?
        /// TTFT, only where it is scored (not a burst or a saturated queue).
        public var ttft: (measured: Double, predicted: Double)?
        /// Measured per-user speed inside the quoted range.
        public var inRange: Bool?
    }

    public enum Metric: String, Sendable, CaseIterable {
        case perUser = "per-user decode tokens/s", throughput = "aggregate output tokens/s", ttft = "TTFT"
    }

    public struct Summary: Sendable {
        public var count: Int
        /// Median of |predicted - measured| / measured.
        public var medianError: Double
        /// Largest max(predicted / measured, measured / predicted).
        public var worstRatio: Double
        public var worstRow: String
    }

    public var rows: [Row]

    public init(_ observations: [SpeedObservation], calibration: SpeedCalibration) {
        rows = observations.map { Self.row($0, $0.factors(calibration)) }
    }

    public init(rows: [Row]) { self.rows = rows }

    public static func row(_ o: SpeedObservation, _ f: EfficiencyFactors) -> Row {
        let p = o.predict(f)
        var r = Row(observation: o, prediction: p)
        if let tpot = o.tpotMs, tpot > 0 {
            let measured = 1000 / tpot
            r.perUser = (measured, 1000 / p.tpotMs)
            r.inRange = measured >= p.perUserRange[0] && measured <= p.perUserRange[1]
        }
        if let t = o.outputTokensPerSecond, t > 0 { r.throughput = (t, p.outputTokensPerSecond) }
        if let t = o.ttftMs, t > 0, p.ttftScored, o.ttftPlausible { r.ttft = (t, p.ttftMs) }
        return r
    }

    public static func pair(_ r: Row, _ m: Metric) -> (measured: Double, predicted: Double)? {
        switch m {
        case .perUser: return r.perUser
        case .throughput: return r.throughput
        case .ttft: return r.ttft
        }
    }

    public func summary(_ metric: Metric, where include: (Row) -> Bool = { _ in true }) -> Summary? {
        var errors: [Double] = []
        var worst = 0.0, worstRow = ""
        for r in rows where include(r) {
            guard let (m, p) = Self.pair(r, metric) else { continue }
            errors.append(abs(p - m) / m)
            let ratio = max(p / m, m / p)
            if ratio > worst { worst = ratio; worstRow = "\(r.observation.id) \(r.observation.label)" }
        }
        guard let median = SpeedCalibration.median(errors) else { return nil }
        return Summary(count: errors.count, medianError: median, worstRatio: worst, worstRow: worstRow)
    }

    /// Leave-one-group-out: refit without each group's rows and predict them. The refits are independent:
    /// they run two at a time (results in group order, so deterministic).
    public static func holdOut(
        _ observations: [SpeedObservation], rounds: Int = SpeedCalibration.holdOutRounds,
        by group: (SpeedObservation) -> String
    ) -> SpeedEvaluation {
        let names = Set(observations.map(group)).sorted()
        let keyed = observations.map { (group($0), $0) }
        let results = ResultBox(count: names.count)
        DispatchQueue.concurrentPerform(iterations: names.count) { i in
            let train = keyed.filter { $0.0 != names[i] }.map(\.1)
            let c = SpeedCalibration.fit(train, rounds: rounds)
            results.set(i, keyed.filter { $0.0 == names[i] }.map { row($0.1, $0.1.factors(c)) })
        }
        return SpeedEvaluation(rows: results.all.flatMap { $0 })
    }

    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var rows: [[Row]]
        init(count: Int) { rows = Array(repeating: [], count: count) }
        func set(_ i: Int, _ r: [Row]) { lock.lock(); rows[i] = r; lock.unlock() }
        var all: [[Row]] { lock.lock(); defer { lock.unlock() }; return rows }
    }

    /// Concurrency band of a row for reports.
    public static func band(_ o: SpeedObservation) -> String {
        switch o.load {
        case .concurrency(let c, _): return c <= 1 ? "1" : c <= 8 ? "2-8" : c <= 64 ? "9-64" : "65+"
        case .rate: return "Poisson rate"
        case .burst: return "burst / offline"
        }
    }
}
