import Foundation
import PodformCompiler

/// How a simulation draws what the model gives only as means.
public struct SimulationOptions: Sendable, Hashable {
    public enum Lengths: Sendable, Hashable {
        /// Log-normal around the mean with this log-space sigma.
        case logNormal(sigma: Double)
        /// Exactly the mean.
        case fixed
        /// Exponential with the mean (M/M/c checks).
        case exponential
    }

    public var days: Int
    public var seed: UInt64
    public var lengths: Lengths
    /// Log-space sigma of cold starts around the plan's estimate (0: always the estimate).
    public var coldStartSigma: Double
    /// Arrival times in seconds replacing the traffic model (bursts in tests).
    public var arrivals: [Double]?

    public init(
        days: Int = 7, seed: UInt64 = 1, lengths: Lengths = .logNormal(sigma: ServingModel.lengthSigma),
        coldStartSigma: Double = ServerlessScaling.coldStartSigma, arrivals: [Double]? = nil
    ) {
        self.days = days
        self.seed = seed
        self.lengths = lengths
        self.coldStartSigma = coldStartSigma
        self.arrivals = arrivals
    }
}

/// Share of requests a percentile SLA term may break (p95).
public let slaBreachAllowance = 0.05

/// Runs `model`'s traffic against its fleet: a discrete-event simulation of RunPod serverless scaling
/// (or fixed pods) with vLLM continuous batching in each worker (`Specs/performance.md` §5). Pure and
/// deterministic for a seed.
public func simulate(_ model: ServingModel, options: SimulationOptions = .init()) -> SimulationReport {
    var engine = Engine(model: model, options: options)
    engine.run()
    return engine.report()
}

struct Engine {
    let model: ServingModel
    let options: SimulationOptions
    var rng: SplitMix64
    let horizon: Double
    let step: [Double]

    // Requests (structure of arrays).
    var arrival: [Double] = []
    var prompt: [Int] = []
    var output: [Int] = []
    var start: [Double] = []
    var firstToken: [Double] = []
    var finish: [Double] = []
    var cold: [Bool] = []

    var queue: [Int] = []
    var queueHead = 0
    var workers: [Worker] = []
    var events = MinHeap<Event>()
    var seq = 0
    var processed = 0
    var coldStarts = 0
    var flexSeconds = 0.0
    var lastQueueScaleUp = -Double.infinity
    var queueCheckAt: Double?

    // Workers over time.
    var live = 0
    var peakLive = 0
    var lastAccount = 0.0
    var buckets = [Double](repeating: 0, count: 288)
    var flexUpSeconds = 0.0
    var liveFlex = 0

    init(model: ServingModel, options: SimulationOptions) {
        self.model = model
        self.options = options
        rng = SplitMix64(seed: options.seed)
        horizon = Double(max(options.days, 1)) * 86_400
        step = (0...max(model.slots, 1)).map { model.stepSeconds(batch: $0) }
    }

    var scalerStep: Int { max(Int(model.scalerValue.rounded()), 1) }

    // MARK: Traffic

    mutating func drawLength(mean: Int, cap: Int) -> Int {
        let m = Double(max(mean, 1))
        let x: Double
        switch options.lengths {
        case .fixed: x = m
        case .exponential: x = rng.exponential(rate: 1 / m)
        case .logNormal(let sigma): x = rng.logNormal(median: m * exp(-sigma * sigma / 2), sigma: sigma)
        }
        return min(max(Int(x.rounded()), 1), max(cap, 1))
    }

    mutating func generateArrivals() {
        var times: [Double] = []
        if let given = options.arrivals {
            times = given.sorted()
        } else {
            let windowSeconds = min(max(model.activeHours, 0), 24) * 3600
            for day in 0..<max(options.days, 1) {
                let weekday = (day + 1) % 7  // day 0 is a Monday
                guard model.runDays.contains(weekday), windowSeconds > 0 else { continue }
                let open = Double(day) * 86_400 + Double(model.windowStartMinute) * 60
                // Stratified: each state gets its share of the day's blocks (the remainder drawn), in a
                // shuffled order, so a day carries the mean rate however few blocks it has.
                let blocks = Int((windowSeconds / RateProfile.blockSeconds).rounded(.up))
                var rates: [Double] = []
                for s in model.profile.states.dropLast() {
                    let exact = s.share * Double(blocks)
                    let count = Int(exact) + (rng.uniform() < exact - Double(Int(exact)) ? 1 : 0)
                    rates += Array(repeating: s.rate, count: min(count, blocks - rates.count))
                }
                rates += Array(repeating: model.profile.states.last?.rate ?? 0, count: max(blocks - rates.count, 0))
                for i in stride(from: rates.count - 1, to: 0, by: -1) {
                    rates.swapAt(i, Int(rng.next() % UInt64(i + 1)))
                }
                var blockStart = open, block = 0
                while blockStart < open + windowSeconds {
                    let blockEnd = min(blockStart + RateProfile.blockSeconds, open + windowSeconds)
                    let rate = rates[min(block, rates.count - 1)]
                    block += 1
                    if rate > 0 {
                        var t = blockStart + rng.exponential(rate: rate)
                        while t < blockEnd {
                            times.append(t)
                            t += rng.exponential(rate: rate)
                        }
                    }
                    blockStart = blockEnd
                }
            }
        }
        arrival = times
        prompt.reserveCapacity(times.count)
        output.reserveCapacity(times.count)
        for _ in times {
            let p = drawLength(mean: model.promptTokens, cap: model.context - 1)
            prompt.append(p)
            output.append(drawLength(mean: model.outputTokens, cap: model.context - p))
        }
        start = .init(repeating: .nan, count: times.count)
        firstToken = start
        finish = start
        cold = .init(repeating: false, count: times.count)
    }

