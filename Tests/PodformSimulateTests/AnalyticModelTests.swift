import Foundation
import PodformCompiler
import PodformSimulate
import XCTest

/// The analytic scaling model the compiler prices with, against the simulation where no closed form exists.
final class AnalyticModelTests: XCTestCase {
    /// Several flex workers (REQUEST_COUNT = slots): expected workers up within 10% of the simulation.
    func testFlexWorkersUpMatchesSimulation() {
        for (rate, hold, slots, idle) in [(1.0, 20.0, 8, 10.0), (0.2, 30.0, 4, 60.0), (3.0, 10.0, 16, 5.0)] {
            let analytic = ServerlessScaling.flexWorkers(
                rate: rate, holdSeconds: hold, scalerStep: slots, minWorkers: 0, maxWorkers: 8,
                idleSeconds: idle, coldSeconds: 30)
            let model = synthetic(rate: rate, holdSeconds: hold, slots: slots, maxWorkers: 8, idle: idle, cold: 30)
            let report = simulate(model, options: .init(days: 3, seed: 2, lengths: .fixed, coldStartSigma: 0))
            print(
                String(
                    format: "flex workers rate %.1f hold %.0f slots %d idle %.0f: analytic %.3f simulated %.3f", rate, hold, slots, idle,
                    analytic.up, report.meanFlexWorkersUp))
            XCTAssertEqual(analytic.up / report.meanFlexWorkersUp, 1, accuracy: 0.10, "rate \(rate) hold \(hold) slots \(slots)")
        }
    }
}
