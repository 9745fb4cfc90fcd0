import ArgumentParser
import KioskCatalog
import KioskCore

extension KioskCtl {
    /// `kioskctl calendar …`: the official working-day calendar.
    struct CalendarCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calendar",
            abstract: "Working days on the official calendar (holidays and adjusted weekends).",
            subcommands: [IsWorkday.self, Add.self]
        )

        struct IsWorkday: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "is-workday",
                abstract: "Say whether DATE is a working day; exit status 0 if it is, 1 if not.")

            @Argument(help: "The date, YYYY-MM-DD.") var date: String
            @Option(help: "Directory of yearly holiday files.") var calendar: String?
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let day = try CatalogPaths.date(date, "DATE")
                let classification = try CatalogPaths.loadCalendar(calendar).classify(day)
                if output.json {
                    try output.printJSON(CalendarDayJSON(classification))
                } else {
                    var line = "\(day) \(classification.kind.isWorkingDay ? "workday" : "day off") (\(Self.explain(classification)))"
                    if classification.provisional {
                        line += " – provisional: no official arrangement for \(day.year) is loaded"
                    }
                    print(line)
                }
                if !classification.kind.isWorkingDay { throw ExitCode(1) }
            }

            static func explain(_ day: DayClassification) -> String {
                switch day.kind {
                case .workday: "weekday"
                case .weekend: "weekend"
                case .holiday: "holiday \(day.holiday ?? "")"
                case .adjustedWorkday: "weekend made a working day"
                }
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "The date N working days (or natural days) after DATE; DATE itself does not count.")

            @Argument(help: "The start date, YYYY-MM-DD.") var date: String
            @Argument(help: "Number of days, 0 or more.") var days: Int
            @Flag(help: "Count natural days (a period ending on a day off ends on the next working day).")
            var natural = false
            @Option(help: "Directory of yearly holiday files.") var calendar: String?
            @OptionGroup var output: OutputOptions

            func validate() throws {
                guard days >= 0 else { throw ValidationError("N must be 0 or more, not \(days)") }
            }

            func run() async throws {
                let start = try CatalogPaths.date(date, "DATE")
                let result = try CatalogPaths.loadCalendar(calendar).adding(days, natural ? .natural : .working, to: start)
                if output.json {
                    try output.printJSON(
                        AddJSON(
                            start: start, days: days, counting: natural ? .natural : .working, result: result.date,
                            provisional: result.provisional))
                } else {
                    print(result.description)
                }
            }
        }
    }
}

struct CalendarDayJSON: Encodable {
    var date: CivilDate
    var kind: DayKind
    var workday: Bool
    var holiday: String?
    var provisional: Bool

    init(_ day: DayClassification) {
        date = day.date
        kind = day.kind
        workday = day.kind.isWorkingDay
        holiday = day.holiday
        provisional = day.provisional
    }
}

struct AddJSON: Encodable {
    var start: CivilDate
    var days: Int
    var counting: DayCounting
    var result: CivilDate
    var provisional: Bool
}
