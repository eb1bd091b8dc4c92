/// The traffic defaults validation and the compiler share (D-LOAD in Specs/decisions.md), decided once.
extension Spec {
    /// `traffic.pattern`, else `batch` for batch workloads and `bursty` otherwise.
    public var trafficPattern: TrafficPattern { traffic.pattern ?? (workload == .batch ? .batch : .bursty) }

    /// Hours a day requests arrive: the schedule's window, else `traffic.active_hours_per_day`, else
    /// 24 for steady traffic, 4 for batch and 12 otherwise.
    public var activeHoursPerDay: Double {
        traffic.schedule?.hoursPerRunDay ?? traffic.activeHoursPerDay ?? Self.defaultActiveHours(trafficPattern)
    }

    /// True when the active hours are the pattern's default (no schedule and no `active_hours_per_day`).
    public var activeHoursAreDefault: Bool { traffic.schedule == nil && traffic.activeHoursPerDay == nil }

    public static func defaultActiveHours(_ pattern: TrafficPattern) -> Double {
        pattern == .steady ? 24 : pattern == .batch ? 4 : 12
    }
}
