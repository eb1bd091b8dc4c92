import Foundation

/// The traffic's rate over its active hours as a mixture of two Poisson rates (`Specs/performance.md` §3):
/// 15-minute blocks at the peak rate and blocks at half the mean rate, in the shares that keep the mean.
/// The simulator draws its blocks from these shares; the analytic cost model averages over them.
public struct RateProfile: Sendable, Hashable, Codable {
    public struct State: Sendable, Hashable, Codable {
        public var share: Double
        public var rate: Double
        public init(share: Double, rate: Double) { self.share = share; self.rate = rate }
    }

    public var states: [State]
    /// Seconds one block of constant rate lasts.
    public static let blockSeconds = 900.0

    public init(states: [State]) { self.states = states }

    /// `mean` and `peak` in requests per second over the active hours.
    public static func make(mean: Double, peak: Double) -> RateProfile {
        guard mean > 0 else { return RateProfile(states: [State(share: 1, rate: 0)]) }
        guard peak > mean * 1.0001 else { return RateProfile(states: [State(share: 1, rate: mean)]) }
        let base = mean / 2
        let share = (mean - base) / (peak - base)
        return RateProfile(states: [State(share: share, rate: peak), State(share: 1 - share, rate: base)])
    }

    public var meanRate: Double { states.reduce(0) { $0 + $1.share * $1.rate } }
}

/// Closed-form and approximate queueing results for RunPod serverless scaling (`Specs/performance.md` §3):
/// Poisson arrivals, a worker per `scalerStep` requests in flight (REQUEST_COUNT), scale-down after an
/// idle timeout, a cold start for every new worker, every up-second billed. Checked against the
/// discrete-event simulation in `PodformSimulateTests`.
public enum ServerlessScaling {
    /// P(N = k) for N ~ Poisson(rho), in log space (large rho safe).
    public static func poissonPMF(_ k: Int, _ rho: Double) -> Double {
        guard rho > 0 else { return k == 0 ? 1 : 0 }
        return exp(Double(k) * log(rho) - rho - lgamma(Double(k) + 1))
    }

    /// P(N > m) for N ~ Poisson(rho), summing only the terms within 12 standard deviations of the mean.
    public static func poissonTail(_ m: Int, _ rho: Double) -> Double {
        guard m >= 0 else { return 1 }
        guard rho > 0 else { return 0 }
        let spread = 12 * rho.squareRoot() + 12
        if Double(m) > rho + spread { return 0 }
        let low = max(0, Int((rho - spread).rounded(.down)))
        if m < low { return 1 }
        var pmf = poissonPMF(low, rho), cdf = 0.0
        for k in low...m {
            if k > low { pmf *= rho / Double(k) }
            cdf += pmf
        }
        return min(1, max(0, 1 - cdf))
    }

    /// The k-th worker's (1-based, counted from the first flex-or-active worker) share of time up and
    /// its starts per second, for Poisson arrivals at `rate`, each holding a slot `holdSeconds`, one more
    /// worker per `scalerStep` requests in flight, scale-down `idleSeconds` after its demand ends, and a
    /// `coldSeconds` start (billed).
    ///
    /// Requests in flight are M/G/infinity: N ~ Poisson(rate x hold). Worker k is demanded while
    /// N > (k-1) x step; those excursions start at rate x P(N = (k-1) x step). Treating the gaps between
    /// excursions as exponential, an up period holds e^(mu T) excursions and the gaps shorter than T:
    ///   up = C + e^(mu T) x B + (e^(mu T) - 1) / mu,  down = 1 / mu,
    /// with B the mean excursion and mu the rate excursions start from idle. For k = 1 this is exact
    /// for deterministic holds: up share = (rate C + e^(rate (S+T)) - 1) / (rate C + e^(rate (S+T))).
    public static func worker(_ k: Int, rate: Double, holdSeconds: Double, scalerStep: Int, idleSeconds: Double,
                              coldSeconds: Double) -> (upShare: Double, startsPerSecond: Double) {
        guard rate > 0, holdSeconds > 0, k >= 1 else { return (0, 0) }
        let rho = rate * holdSeconds
        let m = (k - 1) * max(scalerStep, 1)
        let pm = poissonPMF(m, rho)
        let tail = poissonTail(m, rho)
        let crossings = rate * pm
        guard crossings > 1e-300 else { return (tail > 0.5 ? 1 : 0, 0) }
        let mu = crossings / max(1 - tail, 1e-300)
        let excursion = tail / crossings
        let x = mu * idleSeconds
        guard x < 600 else { return (1, 0) }
        let up = coldSeconds + exp(x) * excursion + (exp(x) - 1) / mu
        let cycle = up + 1 / mu
        return (up / cycle, 1 / cycle)
    }

