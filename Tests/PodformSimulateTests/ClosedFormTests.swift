import Foundation
import PodformCompiler
import PodformSimulate
import XCTest

/// A fleet with no traffic model of its own: constant-rate Poisson arrivals all day, every day.
func synthetic(
    rate: Double, holdSeconds: Double, slots: Int, mode: DeploymentMode = .serverless, replicas: Int = 1,
    minWorkers: Int = 0, maxWorkers: Int = 1, scalerValue: Double? = nil, idle: Double = 5, cold: Double = 30,
    scaler: String = "REQUEST_COUNT"
) -> ServingModel {
    // Hold = output x step with a step that does not depend on the batch, and no prefill.
    let output = 1000, step = holdSeconds / 1000
    return ServingModel(
        requestsPerDay: rate * 86_400, activeHours: 24, windowStartMinute: 0, runDays: Array(0..<7),
        profile: RateProfile(states: [.init(share: 1, rate: rate)]), promptTokens: 1, outputTokens: output, context: 1_000_000,
        prefillSecondsByGrid: [0, 0], prefillGridTokens: 1_000_000, requestSeconds: 0, stepSecondsByBatch: Array(repeating: step, count: slots),
        slots: slots, gpusPerWorker: 1, mode: mode, workerMode: mode == .pod ? nil : (minWorkers > 0 ? .active : .flex),
        replicas: replicas, minWorkers: minWorkers, maxWorkers: maxWorkers, scaler: scaler,
        scalerValue: scalerValue ?? Double(slots), idleSeconds: idle, coldStartSeconds: cold, flashboot: true,
        flexPerGPUSecond: 0.001, activePerGPUSecond: 0.0008, podPerGPUHour: 2, podHoursPerDay: 24, storageMonthlyUSD: 0,
        ttftLimit: nil, tokensPerSecondLimit: nil, coldStartLimit: nil, claimedMonthlyUSD: 0, claimedSLAMet: true)
}

final class ClosedFormTests: XCTestCase {
    /// One worker, idle timeout T, cold start C, deterministic hold S, Poisson arrivals at rate l:
    /// an up period lasts C + (e^(l(S+T)) - 1)/l, a down period 1/l (memoryless), so the worker is up
    /// (lC + e^(l(S+T)) - 1) / (lC + e^(l(S+T))) of the time and (1 + lC) / (lC + e^(l(S+T))) of the
    /// requests meet a cold start. Tolerance: 2% relative (30 simulated days, ~52k arrivals).
    func testSingleWorkerIdleTailBilling() {
        let l = 0.02, s = 10.0, t = 30.0, c = 20.0
        let e = exp(l * (s + t))
        let upShare = (l * c + e - 1) / (l * c + e)
        let coldShare = (1 + l * c) / (l * c + e)
        XCTAssertEqual(upShare, 0.6191, accuracy: 1e-4)
        let analytic = ServerlessScaling.worker(1, rate: l, holdSeconds: s, scalerStep: 1000, idleSeconds: t, coldSeconds: c)
        XCTAssertEqual(analytic.upShare, upShare, accuracy: 1e-9)
        XCTAssertEqual(analytic.startsPerSecond, l / (l * c + e), accuracy: 1e-12)

        let model = synthetic(rate: l, holdSeconds: s, slots: 1000, idle: t, cold: c)
        let report = simulate(model, options: .init(days: 30, seed: 7, lengths: .fixed, coldStartSigma: 0))
        let measuredUp = report.flexGPUSeconds / (30 * 86_400)
        XCTAssertEqual(measuredUp / upShare, 1, accuracy: 0.02, "up share \(measuredUp) vs \(upShare)")
        XCTAssertEqual(report.coldHitShare / coldShare, 1, accuracy: 0.02, "cold share \(report.coldHitShare) vs \(coldShare)")
        XCTAssertEqual(Double(report.coldStarts) / (30 * 86_400) / analytic.startsPerSecond, 1, accuracy: 0.02)
    }

