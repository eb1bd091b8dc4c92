import Foundation

/// How a wave of prompts sent at once plays out (`Specs/performance.md` §1.4).
struct WaveOutcome: Sendable {
    /// Mean time from the burst to a request's first token (before the per-request overhead).
    var meanTTFT: Double
    /// Mean over requests of (finish - first token) / (output - 1); nil when every output is one token.
    var meanTPOT: Double?
    /// Time until the last request of the wave finishes.
    var makespan: Double
    /// Time until the last prompt of the wave is prefilled.
    var prefillSeconds: Double
}

extension SpeedObservation {
    /// Output lengths as (tokens, share of requests) for a run of `count` requests: the stated length, or
    /// for ShareGPT runs an exponential distribution with the stated mean (most replies short, a few long):
    /// eight equal-count classes up to the 7/8 quantile, then classes of half the remaining share each down
    /// to one request in `count` (the longest reply of the run, ~ mean x ln count, sets when it drains).
    func outputClasses(count: Int = 8) -> [(tokens: Double, share: Double)] {
        let mean = Double(max(output, 1))
        guard variableLengths else { return [(mean, 1)] }
        var bounds = (0...7).map { Double($0) / 8 }
        var tail = 1.0 / 8
        while tail > 1 / Double(max(count, 1)) { bounds.append(1 - tail / 2); tail /= 2 }
        bounds.append(1)
        // Mean of a unit exponential between quantiles a and b.
        func between(_ a: Double, _ b: Double) -> Double {
            func part(_ q: Double) -> Double { q >= 1 ? 0 : (1 - q) * (1 - log(1 - q)) }
            return (part(a) - part(b)) / (b - a)
        }
        return zip(bounds, bounds.dropFirst()).map { a, b in (max(1, (mean * between(a, b)).rounded()), b - a) }
    }

    /// Groups of sequences decoding together until each has produced its `remaining` tokens, the batch
    /// shrinking as groups finish. Each group's finish time, seconds from the start.
    func drain(_ groups: [(remaining: Double, count: Double)], _ f: EfficiencyFactors) -> [Double] {
        let order = groups.indices.sorted { groups[$0].remaining < groups[$1].remaining }
        var finish = [Double](repeating: 0, count: groups.count)
        var left = groups.reduce(0) { $0 + $1.count }, clock = 0.0, done = 0.0
        for i in order {
            if groups[i].remaining > done {
                let s = architecture.stepCost(
                    weights: weights, kv: kv, gpu: gpu, tp: tp, decode: max(left, 1), context: meanContext,
                    factors: f)
                clock += (groups[i].remaining - done) * s.totalSeconds
                done = groups[i].remaining
            }
            finish[i] = clock
            left -= groups[i].count
        }
        return finish
    }

    /// The first `batch` prompts of a burst: prefilled in packed steps, where the prompts prefilled early
    /// decode one token per later step (chunked prefill) or wait (prefill-first); then decoded together.
    /// With `refillStep`, finished sequences are replaced from a queue and every later token takes that
    /// steady step; without, the batch drains as the shorter outputs finish.
    func firstWave(_ batch: Int, refillStep: Double?, _ f: EfficiencyFactors) -> WaveOutcome {
        let wave = packed(batch, f)
        var clock = [0.0]
        for t in wave.stepSeconds { clock.append(clock.last! + t) }
        let steps = wave.stepSeconds.count, positions = min(4, batch)
        let per = Double(batch) / Double(positions)
        var groups: [(step: Int, out: Double, count: Double)] = []
        for g in 0..<positions {
            let step = wave.completionStep[min(batch - 1, Int((Double(g) + 0.5) * per))]
            for (tokens, share) in outputClasses(count: batch) { groups.append((step, tokens, per * share)) }
        }
        var finish = groups.map { clock[$0.step] }
        var post: [(remaining: Double, count: Double)] = [], postIndex: [Int] = []
        for (i, g) in groups.enumerated() {
            let need = g.out - 1, during = f.chunkedPrefill ? Double(steps - g.step) * wave.stepsPerEntry : 0
            if need <= during {
                finish[i] = clock[min(steps, g.step + Int((need / wave.stepsPerEntry).rounded(.up)))]
            } else {
                post.append((need - during, g.count)); postIndex.append(i)
            }
        }
        let tail = refillStep.map { s in post.map { $0.remaining * s } } ?? drain(post, f)
        for (j, i) in postIndex.enumerated() { finish[i] = clock[steps] + tail[j] }
        var ttft = 0.0, tpot = 0.0, decoding = 0.0, makespan = clock[steps]
        for (i, g) in groups.enumerated() {
            ttft += g.count * clock[g.step]
            makespan = max(makespan, finish[i])
            if g.out >= 2 { tpot += g.count * (finish[i] - clock[g.step]) / (g.out - 1); decoding += g.count }
        }
        return WaveOutcome(
            meanTTFT: ttft / Double(batch), meanTPOT: decoding > 0 ? tpot / decoding : nil, makespan: makespan,
            prefillSeconds: clock[steps])
    }

    /// `n` prompts at once (offline, saturation). One wave: `firstWave`, draining. More: variable lengths
    /// keep the batch full (each finished sequence replaced, its prompt riding in the steady step) until the
    /// queue is empty, then the last batch drains; fixed lengths run in lockstep waves. TTFT there is
    /// queueing: not scored.
    func burst(_ n: Int, _ pre: PrefillBreakdown, _ f: EfficiencyFactors) -> Shape {
        let out = Double(max(output, 1)), total = max(n, 1)
        let batch = min(total, batchLimit)
        let base = step(batch, perStep: 0, pre, f)
        var decode = step(batch, perStep: Double(batch) / out, pre, f)
        let steady = decode.stepSeconds, share = Double(batch) / Double(total)
        var wave = firstWave(batch, refillStep: total > batch && variableLengths ? steady : nil, f)
        var makespan = wave.makespan, tpot = wave.meanTPOT ?? base.stepSeconds
        if total > batch && variableLengths {
            let queued = Double(total - batch) * Double(max(output, 1)) / Double(batch) * steady
            let last = drain(outputClasses(count: total).map { (max($0.tokens - 1, 0), $0.share * Double(batch)) }, f).max() ?? 0
            makespan = wave.prefillSeconds + queued + last
            tpot = share * tpot + (1 - share) * steady
        } else if total > batch {
            makespan = wave.makespan / share
        }
        decode.stepSeconds = tpot
        decode.interleavedPrefillSeconds = tpot - base.stepSeconds
        wave.meanTTFT += (1 - share) * makespan / 2
        return Shape(
            batch: batch, decode: decode, ttft: f.requestSeconds + wave.meanTTFT,
            throughput: Double(total) * out / makespan, scored: false)
    }
}