    /// Expected flex workers up (beyond `minWorkers`, up to `maxWorkers`) and starts per second.
    public static func flexWorkers(rate: Double, holdSeconds: Double, scalerStep: Int, minWorkers: Int, maxWorkers: Int,
                                   idleSeconds: Double, coldSeconds: Double) -> (up: Double, startsPerSecond: Double) {
        guard maxWorkers > minWorkers else { return (0, 0) }
        var up = 0.0, starts = 0.0
        for k in (minWorkers + 1)...maxWorkers {
            let w = worker(k, rate: rate, holdSeconds: holdSeconds, scalerStep: scalerStep, idleSeconds: idleSeconds,
                           coldSeconds: coldSeconds)
            up += w.upShare
            starts += w.startsPerSecond
            if w.upShare < 1e-9 { break }
        }
        return (up, starts)
    }

    /// Erlang C: the probability an arrival waits in an M/M/c queue with offered load `a` (< c).
    public static func erlangC(servers c: Int, load a: Double) -> Double {
        guard c > 0 else { return 1 }
        guard a < Double(c) else { return 1 }
        // Erlang B by its stable recursion, then C = B / (1 - rho (1 - B)).
        var b = 1.0
        for k in 1...c { b = a * b / (Double(k) + a * b) }
        let rho = a / Double(c)
        return b / (1 - rho * (1 - b))
    }

    /// Standard normal CDF.
    static func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.squareRoot()) }

    /// Spread of cold starts around the estimate (log-normal, median = the estimate).
    public static let coldStartSigma = 0.25

    /// Share of requests that wait longer than `limit` for a worker (`sla.cold_start`, or the TTFT budget).
    ///
    /// - No warm worker (min 0): every start of the first worker makes its first request and those
    ///   arriving in the start's first C - L seconds wait too long: P(C > L) + rate x E[(C - L)+] per
    ///   start, C log-normal around the estimate.
    /// - Warm workers: a request waits that long when all warm slots stay full: the M/M/c tail
    ///   C(c, a) x e^(-(c/S - rate) L), c = warm workers x slots (when a < c).
    /// - Every start of a further worker k while the k - 1 before it are overloaded: the arrivals beyond
    ///   their capacity, 1 - (k-1) x step / (rate x S), wait as for a first start.
    public static func coldWaitShare(rate: Double, holdSeconds: Double, slots: Int, minWorkers: Int, maxWorkers: Int,
                                     idleSeconds: Double, coldSeconds: Double, limit: Double) -> Double {
        guard rate > 0, holdSeconds > 0 else { return 0 }
        let a = rate * holdSeconds
        let step = max(slots, 1)
        let s = coldStartSigma
        let d2 = limit <= 0 ? Double.infinity : log(coldSeconds / limit) / s
        let pOver = coldSeconds <= 0 ? 0 : limit <= 0 ? 1 : phi(d2)
        let excess = coldSeconds <= 0 ? 0 : limit <= 0 ? coldSeconds * exp(s * s / 2)
            : coldSeconds * exp(s * s / 2) * phi(d2 + s) - limit * phi(d2)
        let perStart = pOver + rate * max(excess, 0)
        // Queueing for a slot with every worker up, then the starts.
        var share = queueWaitShare(rate: rate, holdSeconds: holdSeconds, servers: max(maxWorkers, minWorkers, 1) * step, limit: limit)
        let warm = max(minWorkers, 1)
        if minWorkers == 0 {
            let first = worker(1, rate: rate, holdSeconds: holdSeconds, scalerStep: step, idleSeconds: idleSeconds,
                               coldSeconds: coldSeconds)
            share += first.startsPerSecond * perStart / rate
        }
        if maxWorkers > warm {
            for k in (warm + 1)...maxWorkers {
                let beyond = 1 - Double((k - 1) * step) / a
                guard beyond > 0 else { break }
                let w = worker(k, rate: rate, holdSeconds: holdSeconds, scalerStep: step, idleSeconds: idleSeconds,
                               coldSeconds: coldSeconds)
                share += w.startsPerSecond * perStart * beyond / rate
            }
        }
        return min(1, share)
    }

    /// Share of requests that wait longer than `limit` for one of `servers` slots (M/M/c tail
    /// C(c, a) e^(-(c/S - rate) L); overloaded: the arrivals beyond capacity).
    public static func queueWaitShare(rate: Double, holdSeconds: Double, servers c: Int, limit: Double) -> Double {
        guard rate > 0, holdSeconds > 0, c > 0 else { return 0 }
        let a = rate * holdSeconds
        guard a < Double(c) else { return 1 - Double(c) / a }
        return erlangC(servers: c, load: a) * exp(-(Double(c) / holdSeconds - rate) * limit)
    }

    /// Mixes a per-rate quantity over a rate profile, by time (`requestWeighted` false) or by requests.
    public static func average(_ profile: RateProfile, requestWeighted: Bool = false, _ f: (Double) -> Double) -> Double {
        var total = 0.0, weight = 0.0
        for s in profile.states where s.share > 0 {
            let w = requestWeighted ? s.share * s.rate : s.share
            total += w * f(s.rate)
            weight += w
        }
        return weight > 0 ? total / weight : 0
    }
}
