import Foundation

extension ModelArchitecture {
    /// A request arriving at a replica that is decoding `others` sequences (`Specs/performance.md` §1.2):
    /// it waits for the step in flight (half a step, when one is in flight: probability `busy`), then its
    /// prompt's chunks ride in the next steps beside the others' decodes (V1) or pause them (V0).
    /// Returns the TTFT before any queue and the time its prefill occupies the engine (the M/D/1 service).
    func arrivalTTFT(
        weights: WeightFormat, kv: KVFormat, gpu: GPUPerformance, tp: Int, others: Double, busy: Double,
        context: Double, prompt: Int, maxBatchedTokens: Int, stepSeconds: Double,
        factors f: EfficiencyFactors
    ) -> (ttft: Double, service: Double) {
        let marginal = marginalPrefillSeconds(
            weights: weights, kv: kv, gpu: gpu, tp: tp, batch: others, context: context,
            prompt: prompt, maxBatchedTokens: maxBatchedTokens, factors: f)
        var own = marginal
        if f.chunkedPrefill {
            let chunks = Self.chunkCount(prompt: Double(max(prompt, 1)), budget: maxBatchedTokens, decode: others)
            own +=
                chunks
                * stepCost(
                    weights: weights, kv: kv, gpu: gpu, tp: tp, decode: others, context: context,
                    factors: f
                ).totalSeconds
        }
        return (f.requestSeconds + min(max(busy, 0), 1) * stepSeconds / 2 + own, marginal)
    }

    /// M/D/1 mean wait behind other prefills at `rate` arrivals/s of `service` seconds each.
    static func prefillQueueWait(rate: Double, service: Double) -> Double {
        let rho = min(max(rate, 0) * service, 0.95)
        return rho > 0 ? rho * service / (2 * (1 - rho)) : 0
    }
}

extension SpeedObservation {
    /// Predicts the run (`Specs/performance.md` §1.4: how each load shape maps to a decode batch).
    public func predict(_ calibration: SpeedCalibration) -> SpeedPrediction { predict(factors(calibration)) }

    /// The engine's batch limit for this load: `max_num_seqs`, and the KV pages each sequence holds (its
    /// whole length when fixed-length clients grow in step, else its mean occupancy, prompt + output / 2).
    var batchLimit: Int {
        var occupancy = prompt + output
        if case .concurrency(_, synchronized: false) = load { occupancy = prompt + output / 2 }
        if case .rate = load { occupancy = prompt + output / 2 }
        let capacity = kvCapacityTokens.map { max(1, $0 / max(occupancy, 1)) } ?? Int.max
        return max(1, min(maxNumSeqs, capacity))
    }

    struct Shape {
        var batch: Int
        var decode: DecodeStepBreakdown
        var ttft: Double
        var throughput: Double
        var scored: Bool
        /// The client's mean TPOT when it is not the step (requests taking turns in the slots); nil: the step.
        var tpot: Double? = nil
    }

    public func predict(_ f: EfficiencyFactors) -> SpeedPrediction {
        let pre = architecture.prefill(
            weights: weights, gpu: gpu, tp: tp, prompt: prompt, maxBatchedTokens: maxBatchedTokens,
            factors: f)
        let shape: Shape
        switch load {
        case let .concurrency(c, synchronized: true): shape = lockstep(c, pre, f)
        case let .concurrency(c, synchronized: false): shape = closedLoop(c, pre, f)
        case let .rate(r): shape = poisson(r, pre, f)
        case let .burst(n): shape = burst(n, pre, f)
        }
        let tpot = shape.tpot ?? shape.decode.stepSeconds
        let perUser = 1 / tpot
        return SpeedPrediction(
            batch: shape.batch, tpotMs: tpot * 1000, ttftMs: shape.ttft * 1000,
            ttftScored: shape.scored, outputTokensPerSecond: shape.throughput,
            perUserRange: [perUser * f.speedRange[0], perUser * f.speedRange[1]],
            decode: shape.decode, prefill: pre, uncalibrated: f.uncalibrated)
    }

    var meanContext: Double { Double(prompt) + Double(max(output, 1)) / 2 }

    func step(_ b: Int, perStep: Double, _ pre: PrefillBreakdown, _ f: EfficiencyFactors) -> DecodeStepBreakdown {
        architecture.decodeStep(
            weights: weights, kv: kv, gpu: gpu, tp: tp, batch: b, context: meanContext, prefill: pre,
            prefillPerStep: perStep, maxBatchedTokens: maxBatchedTokens, factors: f)
    }

    func packed(_ n: Int, _ f: EfficiencyFactors) -> BurstPrefill {
        architecture.burstPrefill(
            weights: weights, kv: kv, gpu: gpu, tp: tp, prompts: n, prompt: prompt,
            maxBatchedTokens: maxBatchedTokens, factors: f)
    }

