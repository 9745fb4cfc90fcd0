import KioskCatalog
import KioskCore
import KioskFiles
import Testing

@Suite("Official calendar files")
struct CalendarFileTests {
    /// The notices' text, typed in independently of the YAML files: days off and worked weekends.
    static let notices: [Int: (off: [(String, String)], worked: [String])] = [
        2025: (
            [
                ("2025-01-01", "2025-01-01"), ("2025-01-28", "2025-02-04"), ("2025-04-04", "2025-04-06"),
                ("2025-05-01", "2025-05-05"), ("2025-05-31", "2025-06-02"), ("2025-10-01", "2025-10-08"),
            ],
            ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
        ),
        2026: (
            [
                ("2026-01-01", "2026-01-03"), ("2026-02-15", "2026-02-23"), ("2026-04-04", "2026-04-06"),
                ("2026-05-01", "2026-05-05"), ("2026-06-19", "2026-06-21"), ("2026-09-25", "2026-09-27"),
                ("2026-10-01", "2026-10-07"),
            ],
            ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
        ),
    ]

    @Test("every day of the year is classified as the State Council's notice says", arguments: [2025, 2026])
    func everyDay(year: Int) throws {
        let calendar = try CalendarLoader.load(directory: Paths.calendar)
        let notice = try #require(Self.notices[year])
        var off = Set<CivilDate>()
        for (from, to) in notice.off {
            var day = try #require(CivilDate(iso: from))
            let last = try #require(CivilDate(iso: to))
            while day <= last {
                off.insert(day)
                day = day.adding(days: 1)
            }
        }
        let worked = Set(try notice.worked.map { try #require(CivilDate(iso: $0)) })
        var day = try #require(CivilDate(year: year, month: 1, day: 1))
        var workingDays = 0
        while day.year == year {
            let expected: DayKind =
                off.contains(day) ? .holiday : worked.contains(day) ? .adjustedWorkday : day.isWeekend ? .weekend : .workday
            let actual = calendar.classify(day)
            #expect(actual.kind == expected, "\(day)")
            #expect(!actual.provisional, "\(day)")
            if actual.kind.isWorkingDay { workingDays += 1 }
            day = day.adding(days: 1)
        }
        // Both years have 248 working days under their arrangements.
        #expect(workingDays == 248)
    }

    @Test("the files name their notices")
    func notices() throws {
        let calendar = try CalendarLoader.load(directory: Paths.calendar)
        #expect(calendar.arrangements[2025]?.notice == "国办发明电〔2024〕12号")
        #expect(calendar.arrangements[2026]?.notice == "国办发明电〔2025〕7号")
        #expect(calendar.classify(try #require(CivilDate(iso: "2027-02-08"))).provisional)
    }

    @Test("broken holiday files are refused with located problems")
    func brokenFiles() throws {
        let text = """
            year: 2027
            notice: test
            days_off:
              - {name: 春节, from: 2027-02-05, to: 2027-02-01}
              - {name: 国庆节, from: 2027-10-01, to: 2027-13-07}
            working_weekends: [2027-02-01]
            holidays: []
            """
        do {
            _ = try CalendarLoader.load(files: [(name: "2027.yaml", text: text)])
            Issue.record("a broken file was accepted")
        } catch {
            let lines = error.problems.map { "\($0.location.line):\($0.location.column ?? 0)" }
            #expect(lines.contains("4:38"))  // ends before it starts
            #expect(lines.contains("5:39"))  // month 13
            #expect(lines.contains("6:20"))  // a Monday
            #expect(lines.contains("7:1"))  // unknown key
        }
    }
}
