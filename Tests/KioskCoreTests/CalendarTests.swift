import KioskCore
import Testing

/// The State Council's arrangements, typed in from the notices' text (国办发明电〔2024〕12号 and
/// 国办发明电〔2025〕7号), independently of the YAML files in Provisioning/calendar.
enum Official {
    static func day(_ text: String) -> CivilDate {
        guard let date = CivilDate(iso: text) else {
            Issue.record("bad date in test data: \(text)")
            return CivilDate(dayNumber: 0)
        }
        return date
    }

    static func period(_ name: String, _ from: String, _ to: String) -> HolidayArrangement.Period {
        HolidayArrangement.Period(name: name, first: day(from), last: day(to))
    }

    static let y2025 = HolidayArrangement(
        year: 2025, notice: "国办发明电〔2024〕12号",
        daysOff: [
            period("元旦", "2025-01-01", "2025-01-01"), period("春节", "2025-01-28", "2025-02-04"),
            period("清明节", "2025-04-04", "2025-04-06"), period("劳动节", "2025-05-01", "2025-05-05"),
            period("端午节", "2025-05-31", "2025-06-02"), period("国庆节、中秋节", "2025-10-01", "2025-10-08"),
        ],
        workingWeekends: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"].map(day))

    static let y2026 = HolidayArrangement(
        year: 2026, notice: "国办发明电〔2025〕7号",
        daysOff: [
            period("元旦", "2026-01-01", "2026-01-03"), period("春节", "2026-02-15", "2026-02-23"),
            period("清明节", "2026-04-04", "2026-04-06"), period("劳动节", "2026-05-01", "2026-05-05"),
            period("端午节", "2026-06-19", "2026-06-21"), period("中秋节", "2026-09-25", "2026-09-27"),
            period("国庆节", "2026-10-01", "2026-10-07"),
        ],
        workingWeekends: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"].map(day))

    static func calendar() throws -> WorkingDayCalendar {
        try WorkingDayCalendar(arrangements: [y2025, y2026])
    }
}

@Suite("Civil dates")
struct CivilDateTests {
    @Test(
        "dates round-trip through their day number and text",
        arguments: [
            "1970-01-01", "2000-02-29", "2024-12-31", "2025-01-28", "2026-10-10", "2100-03-01",
        ])
    func roundTrip(text: String) throws {
        let date = try #require(CivilDate(iso: text))
        #expect(date.description == text)
        #expect(CivilDate(dayNumber: date.dayNumber) == date)
    }

    @Test(
        "impossible dates and other formats are refused",
        arguments: [
            "2025-02-29", "2025-13-01", "2025-1-1", "20250101", "2025-04-31", "", "２０２５-01-01",
        ])
    func refused(text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test("weekdays follow the real calendar")
    func weekdays() {
        #expect(Official.day("2025-01-26").weekday == 7)  // a Sunday worked before Spring Festival
        #expect(Official.day("2026-02-14").weekday == 6)  // a Saturday worked
        #expect(Official.day("2026-11-23").weekday == 1)
    }
}

@Suite("Working-day calendar")
struct WorkingDayCalendarTests {
    @Test("the classification names the holiday and adjusted weekends")
    func classification() throws {
        let calendar = try Official.calendar()
        #expect(calendar.classify(Official.day("2025-01-29")).holiday == "春节")
        #expect(calendar.classify(Official.day("2025-01-26")).kind == .adjustedWorkday)
        #expect(calendar.classify(Official.day("2026-10-10")).kind == .adjustedWorkday)
        #expect(calendar.classify(Official.day("2026-10-11")).kind == .weekend)
        #expect(calendar.classify(Official.day("2026-10-08")).kind == .workday)
        #expect(!calendar.classify(Official.day("2026-10-08")).provisional)
    }

    @Test(
        "deadlines across Spring Festival",
        arguments: [
            // 2025: Friday 24 January; Sunday 26th is worked, 28 Jan – 4 Feb off, Saturday 8 Feb worked.
            ("2025-01-24", 1, "2025-01-26"), ("2025-01-24", 2, "2025-01-27"), ("2025-01-24", 3, "2025-02-05"),
            ("2025-01-27", 4, "2025-02-08"), ("2025-01-27", 5, "2025-02-10"),
            // 2026: Saturday 14 Feb worked, 15–23 Feb off, Saturday 28 Feb worked.
            ("2026-02-12", 1, "2026-02-13"), ("2026-02-12", 2, "2026-02-14"), ("2026-02-12", 3, "2026-02-24"),
            ("2026-02-24", 4, "2026-02-28"), ("2026-02-14", 1, "2026-02-24"),
        ])
    func springFestival(start: String, days: Int, expected: String) throws {
        let result = try Official.calendar().adding(workingDays: days, to: Official.day(start))
        #expect(result.date == Official.day(expected))
        #expect(!result.provisional)
    }

    @Test(
        "deadlines across National Day",
        arguments: [
            // 2025: Sunday 28 Sep worked, 1–8 Oct off, Saturday 11 Oct worked.
            ("2025-09-26", 1, "2025-09-28"), ("2025-09-26", 3, "2025-09-30"), ("2025-09-26", 4, "2025-10-09"),
            ("2025-09-30", 3, "2025-10-11"), ("2025-09-30", 4, "2025-10-13"),
            // 2026: Sunday 20 Sep worked, 25–27 Sep (中秋) and 1–7 Oct off, Saturday 10 Oct worked.
            ("2026-09-18", 1, "2026-09-20"), ("2026-09-24", 1, "2026-09-28"), ("2026-09-30", 1, "2026-10-08"),
            ("2026-09-30", 3, "2026-10-10"), ("2026-09-30", 4, "2026-10-12"),
        ])
    func nationalDay(start: String, days: Int, expected: String) throws {
        #expect(try Official.calendar().adding(workingDays: days, to: Official.day(start)).date == Official.day(expected))
    }

    @Test("natural-day limits ending on a day off end on the next working day")
    func naturalDays() throws {
        let calendar = try Official.calendar()
        #expect(calendar.adding(naturalDays: 5, to: Official.day("2025-09-26")).date == Official.day("2025-10-09"))
        #expect(calendar.adding(naturalDays: 2, to: Official.day("2025-09-26")).date == Official.day("2025-09-28"))
        #expect(calendar.adding(naturalDays: 30, to: Official.day("2026-01-05")).date == Official.day("2026-02-04"))
    }

    @Test("a deadline past the data is computed by the weekend rule and marked provisional")
    func provisional() throws {
        let calendar = try Official.calendar()
        let inside = calendar.adding(workingDays: 2, to: Official.day("2026-12-28"))
        #expect(inside.date == Official.day("2026-12-30"))
        #expect(!inside.provisional)
        // 29, 30, 31 Dec are official; 1 Jan 2027 is a Friday with no arrangement loaded.
        let past = calendar.adding(workingDays: 5, to: Official.day("2026-12-28"))
        #expect(past.date == Official.day("2027-01-04"))
        #expect(past.provisional)
        #expect(calendar.classify(Official.day("2027-01-01")).provisional)
        #expect(calendar.classify(Official.day("2027-01-01")).kind == .workday)
        // Only the days counted matter: starting the day before the data is certain.
        let fromBefore = calendar.adding(workingDays: 1, to: Official.day("2024-12-31"))
        #expect(fromBefore.date == Official.day("2025-01-02"))
        #expect(!fromBefore.provisional)
    }

    @Test("a year missing between loaded years is provisional too")
    func gap() throws {
        let y2027 = HolidayArrangement(year: 2027, notice: "test", daysOff: [], workingWeekends: [])
        let calendar = try WorkingDayCalendar(arrangements: [Official.y2025, y2027])
        #expect(calendar.classify(Official.day("2026-02-16")).provisional)
        #expect(calendar.classify(Official.day("2026-02-16")).kind == .workday)
        #expect(calendar.adding(workingDays: 3, to: Official.day("2025-12-30")).provisional)
        #expect(!calendar.adding(workingDays: 1, to: Official.day("2025-12-29")).provisional)
    }

    @Test("the clock stops during supplements and special procedures")
    func clockStops() throws {
        let calendar = try Official.calendar()
        let start = Official.day("2025-03-03")  // Monday
        #expect(calendar.adding(5, .working, to: start, stoppedDuring: []).date == Official.day("2025-03-10"))
        let supplement = ClockStop(first: Official.day("2025-03-05"), last: Official.day("2025-03-06"), reason: .supplement)
        #expect(calendar.adding(5, .working, to: start, stoppedDuring: [supplement]).date == Official.day("2025-03-12"))
        // A stop after the deadline changes nothing.
        let late = ClockStop(first: Official.day("2025-03-20"), last: Official.day("2025-03-21"), reason: .specialProcedure)
        #expect(calendar.adding(5, .working, to: start, stoppedDuring: [late]).date == Official.day("2025-03-10"))
        // Two stops, one spanning a weekend: 4th (1), stop 5–6, 7th (2), stop 10–14, 17th (3), 18th (4), 19th (5).
        let long = ClockStop(first: Official.day("2025-03-10"), last: Official.day("2025-03-14"), reason: .specialProcedure)
        #expect(calendar.adding(5, .working, to: start, stoppedDuring: [long, supplement]).date == Official.day("2025-03-19"))
    }

    @Test("inconsistent holiday data is refused with a reason")
    func refusesBadData() {
        let wrongYear = HolidayArrangement(
            year: 2025, notice: "x", daysOff: [Official.period("元旦", "2026-01-01", "2026-01-01")], workingWeekends: [])
        #expect(throws: CalendarError.self) { try WorkingDayCalendar(arrangements: [wrongYear]) }
        let notWeekend = HolidayArrangement(
            year: 2025, notice: "x", daysOff: [], workingWeekends: [Official.day("2025-01-27")])
        #expect(throws: CalendarError.self) { try WorkingDayCalendar(arrangements: [notWeekend]) }
        #expect(throws: CalendarError.self) { try WorkingDayCalendar(arrangements: [Official.y2025, Official.y2025]) }
    }

    @Test("counting working days between dates agrees with adding them")
    func countingAgrees() throws {
        let calendar = try Official.calendar()
        var day = Official.day("2025-01-01")
        while day < Official.day("2026-12-01") {
            for n in [1, 7, 20] {
                let end = calendar.adding(workingDays: n, to: day).date
                #expect(calendar.workingDays(after: day, through: end) == n)
                #expect(calendar.isWorkingDay(end))
            }
            day = day.adding(days: 11)
        }
    }
}
