import Foundation
import PodformCatalog
import PodformCore
import PodformSizing

extension Compiler {
    /// Seconds one request occupies a replica at batch `b` (TTFT + output x step), divided by b.
    func gpuSecondsPerRequest(_ c: Candidate, load: Load, batch: Int) -> Double {
        let key = CompilerMemo.PerformanceKey(
            gpu: c.gpu.id, tp: c.tp, batch: batch, prompt: load.prompt, output: load.output,
            context: load.context)
        if let known = memo.secondsPerRequest[key] { return known }
        let perf = replicaPerformance(c.gpu, tp: c.tp, batch: batch, load: load)
        let seconds = perf.requestsPerSecond > 0 ? 1 / perf.requestsPerSecond : 0
        memo.secondsPerRequest[key] = seconds
        return seconds
    }

    /// Expected flex worker-seconds up per run day beyond `minWorkers` active ones, idle tails and
    /// cold starts included (D-COST-FLEX): worker k's up share at each rate of the profile
    /// (`ServerlessScaling.worker` on the `InFlight` demand), carried across blocks by the idle timeout,
    /// plus the idle tail of the workers still up when the active hours end.
    ///
    /// Blocks are drawn independently, a peak with its share p. An idle timeout shorter than a block:
    /// each rate's up share, and after a peak run its workers stay up through the quiet blocks for
    /// n = idle / block blocks unless a peak returns first, covering 1 - (1 - p)^n of the quiet time. A
    /// longer one: a worker is up in a block when it was demanded in it or in the n before (each block
    /// demands it with probability D, from the demand at the block's start and the rate its excursions
    /// begin at): 1 - (1 - D)^(n + 1). Under QUEUE_DELAY only the excursions that outlast the delay
    /// start a worker (`ServerlessScaling.startShare`).
    func flexUpSecondsPerDay(_ c: Candidate, load: Load, inputs: PricingInputs, minWorkers: Int, idle: Double, cold: Double) -> Double {
        let maxWorkers = max(c.replicas, minWorkers)
        guard maxWorkers > minWorkers else { return 0 }
        let activeSeconds = max(load.activeHours, 0.1) * 3600
        guard load.requestsPerDay > 0 else { return load.rateGiven ? 0 : Double(maxWorkers - minWorkers) * activeSeconds }
        let profile = inputs.profile, curve = inputs.curve, slots = max(c.perReplicaConcurrency, 1)
        let block = RateProfile.blockSeconds
        let delay = scaler(idle: Int(idle), load: load, slots: slots).delay
        // Per rate: each worker's (up share, probability a block demands it).
        let perRate = profile.states.indices.map { i -> [(up: Double, demanded: Double)] in
            let state = profile.states[i], demand = inputs.demand[i], hold = inputs.holds[i]
            return ((minWorkers + 1)...maxWorkers).map { k in
                let starts = ServerlessScaling.startShare(k, rate: state.rate, curve: curve, delay: delay)
                let w = ServerlessScaling.worker(
                    k, rate: state.rate, holdSeconds: hold, scalerStep: slots, idleSeconds: idle,
                    coldSeconds: cold, demand: demand, startShare: starts)
                let m = (k - 1) * slots
                let demanded =
                    demand.overloaded
                    ? 1
                    : 1 - (1 - demand.tail(m) * starts) * exp(-state.rate * demand.pmf(m) * starts * block)
                return (w.upShare, demanded)
            }
        }
        var up = 0.0
        let backlog = backlogWorker(
            c, load: load, inputs: inputs, minWorkers: minWorkers, maxWorkers: maxWorkers, idle: idle, cold: cold, delay: delay)
        for k in perRate[0].indices {
            var u: Double
            if profile.states.count != 2 {
                u = zip(profile.states, perRate).reduce(0) { $0 + $1.0.share * $1.1[k].up }
            } else if idle < block {
                let p = profile.states[0].share, peak = perRate[0][k].up, base = perRate[1][k].up
                let carried = 1 - pow(1 - p, idle / block)
                u = p * peak + (1 - p) * (base + max(peak - base, 0) * carried)
            } else {
                let d = zip(profile.states, perRate).reduce(0) { $0 + $1.0.share * $1.1[k].demanded }
                u = 1 - pow(1 - min(d, 1), idle / block + 1)
            }
            if let backlog, backlog.k == minWorkers + 1 + k { u = max(u, backlog.up) }
            up += u
        }
        let closed = max(24 - load.activeHours, 0) * 3600
        return activeSeconds * up + up * min(idle, closed)
    }

    /// Seconds a request holds a slot on a replica at each batch (`HoldCurve`).
    func holdCurve(_ c: Candidate, load: Load) -> HoldCurve {
        HoldCurve(
            points: HoldCurve.batches(slots: max(c.perReplicaConcurrency, 1)).map {
                ($0, Double($0) * gpuSecondsPerRequest(c, load: load, batch: $0))
            })
    }
}
