import Foundation

/// The traffic's rate over its active hours as a mixture of two Poisson rates (`Specs/performance.md` §4):
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

/// Closed-form and approximate queueing results for RunPod serverless scaling (`Specs/performance.md` §4):
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
    ///
    /// With `demand`, N is that birth-death chain instead (`InFlight`: slots filled lowest worker first,
    /// each worker as slow as its batch makes it), which the compiler uses; Poisson is its limit for
    /// holds that do not depend on the batch and slots to spare.
    ///
    /// `startShare` is the share of excursions that start the worker (`startShare(_:rate:curve:delay:)`:
    /// QUEUE_DELAY lets the short ones pass); the others are waited out on the workers before it.
    // Not inlined: Swift 6.3.1's optimizer crashes (SimplifyCFG, BorrowUtils) inlining it into its callers.
    @inline(never)
    public static func worker(
        _ k: Int, rate: Double, holdSeconds: Double, scalerStep: Int, idleSeconds: Double,
        coldSeconds: Double, demand: InFlight? = nil,
        startShare: Double = 1
    ) -> (upShare: Double, startsPerSecond: Double) {
        guard rate > 0, holdSeconds > 0, k >= 1 else { return (0, 0) }
        let rho = rate * holdSeconds
        let m = (k - 1) * max(scalerStep, 1)
        let pm = demand?.pmf(m) ?? poissonPMF(m, rho)
        let tail = demand?.tail(m) ?? poissonTail(m, rho)
        if demand?.overloaded == true { return (1, 0) }
        let share = min(max(startShare, 0), 1)
        let crossings = rate * pm * share
        guard crossings > 1e-300 else { return (tail * share > 0.5 ? 1 : 0, 0) }
        let mu = crossings / max(1 - tail * share, 1e-300)
        let excursion = tail / (rate * pm)
        let x = mu * idleSeconds
        guard x < 600 else { return (1, 0) }
        let up = coldSeconds + exp(x) * excursion + (exp(x) - 1) / mu
        let cycle = up + 1 / mu
        return (up / cycle, 1 / cycle)
    }

    /// The share of worker k's demand excursions that start it: every one under REQUEST_COUNT (`delay`
    /// 0); under QUEUE_DELAY only those whose queued request still waits after `delay` seconds, when the
    /// k - 1 workers before it (m slots, each at its full batch) free a slot at m / hold(full):
    /// e^(-(m / hold(full) - rate) delay). The first worker starts at once from zero.
    public static func startShare(_ k: Int, rate: Double, curve: HoldCurve, delay: Double) -> Double {
        guard delay > 0, k > 1 else { return 1 }
        let freeing = Double((k - 1) * curve.slots) / max(curve.seconds(batch: curve.slots), 1e-9)
        return exp(-max(freeing - rate, 0) * delay)
    }

    /// Expected flex workers up (beyond `minWorkers`, up to `maxWorkers`) and starts per second.
    public static func flexWorkers(
        rate: Double, holdSeconds: Double, scalerStep: Int, minWorkers: Int, maxWorkers: Int,
        idleSeconds: Double, coldSeconds: Double, demand: InFlight? = nil,
        startShare: (Int) -> Double = { _ in 1 }
    ) -> (up: Double, startsPerSecond: Double) {
        guard maxWorkers > minWorkers else { return (0, 0) }
        var up = 0.0, starts = 0.0
        for k in (minWorkers + 1)...maxWorkers {
            let w = worker(
                k, rate: rate, holdSeconds: holdSeconds, scalerStep: scalerStep, idleSeconds: idleSeconds,
                coldSeconds: coldSeconds, demand: demand, startShare: startShare(k))
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

    /// Share of requests that wait longer than `limit` for a worker (`sla.cold_start`, or the TTFT budget),
    /// at one constant rate: `ServerlessFleet.waitShare`.
    public static func coldWaitShare(
        rate: Double, holdSeconds: Double, slots: Int, minWorkers: Int, maxWorkers: Int,
        idleSeconds: Double, coldSeconds: Double, limit: Double,
        scalerDelay: Double = 0, serviceCV2: Double = ServingModel.holdCV2
    ) -> Double {
        ServerlessFleet(
            rate: rate, holdSeconds: holdSeconds, slots: slots, minWorkers: minWorkers, maxWorkers: maxWorkers,
            idleSeconds: idleSeconds, coldSeconds: coldSeconds, scalerDelay: scalerDelay,
            serviceCV2: serviceCV2
        ).waitShare(limit: limit)
    }

    /// Share of requests that wait longer than `limit` for one of `servers` slots (M/M/c tail
    /// C(c, a) e^(-(c/S - rate) L); overloaded: the arrivals beyond capacity). With holds less variable
    /// than exponential (squared coefficient of variation `serviceCV2` < 1), the conditional wait's mean
    /// shrinks by (1 + CV^2) / 2 (Allen-Cunneen's M/G/c approximation), so the tail decays that much faster.
    public static func queueWaitShare(
        rate: Double, holdSeconds: Double, servers c: Int, limit: Double,
        serviceCV2: Double = 1
    ) -> Double {
        guard rate > 0, holdSeconds > 0, c > 0 else { return 0 }
        let a = rate * holdSeconds
        guard a < Double(c) else { return 1 - Double(c) / a }
        let drain = (Double(c) / holdSeconds - rate) * 2 / (1 + max(serviceCV2, 0))
        return erlangC(servers: c, load: a) * exp(-drain * max(limit, 0))
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
