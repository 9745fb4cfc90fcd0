import Foundation
import KioskCore
import Testing

@Suite("Opening hours")
struct OpeningHoursTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    let hours = OpeningHours(days: [
        .monday: [OpeningHours.Period("14:00-17:30")!, OpeningHours.Period("08:30-12:00")!],
        .saturday: [OpeningHours.Period("09:00-24:00")!],
    ])

    /// `2026-11-30` (a Monday) at `clock` in Shanghai.
    func monday(_ clock: String, dayOffset: Int = 0) -> Date {
        let parts = clock.split(separator: ":").compactMap { Int($0) }
        let midnight = CivilDate(year: 2026, month: 11, day: 30)!.adding(days: dayOffset).start(in: shanghai)
        return midnight.addingTimeInterval(TimeInterval(parts[0] * 3600 + parts[1] * 60))
    }

    @Test(
        "The hall is open within a period, from its first minute to just before its last",
        arguments: [
            ("08:29", false), ("08:30", true), ("11:59", true), ("12:00", false), ("13:00", false), ("14:00", true), ("17:30", false),
        ])
    func mondayPeriods(clock: String, open: Bool) {
        #expect(hours.isOpen(at: monday(clock), in: shanghai) == open)
    }

    @Test("A day with no period is closed; 24:00 ends a day open until midnight")
    func closedDaysAndMidnight() {
        #expect(!hours.isOpen(at: monday("10:00", dayOffset: 1), in: shanghai))  // Tuesday
        #expect(hours.isOpen(at: monday("23:59", dayOffset: 5), in: shanghai))  // Saturday
        #expect(!hours.isOpen(at: monday("00:30", dayOffset: 6), in: shanghai))  // Sunday
        #expect(OpeningHours.always.isOpen(at: monday("03:00", dayOffset: 6), in: shanghai))
    }

    @Test(
        "Periods are read as HH:MM-HH:MM, on a 24-hour clock, ending after they start",
        arguments: ["8:30-12:00", "08:30-25:00", "12:00-08:30", "08:30", "08:60-09:00", "24:00-24:00", "08:30 - 12:00x"])
    func refusedPeriods(text: String) {
        #expect(OpeningHours.Period(text) == nil)
    }

    @Test("Each day is listed as the profile writes it, in week order")
    func lines() {
        #expect(hours.lines.first == "monday: 08:30-12:00, 14:00-17:30")
        #expect(hours.lines.last == "sunday: closed")
        #expect(hours.lines.count == 7)
    }
}
