import Foundation

/// How a peak run of the two-rate profile (`RateProfile`) begins, as both the waits at its start
/// (`Compiler.peakStart`) and QUEUE_DELAY's backlog worker (`Compiler.backlogWorker`) read it: the
/// workers each rate needs (its Little's-law load over the slots), the ones the quiet blocks keep up
/// (`warm`), and how often a peak run begins after a quiet stretch longer than the idle timeout.
struct PeakRun {
    var peak: RateProfile.State
    var base: RateProfile.State
    var needPeak: Int
    var needBase: Int
    var warm: Int
    /// Blocks are drawn independently: the chance a block follows at least max(1, T / block) quiet
    /// ones, per second of block (times the peak share: runs per second of the active hours).
    var runsPerSecond: Double

    /// Nil unless the profile has a peak and a quiet rate, each with its hold.
    init?(_ profile: RateProfile, holds: [Double], slots: Int, minWorkers: Int, maxWorkers: Int, idle: Double) {
        guard profile.states.count == 2, holds.count == 2 else { return nil }
        let block = RateProfile.blockSeconds
        peak = profile.states[0]
        base = profile.states[1]
        needPeak = Int((peak.rate * holds[0] / Double(slots)).rounded(.up))
        needBase = Int((base.rate * holds[1] / Double(slots)).rounded(.up))
        warm = max(minWorkers, min(needBase, maxWorkers))
        runsPerSecond = pow(base.share, max(1, idle / block)) / block
    }
}
