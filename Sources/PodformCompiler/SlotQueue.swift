import Foundation

/// Seconds a request holds a slot on a replica decoding `batch` sequences (its prefill plus its output at
/// that batch's step), sampled at a few batches and interpolated between: continuous batching makes a
/// worker slower the fuller it is.
public struct HoldCurve: Sendable, Hashable {
    /// (batch, seconds), batches ascending, the first 1 and the last the slots.
    public var points: [(batch: Int, seconds: Double)]

    public init(points: [(batch: Int, seconds: Double)]) { self.points = points.sorted { $0.batch < $1.batch } }

    public static func == (a: HoldCurve, b: HoldCurve) -> Bool {
        a.points.map(\.batch) == b.points.map(\.batch) && a.points.map(\.seconds) == b.points.map(\.seconds)
    }
    public func hash(into h: inout Hasher) { for p in points { h.combine(p.batch); h.combine(p.seconds) } }

    /// One hold for every batch (a fixed-speed server).
    public static func constant(_ seconds: Double, slots: Int) -> HoldCurve {
        HoldCurve(points: [(1, seconds), (max(slots, 1), seconds)])
    }

    /// Batches 1, 2, 4, ... and `slots`: where the curve is sampled.
    public static func batches(slots: Int) -> [Int] {
        var b = [1], x = 2
        while x < slots { b.append(x); x *= 2 }
        if slots > 1 { b.append(slots) }
        return b
    }

    public var slots: Int { points.last?.batch ?? 1 }

    public func seconds(batch: Int) -> Double {
        guard let first = points.first else { return 0 }
        if batch <= first.batch { return first.seconds }
        for (lo, hi) in zip(points, points.dropFirst()) where batch <= hi.batch {
            let f = Double(batch - lo.batch) / Double(max(hi.batch - lo.batch, 1))
            return lo.seconds + (hi.seconds - lo.seconds) * f
        }
        return points.last!.seconds
    }
}

/// Requests in the system (decoding, prefilling or queued) on `workers` workers of `curve.slots` slots,
/// Poisson arrivals at `rate`, each request on a free slot of the lowest-numbered worker: a birth-death
/// chain with births at `rate` and deaths at the busy slots' completion rate, sum over workers of
/// b / hold(b) (continuous batching: the fuller a worker, the slower each of its requests).
public struct InFlight: Sendable {
    /// log pi(n), normalized, for n = 0 ... workers x slots.
    private var logPi: [Double] = []
    /// pi(n) = exp(log pi(n)), and P(N <= n) summed from n = 0 up (the order `tail` adds them in).
    private var pi: [Double] = []
    private var below: [Double] = []
    /// pi(n + 1) / pi(n) above every slot taken (all workers at their full batch).
    private var ratio = 0.0
    /// True when the arrivals outrun every slot (no stationary state: the queue grows).
    public private(set) var overloaded = false
    public let servers: Int
    /// Completion rate with every slot taken.
    public let fullRate: Double

    public init(rate: Double, curve: HoldCurve, workers: Int) {
        let s = max(curve.slots, 1), c = max(workers, 1) * s
        servers = c
        fullRate = curve.seconds(batch: s) > 0 ? Double(c) / curve.seconds(batch: s) : 0
        guard rate > 0 else { logPi = [0]; pi = [1]; below = [1]; return }
        guard rate < fullRate else { overloaded = true; return }
        var l = 0.0
        var logs = [0.0]
        logs.reserveCapacity(c + 1)
        for n in stride(from: 1, through: c, by: 1) {
            let full = (n - 1) / s, partial = n - full * s
            let deaths = Double(full) * Double(s) / curve.seconds(batch: s) + Double(partial) / curve.seconds(batch: partial)
            l += log(rate) - log(deaths)
            logs.append(l)
        }
        ratio = rate / fullRate
        let top = logs.max() ?? 0
        var total = 0.0
        for x in logs.dropLast() { total += exp(x - top) }
        total += exp(logs[c] - top) / (1 - ratio)
        let norm = top + log(total)
        logPi = logs.map { $0 - norm }
        pi = logPi.map { exp($0) }
        var sum = 0.0
        below = pi.map {
            sum += $0; return sum
        }
    }

    /// P(N = n).
    public func pmf(_ n: Int) -> Double {
        if overloaded || n < 0 { return 0 }
        if n < pi.count { return pi[n] }
        return pi[pi.count - 1] * pow(ratio, Double(n - pi.count + 1))
    }

    /// P(N > n).
    public func tail(_ n: Int) -> Double {
        if overloaded { return 1 }
        if n < 0 { return 1 }
        let last = pi.count - 1
        if n >= last { return pi[last] * pow(ratio, Double(n - last + 1)) / (1 - ratio) }
        return min(1, max(0, 1 - below[n]))
    }
}

extension ServerlessScaling {
    /// Share of requests that wait longer than `limit` for a slot on `workers` workers of `curve.slots`
    /// slots each (`InFlight`): below c = workers x slots requests in the system a request starts at
    /// once; at or above, it waits, and (all slots busy, each worker at its full batch, the slowest step)
    /// the wait is exponential with rate c / hold(slots) - rate (exact for exponential holds: Erlang C
    /// when the hold does not depend on the batch); holds less variable than exponential (`serviceCV2`
    /// < 1) shorten the conditional wait by (1 + CV^2) / 2 (Allen-Cunneen). Overloaded (rate >=
    /// c / hold(slots)): the arrivals beyond capacity.
    public static func slotWaitShare(
        rate: Double, curve: HoldCurve, workers: Int, limit: Double,
        serviceCV2: Double = 1
    ) -> Double {
        guard rate > 0, workers > 0, curve.seconds(batch: curve.slots) > 0 else { return 0 }
        return slotWaitShare(InFlight(rate: rate, curve: curve, workers: workers), rate: rate, limit: limit, serviceCV2: serviceCV2)
    }

    /// `slotWaitShare` on a chain already built for this rate.
    public static func slotWaitShare(_ system: InFlight, rate: Double, limit: Double, serviceCV2: Double = 1) -> Double {
        guard rate > 0, system.fullRate > 0 else { return 0 }
        guard !system.overloaded else { return 1 - system.fullRate / rate }
        let drain = (system.fullRate - rate) * 2 / (1 + max(serviceCV2, 0))
        return system.tail(system.servers - 1) * exp(-drain * max(limit, 0))
    }
}