    /// M/M/4 at offered load 3 (pods, one slot each, exponential service of mean 10 s): Erlang C(4, 3)
    /// = 0.5094, mean wait C / (c mu - l) = 5.094 s, P(wait > 10 s) = C e^(-(c mu - l) 10) = 0.1874.
    /// Tolerances: 5% relative on the mean wait, 0.015 absolute on the probabilities (10 days, ~259k requests).
    func testMMcWaitingTimesMatchErlangC() {
        let erlang = ServerlessScaling.erlangC(servers: 4, load: 3)
        XCTAssertEqual(erlang, 0.5094, accuracy: 1e-4)
        let model = synthetic(rate: 0.3, holdSeconds: 10, slots: 1, mode: .pod, replicas: 4)
        let report = simulate(model, options: .init(days: 10, seed: 3, lengths: .exponential))
        XCTAssertEqual(report.waitSeconds.mean / (erlang / (0.4 - 0.3)), 1, accuracy: 0.05, "mean wait \(report.waitSeconds.mean)")

        // The birth-death slot queue with a hold that does not depend on the batch is Erlang C.
        let tail = ServerlessScaling.coldWaitShare(
            rate: 0.3, holdSeconds: 10, slots: 1, minWorkers: 4, maxWorkers: 4,
            idleSeconds: 0, coldSeconds: 0, limit: 10, serviceCV2: 1)
        XCTAssertEqual(tail, erlang * exp(-1), accuracy: 1e-9)
        XCTAssertEqual(
            ServerlessScaling.slotWaitShare(rate: 0.3, curve: .constant(10, slots: 2), workers: 2, limit: 0),
            erlang, accuracy: 1e-9)
        var withSLA = model
        withSLA.ttftLimit = 10
        let measured = simulate(withSLA, options: .init(days: 10, seed: 3, lengths: .exponential))
        XCTAssertEqual(measured.terms.first?.breachShare ?? -1, 0.1874, accuracy: 0.015)
        withSLA.ttftLimit = 1e-9
        let anyWait = simulate(withSLA, options: .init(days: 10, seed: 3, lengths: .exponential))
        XCTAssertEqual(anyWait.terms.first?.breachShare ?? -1, erlang, accuracy: 0.015)
    }

    /// A burst of 25 requests at once on a scaled-to-zero endpoint (REQUEST_COUNT 10, max 5) starts
    /// ceil(25 / 10) = 3 workers, each cold for exactly C = 40 s; a burst of 100 starts max = 5.
    func testBurstStartsOneWorkerPerScalerStep() {
        let model = synthetic(rate: 0, holdSeconds: 5, slots: 10, maxWorkers: 5, scalerValue: 10, idle: 5, cold: 40)
        let small = simulate(
            model,
            options: .init(
                days: 1, lengths: .fixed, coldStartSigma: 0,
                arrivals: (0..<25).map { 100 + Double($0) * 0.001 }))
        XCTAssertEqual(small.coldStarts, 3)
        XCTAssertEqual(small.peakWorkers, 3)
        XCTAssertEqual(small.requests, 25)
        XCTAssertEqual(small.coldHitShare, 1)
        XCTAssertEqual(small.waitSeconds.p50, 40, accuracy: 0.01)
        // Billed: 3 workers x (40 s cold + 5 s hold + 5 s idle), each rounded up to the second.
        XCTAssertEqual(small.flexGPUSeconds, 3 * 50, accuracy: 3)
        let big = simulate(
            model,
            options: .init(
                days: 1, lengths: .fixed, coldStartSigma: 0,
                arrivals: (0..<100).map { 100 + Double($0) * 0.001 }))
        XCTAssertEqual(big.coldStarts, 5)
        XCTAssertEqual(big.peakWorkers, 5)
        // 50 slots for 100 requests: the second half waits one more hold.
        XCTAssertEqual(big.waitSeconds.p99, 45, accuracy: 0.05)
    }

    /// Same seed, same report; another seed, another draw.
    func testDeterministicForASeed() {
        let model = synthetic(rate: 0.05, holdSeconds: 8, slots: 4, maxWorkers: 3, idle: 10, cold: 25)
        let a = simulate(model, options: .init(days: 2, seed: 11))
        let b = simulate(model, options: .init(days: 2, seed: 11))
        let c = simulate(model, options: .init(days: 2, seed: 12))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.requests, c.requests)
    }
}
