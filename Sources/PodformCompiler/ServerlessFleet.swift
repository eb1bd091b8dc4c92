import Foundation

/// A serverless fleet at one constant arrival rate, as the wait shares see it (`Specs/performance.md` §4):
/// computed once, then asked for the share of requests that wait longer than a limit for a slot on a
/// ready worker (the TTFT budgets of several prompt lengths, or `sla.cold_start`).
///
/// Worker k is demanded while more than (k-1) x slots requests are in the system (`InFlight`, the
/// up shares and starts of `ServerlessScaling.worker`). A request waits past `limit` when
/// - no worker is up (no active ones): each start of the first worker (`ServerlessScaling.perStart`);
/// - every slot of the ready workers is taken and none frees in time (`ServerlessScaling.slotWaitShare`:
///   the slots of the workers that are there when the request arrives, each worker as slow as its batch
///   makes it, holds as variable as the output lengths, `ServingModel.holdCV2`). Those are the active workers, the first worker, and the
///   flex workers the mean load keeps demanded (ceil(a / slots)). A further flex worker starts only when
///   the slots are already full (REQUEST_COUNT) or once the oldest request has waited the scaler's delay
///   (QUEUE_DELAY), then cold-starts: it helps a waiting request only if delay + cold start fit in the
///   limit. (Counting it with its M/G/infinity up share, as an earlier model did, credited slots that the
///   simulation shows are mostly still starting when a burst needs them: examples/gpt-oss-agent.yaml,
///   a 2nd worker restarting ~10 times per peak hour, 8% of requests past a 5 s TTFT against 2.8% claimed.)
public struct ServerlessFleet: Sendable {
    public var rate: Double
    public var holdSeconds: Double
    /// The hold at each batch (slots fill up the lowest-numbered worker first): how fast a queue drains.
    public var curve: HoldCurve
    public var slots: Int
    public var minWorkers: Int
    public var maxWorkers: Int
    public var coldSeconds: Double
    /// Seconds the scaler waits before adding a worker beyond the first (QUEUE_DELAY's value; 0 for REQUEST_COUNT).
    public var scalerDelay: Double
    /// Squared coefficient of variation of the holds (1: exponential; default: the traffic's output lengths).
    /// (`demand`, when given, must be the `InFlight` of this rate, curve and `maxWorkers`.)
    public var serviceCV2: Double
    /// Starts per second of worker k at index k - 1, and its share of time up (M/G/infinity demand,
    /// `ServerlessScaling.worker`): what the flex bill counts.
    public private(set) var starts: [Double] = []
    public private(set) var upShares: [Double] = []
    /// The chains a waiting request sees: every worker up, and only those it can count on.
    private var allUp: InFlight?
    private var countedUp: InFlight?

    public init(
        rate: Double, holdSeconds: Double, slots: Int, minWorkers: Int, maxWorkers: Int, idleSeconds: Double,
        coldSeconds: Double, scalerDelay: Double = 0, curve: HoldCurve? = nil,
        serviceCV2: Double = ServingModel.holdCV2, demand: InFlight? = nil
    ) {
        let shape = curve ?? HoldCurve.constant(holdSeconds, slots: slots)
        let workers = max(maxWorkers, minWorkers)
        let scaled = Self.scaling(
            rate: rate, holdSeconds: holdSeconds, curve: shape, slots: max(slots, 1), minWorkers: minWorkers,
            maxWorkers: workers, idleSeconds: idleSeconds, coldSeconds: coldSeconds, scalerDelay: scalerDelay,
            demand: demand)
        self.rate = rate
        self.holdSeconds = holdSeconds
        self.curve = shape
        self.slots = max(slots, 1)
        self.minWorkers = minWorkers
        self.maxWorkers = workers
        self.coldSeconds = coldSeconds
        self.scalerDelay = scalerDelay
        self.serviceCV2 = serviceCV2
        self.starts = scaled.starts
        self.upShares = scaled.upShares
        if rate > 0, holdSeconds > 0, workers > 0 {
            allUp = scaled.demand
            let counted = readyWorkers(limit: 0)
            countedUp = counted == workers ? scaled.demand : InFlight(rate: rate, curve: shape, workers: counted)
        }
    }

    /// Each worker's starts per second and up share (active ones: none and always).
    static func scaling(
        rate: Double, holdSeconds: Double, curve: HoldCurve, slots: Int, minWorkers: Int, maxWorkers: Int,
        idleSeconds: Double, coldSeconds: Double, scalerDelay: Double,
        demand given: InFlight?
    ) -> (starts: [Double], upShares: [Double], demand: InFlight?) {
        guard rate > 0, holdSeconds > 0, maxWorkers > 0 else { return ([], [], nil) }
        let demand = given ?? InFlight(rate: rate, curve: curve, workers: maxWorkers)
        var starts: [Double] = [], upShares: [Double] = []
        for k in 1...maxWorkers {
            let share = ServerlessScaling.startShare(k, rate: rate, curve: curve, delay: scalerDelay)
            let w =
                k <= minWorkers
                ? (upShare: 1.0, startsPerSecond: 0.0)
                : ServerlessScaling.worker(
                    k, rate: rate, holdSeconds: holdSeconds, scalerStep: slots, idleSeconds: idleSeconds,
                    coldSeconds: coldSeconds, demand: demand, startShare: share)
            starts.append(w.startsPerSecond)
            upShares.append(w.upShare)
        }
        return (starts, upShares, demand)
    }