    /// Fixed-length clients in step: every round is a burst of `batch` prompts packed into steps, then
    /// decoded together; a request's TPOT absorbs the prefill steps after its own first token. More
    /// clients than the batch limit: the rest wait for a slot (their TTFT is queueing: not scored).
    func lockstep(_ c: Int, _ pre: PrefillBreakdown, _ f: EfficiencyFactors) -> Shape {
        let batch = min(max(c, 1), batchLimit)
        let base = step(batch, perStep: 0, pre, f)
        let wave = firstWave(batch, refillStep: nil, f)
        var decode = base
        decode.stepSeconds = wave.meanTPOT ?? base.stepSeconds
        decode.interleavedPrefillSeconds = decode.stepSeconds - base.stepSeconds
        let round = f.requestSeconds + wave.makespan
        // Clients beyond the running batch wait for a slot: in the closed loop each request waits
        // (c - batch) / batch rounds on average (Little's law: c clients, batch served per round).
        let waiting = Double(max(c - batch, 0)) / Double(batch) * round
        return Shape(
            batch: batch, decode: decode, ttft: f.requestSeconds + wave.meanTTFT + waiting,
            throughput: Double(batch) * Double(max(output, 1)) / round, scored: c <= batchLimit)
    }

    /// Variable-length clients (a closed loop of `c`): steady state, one prompt per `output` steps per sequence.
    func closedLoop(_ c: Int, _ pre: PrefillBreakdown, _ f: EfficiencyFactors) -> Shape {
        let out = Double(max(output, 1))
        let batch = min(max(c, 1), batchLimit)
        let decode = step(batch, perStep: Double(batch) / out, pre, f)
        let arrival = architecture.arrivalTTFT(
            weights: weights, kv: kv, gpu: gpu, tp: tp, others: Double(batch - 1), busy: batch > 1 ? 1 : 0, context: meanContext,
            prompt: prompt, maxBatchedTokens: maxBatchedTokens, stepSeconds: decode.stepSeconds, factors: f)
        let throughput = Double(batch) * out / (arrival.ttft + (out - 1) * decode.stepSeconds)
        return Shape(batch: batch, decode: decode, ttft: arrival.ttft, throughput: throughput, scored: c <= batchLimit)
    }

    /// Poisson arrivals at `r`/s: the batch from Little's law, batch = r x (TTFT + output x step), by fixed
    /// point; an arrival sees the batch in flight (PASTA) and, past it, the other prefills queued (M/D/1).
    func poisson(_ r: Double, _ pre: PrefillBreakdown, _ f: EfficiencyFactors) -> Shape {
        let out = Double(max(output, 1)), limit = batchLimit
        func arrival(_ b: Double, _ s: DecodeStepBreakdown) -> (ttft: Double, service: Double) {
            architecture.arrivalTTFT(
                weights: weights, kv: kv, gpu: gpu, tp: tp, others: b, busy: 1 - exp(-b), context: meanContext,
                prompt: prompt, maxBatchedTokens: maxBatchedTokens, stepSeconds: s.stepSeconds, factors: f)
        }
        // A finite run of n requests arrives over T = n / r: the load ramps up and drains, and the
        // concurrency a request sees, averaged over requests, is r x min(L, T) x (1 - min(L, T) / (3 max(L, T)))
        // for a request latency L (the steady r x L only when T >> L).
        let span = requests.map { Double($0) / max(r, 1e-9) }
        func concurrency(_ latency: Double) -> Double {
            guard let t = span else { return r * latency }
            let short = min(latency, t), long = max(latency, t, 1e-9)
            return r * short * (1 - short / (3 * long))
        }
        var b = 1.0
        for _ in 0..<25 {
            let s = step(max(1, Int(b.rounded())), perStep: b / out, pre, f)
            let next = min(Double(limit), max(1, concurrency(arrival(b, s).ttft + out * s.stepSeconds)))
            // The step is piecewise in the whole batch: stop within 1% (or half a sequence).
            if abs(next - b) < max(0.01 * b, 0.5) { b = next; break }
            b = (b + next) / 2
        }
        let batch = max(1, Int(b.rounded()))
        let decode = step(batch, perStep: b / out, pre, f)
        let full = step(limit, perStep: Double(limit) / out, pre, f)
        let capacityRate = Double(limit) / (arrival(Double(limit), full).ttft + out * full.stepSeconds)
        let served = min(r, capacityRate)
        let a = arrival(b, decode)
        let ttft = a.ttft + ModelArchitecture.prefillQueueWait(rate: served, service: a.service)
        var shape = Shape(batch: batch, decode: decode, ttft: ttft, throughput: served * out, scored: r < capacityRate * 0.9)
        guard let n = requests, n > 0 else { return shape }
        if r > capacityRate {
            // More arrivals than the slots serve: they take turns (preemption), each past its first token.
            let shared = sharedSlots(
                rate: r, requests: n, limit: limit, one: step(1, perStep: 0, pre, f).stepSeconds, full: full.stepSeconds, ttft: ttft)
            shape.tpot = shared.tpot
            shape.throughput = Double(n) * out / max(shared.duration, 1e-9)
            return shape
        }
        // A finite run of n requests lasts until the last one finishes: the last arrival plus a mean
        // request, or (ShareGPT) the longest reply, started mid-run, at the nearly empty engine's step.
        let latency = ttft + out * decode.stepSeconds
        let longest = (outputClasses(count: n).last?.tokens ?? out) * step(1, perStep: 0, pre, f).stepSeconds
        let duration = max(Double(n) / served + latency, Double(n) / served / 2 + ttft + longest)
        shape.throughput = Double(n) * out / duration
        return shape
    }
}