    // MARK: Events

    mutating func push(_ time: Double, _ kind: EventKind, worker: Int = -1, value: Int = 0) {
        seq += 1
        events.push(Event(time: time, seq: seq, kind: kind, worker: worker, value: value))
    }

    mutating func run() {
        generateArrivals()
        switch model.mode {
        case .pod:
            for _ in 0..<max(model.replicas, 1) { addReadyWorker(.pod) }
        case .serverless:
            for _ in 0..<max(model.minWorkers, 0) { addReadyWorker(.active) }
        }
        var next = 0
        while next < arrival.count || !events.isEmpty {
            if next < arrival.count, events.first.map({ arrival[next] <= $0.time }) ?? true {
                let t = arrival[next]
                processed += 1
                queue.append(next)
                next += 1
                dispatch(t)
                rescale(t)
                continue
            }
            let e = events.pop()
            processed += 1
            switch e.kind {
            case .ready: workerReady(e.worker, e.time)
            case .prefillDone: prefillDone(e.worker, e.value, e.time)
            case .decodeDone: if e.value == workers[e.worker].version { decodeDone(e.worker, e.time) }
            case .idleCheck: idleCheck(e.worker, e.value, e.time)
            case .queueCheck:
                queueCheckAt = nil
                rescale(e.time)
            }
        }
        let end = max(horizon, lastAccount)
        account(end)
        for w in workers.indices where workers[w].kind == .flex && workers[w].state != .stopped {
            flexSeconds += (end - workers[w].sessionStart).rounded(.up)
        }
    }

    mutating func addReadyWorker(_ kind: WorkerKind) {
        account(0)
        var w = Worker(kind: kind)
        w.state = .ready
        workers.append(w)
        live += 1
        peakLive = max(peakLive, live)
    }

    /// Integrates workers up into the time-of-day buckets.
    mutating func account(_ t: Double) {
        guard t > lastAccount else { return }
        var a = lastAccount
        let end = min(t, horizon)
        while a < end {
            let bucket = Int(a.truncatingRemainder(dividingBy: 86_400) / 300)
            let bucketEnd = min(end, (a / 300).rounded(.down) * 300 + 300)
            buckets[min(bucket, 287)] += Double(live) * (bucketEnd - a)
            a = bucketEnd
        }
        flexUpSeconds += Double(liveFlex) * (t - lastAccount)
        lastAccount = t
    }

    // MARK: Workers

    mutating func advance(_ w: Int, _ t: Double) {
        if !workers[w].decoding.isEmpty {
            workers[w].progress += (t - workers[w].lastAdvance) / step[min(workers[w].used, step.count - 1)]
        }
        workers[w].lastAdvance = t
    }

    mutating func reschedule(_ w: Int, _ t: Double) {
        workers[w].version += 1
        guard let next = workers[w].decoding.first else { return }
        let dt = max(0, next.finish - workers[w].progress) * step[min(workers[w].used, step.count - 1)]
        push(t + dt, .decodeDone, worker: w, value: workers[w].version)
    }

    mutating func dispatch(_ t: Double) {
        while queueHead < queue.count {
            guard let w = workers.indices.first(where: { workers[$0].state == .ready && workers[$0].used < model.slots }) else { break }
            let r = queue[queueHead]
            queueHead += 1
            assign(w, r, t)
        }
        if queueHead > 4096 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
    }

    mutating func assign(_ w: Int, _ r: Int, _ t: Double) {
        advance(w, t)
        workers[w].used += 1
        workers[w].idleVersion += 1
        start[r] = t
        cold[r] = workers[w].readyAt > arrival[r]
        // Prompts queue for the GPU's forward passes one after another (M/D/1 in the speed model); the
        // request overhead is latency of each request's own, not work others wait behind.
        let begin = max(t, workers[w].prefillFree)
        workers[w].prefillFree = begin + model.prefillForwardSeconds(prompt: prompt[r])
        push(workers[w].prefillFree + model.requestSeconds, .prefillDone, worker: w, value: r)
        reschedule(w, t)
    }

    mutating func prefillDone(_ w: Int, _ r: Int, _ t: Double) {
        firstToken[r] = t
        advance(w, t)
        workers[w].decoding.push(Finishing(finish: workers[w].progress + Double(output[r]), request: r))
        reschedule(w, t)
    }

    mutating func decodeDone(_ w: Int, _ t: Double) {
        advance(w, t)
        // This event was scheduled for the earliest finish: complete it even where float time cannot
        // resolve the last fraction of a token (late in a long run).
        let target = workers[w].decoding.first?.finish ?? workers[w].progress
        workers[w].progress = max(workers[w].progress, target)
        let progress = workers[w].progress + 1e-6
        while let next = workers[w].decoding.first, next.finish <= progress {
            _ = workers[w].decoding.pop()
            finish[next.request] = t
            workers[w].used -= 1
        }
        reschedule(w, t)
        dispatch(t)
        if workers[w].used == 0 { becameIdle(w, t) }
        rescale(t)
    }

}
