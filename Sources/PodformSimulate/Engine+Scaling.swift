import Foundation
import PodformCompiler

/// RunPod's scaling as the engine plays it: idle timeouts, worker starts, the scaler.
extension Engine {
    mutating func becameIdle(_ w: Int, _ t: Double) {
        guard workers[w].kind == .flex else { return }
        workers[w].idleVersion += 1
        push(t + model.idleSeconds, .idleCheck, worker: w, value: workers[w].idleVersion)
    }

    mutating func idleCheck(_ w: Int, _ version: Int, _ t: Double) {
        guard version == workers[w].idleVersion, workers[w].state == .ready, workers[w].used == 0,
            queueHead >= queue.count
        else { return }
        account(t)
        workers[w].state = .stopped
        live -= 1
        liveFlex -= 1
        flexSeconds += (t - workers[w].sessionStart).rounded(.up)
    }

    mutating func workerReady(_ w: Int, _ t: Double) {
        workers[w].state = .ready
        workers[w].readyAt = t
        workers[w].lastAdvance = t
        dispatch(t)
        if workers[w].used == 0 { becameIdle(w, t) }
        rescale(t)
    }

    mutating func startWorker(_ t: Double) {
        account(t)
        let index: Int
        if let stopped = workers.indices.first(where: { workers[$0].kind == .flex && workers[$0].state == .stopped }) {
            index = stopped
        } else {
            workers.append(Worker(kind: .flex))
            index = workers.count - 1
        }
        var w = Worker(kind: .flex)
        w.state = .starting
        w.sessionStart = t
        w.version = workers[index].version + 1
        w.idleVersion = workers[index].idleVersion + 1
        workers[index] = w
        live += 1
        liveFlex += 1
        peakLive = max(peakLive, live)
        coldStarts += 1
        let c =
            options.coldStartSigma > 0
            ? rng.logNormal(median: model.coldStartSeconds, sigma: options.coldStartSigma)
            : model.coldStartSeconds
        push(t + c, .ready, worker: index)
    }

    /// RunPod's scalers (NOTES §2): REQUEST_COUNT wants ceil((queued + in progress) / value) workers;
    /// QUEUE_DELAY adds one when the oldest request has waited `value` seconds (and one to start from zero).
    mutating func rescale(_ t: Double) {
        guard model.mode == .serverless else { return }
        let queued = queue.count - queueHead
        let up = workers.reduce(0) { $0 + ($1.state == .stopped ? 0 : 1) }
        var desired: Int
        if model.scaler == "QUEUE_DELAY" {
            desired = up
            if queued > 0 {
                let starting = workers.contains { $0.state == .starting }
                if up == 0 {
                    desired = 1
                } else if !starting && t - arrival[queue[queueHead]] >= model.scalerValue && t - lastQueueScaleUp >= model.scalerValue {
                    desired = up + 1
                }
                if queueCheckAt == nil && up < model.maxWorkers {
                    let at = max(arrival[queue[queueHead]] + model.scalerValue, lastQueueScaleUp + model.scalerValue, t + 0.5)
                    queueCheckAt = at
                    push(at, .queueCheck)
                }
            }
        } else {
            let inFlight = queued + workers.reduce(0) { $0 + $1.used }
            desired = (inFlight + scalerStep - 1) / scalerStep
        }
        desired = min(max(desired, model.minWorkers), max(model.maxWorkers, model.minWorkers))
        if desired > up { lastQueueScaleUp = t }
        var count = up
        while count < desired {
            startWorker(t)
            count += 1
        }
    }
}
