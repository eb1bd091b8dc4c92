import Foundation
import XCTest

@testable import PodformCore

final class ScheduleTests: XCTestCase {
    /// A UTC instant from `yyyy-MM-dd HH:mm`.
    func at(_ text: String) -> Date {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.date(from: text)!
    }

    func testWindowsInTheirTimeZoneAcrossMidnightAndDaylightSaving() throws {
        // 2026-12-01 is a Tuesday. Berlin is UTC+1 in winter, UTC+2 in summer.
        let office = Schedule(startMinute: 8 * 60, endMinute: 18 * 60, days: [.mon, .tue, .wed, .thu, .fri], timezone: "Europe/Berlin")
        XCTAssertFalse(office.isOpen(at: at("2026-12-01 06:59")))  // 07:59 in Berlin
        XCTAssertTrue(office.isOpen(at: at("2026-12-01 07:00")))  // 08:00
        XCTAssertTrue(office.isOpen(at: at("2026-12-01 16:59")))  // 17:59
        XCTAssertFalse(office.isOpen(at: at("2026-12-01 17:00")))  // 18:00: the end is exclusive
        XCTAssertFalse(office.isOpen(at: at("2026-12-05 10:00")))  // Saturday
        XCTAssertTrue(office.isOpen(at: at("2026-07-01 06:00")))  // 08:00 in Berlin summer time
        XCTAssertEqual(office.hoursPerRunDay, 10)
        XCTAssertEqual(office.averageHoursPerDay, 50.0 / 7, accuracy: 1e-9)
        // Overnight: Friday 22:00 to Saturday 06:00 belongs to Friday.
        let night = Schedule(startMinute: 22 * 60, endMinute: 6 * 60, days: [.fri], timezone: "UTC")
        XCTAssertTrue(night.isOpen(at: at("2026-12-04 23:30")))  // Friday night
        XCTAssertTrue(night.isOpen(at: at("2026-12-05 05:59")))  // Saturday morning, Friday's window
        XCTAssertFalse(night.isOpen(at: at("2026-12-05 22:30")))  // Saturday night: not a run day
        XCTAssertFalse(night.isOpen(at: at("2026-12-04 05:00")))  // Friday morning belongs to Thursday
        XCTAssertEqual(night.hoursPerRunDay, 8)
    }

    func testScheduleParsesAndBadOnesAreLocated() {
        let base = "version: 1\nname: nightly\nmodel: {id: meta-llama/Llama-3.1-8B-Instruct}\ncontext: 4k\nconcurrency: 8\ntraffic:\n"
        let ok = Spec.parse(path: "s.yaml", text: base + "  schedule: {hours: \"22:00-06:00\", days: [mon, fri], timezone: America/New_York}\n")
        XCTAssertEqual(ok.1, [])
        XCTAssertEqual(ok.0?.traffic.schedule, Schedule(startMinute: 1320, endMinute: 360, days: [.mon, .fri], timezone: "America/New_York"))
        for (yaml, code, column) in [
            ("  schedule: {hours: \"8-18\"}\n", "invalid-schedule", 21),
            ("  schedule: {hours: \"08:00-08:00\"}\n", "invalid-schedule", 21),
            ("  schedule: {hours: \"08:00-25:00\"}\n", "invalid-schedule", 21),
            ("  schedule: {hours: \"08:00-18:00\", timezone: Mars/Olympus}\n", "invalid-schedule", 46),
            ("  schedule: {hours: \"08:00-18:00\", days: [someday]}\n", "invalid-schedule", 42),
            ("  schedule: {hours: \"08:00-18:00\", days: []}\n", "invalid-schedule", 42),
            ("  schedule: {days: [mon]}\n", "missing-required", 13),
            ("  active_hours_per_day: 4\n  schedule: {hours: \"08:00-18:00\"}\n", "schedule-hours-mismatch", 25)
        ] {
            let diagnostics = Spec.parse(path: "s.yaml", text: base + yaml).1
            XCTAssertTrue(
                diagnostics.contains { $0.code == code && $0.location.line >= 7 && $0.location.column == column },
                "\(yaml): \(diagnostics.map { "\($0.code)@\($0.location.line):\($0.location.column) \($0.message)" })")
        }
    }
}
