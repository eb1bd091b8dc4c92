import Foundation

/// How a run that asks for more sequences than the engine can hold plays out (`Specs/performance.md`
/// §1.4): the running batch is min(what the load asks, KV capacity / tokens per sequence,
/// `max_num_seqs`) (`batchLimit`), and the requests beyond it wait.
extension SpeedObservation {
    /// A finite Poisson run arriving faster than the engine serves. vLLM admits an arrival as soon as its
    /// prompt's blocks are free and, when a running sequence needs a block the cache no longer has,
    /// preempts the newest running sequence (recompute) back to the head of the waiting queue; the
    /// requests past their first token therefore take turns in the `limit` decode slots: processor
    /// sharing. Fluid, event by event: `n` requests, one every 1/r s, with the run's output lengths
    /// (`outputClasses`), start decoding after `ttft`; each of the N in the engine gains min(1, limit / N)
    /// tokens per step, the step affine in the running batch from `one` (batch 1) to `full` (batch
    /// `limit`). Returns the mean over requests of (finish - first token) / (output - 1), the client's
    /// TPOT, and the time from the first arrival to the last finish. Recompute's extra prefill is not
    /// counted (it rides in the steps' compute headroom).
    func sharedSlots(rate r: Double, requests n: Int, limit: Int, one: Double, full: Double, ttft: Double) -> (
        tpot: Double, duration: Double
    ) {
        let count = min(max(n, 1), 4096), slots = Double(max(limit, 1))
        let lengths = Self.spread(outputClasses(count: count), count: count)
        func step(_ running: Double) -> Double {
            slots > 1 ? one + (full - one) * (min(running, slots) - 1) / (slots - 1) : full
        }
        var remaining: [(index: Int, tokens: Double)] = []
        var finish = [Double](repeating: 0, count: count)
        var clock = 0.0, next = 0
        while next < count || !remaining.isEmpty {
            let arrival = next < count ? Double(next) / max(r, 1e-9) + ttft : Double.infinity
            guard !remaining.isEmpty else {
                clock = arrival
                remaining.append((next, max(lengths[next] - 1, 0)))
                next += 1
                continue
            }
            let running = Double(remaining.count)
            let speed = min(1, slots / running) / max(step(running), 1e-9)  // tokens/s per request
            let soonest = remaining.map(\.tokens).min() ?? 0
            let dt = min(soonest / speed, arrival - clock)
            clock += dt
            for i in remaining.indices { remaining[i].tokens -= speed * dt }
            for done in remaining where done.tokens <= 1e-9 { finish[done.index] = clock }
            remaining.removeAll { $0.tokens <= 1e-9 }
            if next < count && clock >= arrival - 1e-12 {
                remaining.append((next, max(lengths[next] - 1, 0)))
                next += 1
            }
        }
        var tpot = 0.0, decoding = 0.0
        for i in 0..<count where lengths[i] >= 2 {
            let start = Double(i) / max(r, 1e-9) + ttft
            tpot += (finish[i] - start) / (lengths[i] - 1)
            decoding += 1
        }
        return (decoding > 0 ? tpot / decoding : full, finish.max() ?? 0)
    }

    /// `count` output lengths drawn from `classes` (tokens, share), spread over the arrival order by the
    /// golden-ratio sequence (deterministic; every class in proportion, long replies not bunched).
    static func spread(_ classes: [(tokens: Double, share: Double)], count: Int) -> [Double] {
        (0..<count).map { i in
            let q = (Double(i) * 0.618_033_988_749_895 + 0.5).truncatingRemainder(dividingBy: 1)
            var cumulative = 0.0
            for c in classes {
                cumulative += c.share
                if q < cumulative { return c.tokens }
            }
            return classes.last?.tokens ?? 1
        }
    }
}