    /// Share of requests that wait longer than `limit` seconds for a slot on a ready worker.
    ///
    /// - Parameter extraStarts: further starts per second of the first worker (the start of a busier
    ///   block finds it stopped more often than this rate's own up share says).
    public func waitShare(limit: Double, extraStarts: Double = 0) -> Double {
        guard rate > 0, holdSeconds > 0, maxWorkers > 0 else { return 0 }
        var share = 0.0
        if minWorkers == 0 {
            share += (starts[0] + extraStarts) * ServerlessScaling.perStart(rate: rate, coldSeconds: coldSeconds, limit: limit) / rate
        }
        let counted = readyWorkers(limit: limit)
        if let system = counted == maxWorkers ? allUp : countedUp {
            share += ServerlessScaling.slotWaitShare(system, rate: rate, limit: limit, serviceCV2: serviceCV2)
        }
        share += flexStartWaits(counted: counted, limit: limit)
        return min(share, 1)
    }

    /// Requests that wait past `limit` while a flex worker the load counts on (k > 1, up to `counted`)
    /// restarts: it stops whenever the load dips and its idle timeout passes, and each start leaves the
    /// k - 1 workers before it to carry the rate for the scaler's delay plus a cold start. When they
    /// cannot, the queue grows at rate - capacity (`ServerlessScaling.perPartialStart`). The slot chain
    /// above counts the worker as always there; `examples`-like loads near a worker boundary with a short
    /// idle timeout restart it tens of times a day (a sweep: 15.8% of requests past a 5 s TTFT in the
    /// simulation against 3.1% claimed).
    func flexStartWaits(counted: Int, limit: Double) -> Double {
        let first = max(minWorkers, 1) + 1
        guard counted >= first, rate > 0 else { return 0 }
        let full = curve.seconds(batch: slots)
        guard full > 0 else { return 0 }
        var share = 0.0
        for k in first...min(counted, starts.count) {
            let capacity = Double((k - 1) * slots) / full
            share +=
                starts[k - 1]
                * ServerlessScaling.perPartialStart(
                    rate: rate, capacity: capacity, coldSeconds: coldSeconds, delay: scalerDelay, limit: limit) / rate
        }
        return share
    }

    /// Workers whose slots a request arriving to full slots can count on within `limit` seconds.
    public func readyWorkers(limit: Double) -> Int {
        let coldMean = coldSeconds * exp(ServerlessScaling.coldStartSigma * ServerlessScaling.coldStartSigma / 2)
        if coldMean + scalerDelay <= limit { return maxWorkers }
        let a = rate * holdSeconds
        var demanded = Int((a / Double(slots)).rounded(.up))
        if Double(demanded * slots) <= a { demanded += 1 }
        return min(maxWorkers, max(minWorkers, 1, demanded))
    }
}

extension ServerlessScaling {
    /// Requests per start of the first worker that wait longer than `limit`: the one that triggered it when
    /// the start (log-normal around `coldSeconds`) takes longer, plus those arriving in its first C - L
    /// seconds: P(C > L) + rate x E[(C - L)+].
    public static func perStart(rate: Double, coldSeconds: Double, limit: Double) -> Double {
        guard coldSeconds > 0 else { return 0 }
        let s = coldStartSigma
        guard limit > 0 else { return 1 + rate * coldSeconds * exp(s * s / 2) }
        return phi(log(coldSeconds / limit) / s) + rate * coldExcess(coldSeconds: coldSeconds, over: limit)
    }

    /// E[(C - x)+] for a cold start C log-normal around `coldSeconds` (sigma `coldStartSigma`), x > 0.
    static func coldExcess(coldSeconds: Double, over x: Double) -> Double {
        let s = coldStartSigma
        let d2 = log(coldSeconds / x) / s
        return max(coldSeconds * exp(s * s / 2) * phi(d2 + s) - x * phi(d2), 0)
    }

    /// Requests per start of a worker beyond the first that wait longer than `limit`: while it starts
    /// (`delay` + a log-normal cold start around `coldSeconds`), the workers before it drain `capacity`
    /// requests a second; at a higher `rate` the queue grows at rate - capacity, so a request arriving t
    /// seconds in waits about t (rate - capacity) / capacity, past `limit` from t = limit x capacity /
    /// (rate - capacity) until the worker is up: rate x E[(delay + C - that t)+]. None when they cope.
    public static func perPartialStart(rate: Double, capacity: Double, coldSeconds: Double, delay: Double, limit: Double) -> Double {
        guard rate > capacity, coldSeconds > 0 else { return 0 }
        let s = coldStartSigma, mean = coldSeconds * exp(s * s / 2)
        let from = max(limit, 0) * max(capacity, 0) / (rate - capacity) - max(delay, 0)
        guard from > 0 else { return rate * (mean - from) }
        return rate * coldExcess(coldSeconds: coldSeconds, over: from)
    }
}
