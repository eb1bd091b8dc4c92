import Foundation

/// When a deployment serves (`traffic.schedule`; `Specs/spec.md`): a daily window of wall-clock
/// hours in a time zone, on some days of the week. `podform reconcile` starts pods when a window
/// opens and stops them when it closes, which is what lets a plan price a pod for its hours only.
///
/// The clock is the machine's (UTC underneath); the window is read in `timezone` (an IANA name,
/// default `UTC`), so daylight saving time moves it with local time. A window that ends before it
/// starts runs overnight (`22:00-06:00`), and belongs to the day it starts on.
public struct Schedule: Sendable, Hashable, Codable {
    public enum Day: String, Sendable, Hashable, Codable, CaseIterable {
        case sun, mon, tue, wed, thu, fri, sat
        /// Calendar's weekday number (1 = Sunday).
        var weekday: Int { Day.allCases.firstIndex(of: self)! + 1 }
    }

    /// Minutes after midnight, 0..<1440.
    public var startMinute: Int
    public var endMinute: Int
    public var days: [Day]
    public var timezone: String

    enum CodingKeys: String, CodingKey { case startMinute = "start_minute", endMinute = "end_minute", days, timezone }

    public init(startMinute: Int, endMinute: Int, days: [Day] = Day.allCases, timezone: String = "UTC") {
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.days = days
        self.timezone = timezone
    }

    /// Hours the window is open on a day it runs.
    public var hoursPerRunDay: Double {
        let minutes = endMinute > startMinute ? endMinute - startMinute : 1440 - startMinute + endMinute
        return Double(minutes) / 60
    }

    /// Average open hours per calendar day (the week's hours / 7).
    public var averageHoursPerDay: Double { hoursPerRunDay * Double(Set(days).count) / 7 }

    /// `HH:MM-HH:MM`.
    public var hoursText: String {
        func hm(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(hm(startMinute))-\(hm(endMinute))"
    }

    public var description: String {
        let everyDay = Set(days) == Set(Day.allCases)
        return "\(hoursText) \(timezone)" + (everyDay ? " every day" : " on " + days.map(\.rawValue).joined(separator: ","))
    }

    /// Whether the window is open at `date`.
    public func isOpen(at date: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timezone) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return true }
        let now = hour * 60 + minute
        let runsOn = { (w: Int) in self.days.contains { $0.weekday == w } }
        if startMinute < endMinute { return runsOn(weekday) && now >= startMinute && now < endMinute }
        // Overnight: open from the start on a run day until the end on the next morning.
        let yesterday = weekday == 1 ? 7 : weekday - 1
        return (runsOn(weekday) && now >= startMinute) || (runsOn(yesterday) && now < endMinute)
    }

    /// Whether Foundation knows an IANA time zone of that name.
    public static func isKnownTimeZone(_ name: String) -> Bool { TimeZone(identifier: name) != nil }

    /// Parses `HH:MM-HH:MM`; nil if malformed.
    public static func parseHours(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        func minutes(_ s: String) -> Int? {
            let hm = s.split(separator: ":", omittingEmptySubsequences: false)
            guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]),
                (0...24).contains(h), (0...59).contains(m), h < 24 || m == 0
            else { return nil }
            return (h * 60 + m) % 1440
        }
        guard let a = minutes(parts[0]), let b = minutes(parts[1]), a != b else { return nil }
        return (a, b)
    }
}
