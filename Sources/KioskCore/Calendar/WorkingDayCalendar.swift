/// What kind of day a date is for counting time limits.
public enum DayKind: String, Sendable, Hashable, Codable {
    /// Monday to Friday with no holiday.
    case workday
    /// Saturday or Sunday that the State Council did not make a working day.
    case weekend
    /// A day off in the State Council's holiday arrangement (放假).
    case holiday
    /// A Saturday or Sunday that the arrangement makes a working day (调休上班).
    case adjustedWorkday = "adjusted_workday"

    /// Whether time limits counted in working days advance on this day.
    public var isWorkingDay: Bool { self == .workday || self == .adjustedWorkday }
}

/// A date's kind and whether that kind is certain.
public struct DayClassification: Sendable, Hashable, Codable {
    /// The date classified.
    public var date: CivilDate
    /// Its kind.
    public var kind: DayKind
    /// The holiday's name, for days off.
    public var holiday: String?
    /// `true` when the date's year has no official arrangement loaded: the kind then comes from
    /// the weekend rule alone and may change when that year's notice arrives.
    public var provisional: Bool
}

/// A date computed on the calendar, with whether it rests on official data only.
public struct CalendarDate: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The date.
    public var date: CivilDate
    /// `true` when any day counted lies in a year without an official arrangement: recompute
    /// when that year's notice is loaded, and never present it as certain.
    public var provisional: Bool

    /// Creates a computed date.
    public init(date: CivilDate, provisional: Bool) {
        self.date = date
        self.provisional = provisional
    }

    /// `YYYY-MM-DD`, followed by ` (provisional)` when not certain.
    public var description: String { provisional ? "\(date) (provisional)" : "\(date)" }
}

/// A period in which an item's clock does not run: waiting for supplementary materials
/// (补正) or a special procedure (hearing, expert review, inspection – 特别程序).
public struct ClockStop: Sendable, Hashable, Codable {
    /// Why the clock stopped.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// The applicant was asked for supplementary materials (补齐补正).
        case supplement
        /// A special procedure that the law excludes from the time limit.
        case specialProcedure = "special_procedure"
    }

    /// First day the clock is stopped.
    public var first: CivilDate
    /// Last day the clock is stopped (inclusive); it runs again the day after.
    public var last: CivilDate
    /// Why.
    public var reason: Reason

    /// Creates a stop from `first` to `last` inclusive.
    public init(first: CivilDate, last: CivilDate, reason: Reason) {
        self.first = first
        self.last = last
        self.reason = reason
    }
}

/// How a time limit is counted.
public enum DayCounting: String, Sendable, Hashable, Codable {
    /// Working days (工作日): weekends and holidays do not count, adjusted weekends do.
    case working
    /// Natural days (自然日): every day counts; a limit ending on a day off ends on the next
    /// working day instead (the civil-law rule for periods ending on a rest day).
    case natural
}

/// A mistake in the holiday data.
public struct CalendarError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case duplicateYear = "duplicate_year"
            case dateOutsideYear = "date_outside_year"
            case reversedPeriod = "reversed_period"
            case overlappingDays = "overlapping_days"
            case workingDayNotWeekend = "working_day_not_weekend"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Two arrangements for the same year.
        public static let duplicateYear = Code(.duplicateYear)
        /// A date outside the year its arrangement is for.
        public static let dateOutsideYear = Code(.dateOutsideYear)
        /// A holiday that ends before it starts.
        public static let reversedPeriod = Code(.reversedPeriod)
        /// A day in two holidays, or both a holiday and a working day.
        public static let overlappingDays = Code(.overlappingDays)
        /// A working weekend that is not a Saturday or Sunday.
        public static let workingDayNotWeekend = Code(.workingDayNotWeekend)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
    }

    /// The kind of mistake.
    public var code: Code
    /// What is wrong, for a technician.
    public var message: String
    /// The year whose arrangement is wrong.
    public var year: Int
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, year: Int, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.year = year
        self.cause = cause
    }

    /// `message`.
    public var description: String { message }

    /// Errors are equal when their code, message and year are; the cause is for logs only.
    public static func == (lhs: CalendarError, rhs: CalendarError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.year == rhs.year
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(year)
    }
}

/// One year's holiday arrangement, as the State Council's notice (部分节假日安排的通知) says.
public struct HolidayArrangement: Sendable, Hashable, Codable {
    /// A named run of days off.
    public struct Period: Sendable, Hashable, Codable {
        /// Holiday name (元旦, 春节, …).
        public var name: String
        /// First day off.
        public var first: CivilDate
        /// Last day off, inclusive.
        public var last: CivilDate

        /// Creates a period.
        public init(name: String, first: CivilDate, last: CivilDate) {
            self.name = name
            self.first = first
            self.last = last
        }
    }

    /// The year the arrangement is for.
    public var year: Int
    /// The notice's number, e.g. 国办发明电〔2024〕12号.
    public var notice: String
    /// Runs of days off.
    public var daysOff: [Period]
    /// Saturdays and Sundays that are working days (调休上班).
    public var workingWeekends: [CivilDate]

    /// Creates an arrangement.
    public init(year: Int, notice: String, daysOff: [Period], workingWeekends: [CivilDate]) {
        self.year = year
        self.notice = notice
        self.daysOff = daysOff
        self.workingWeekends = workingWeekends
    }
}

/// The official working-day calendar: weekends off, the State Council's holidays off, its
/// adjusted weekends worked. Years without an arrangement follow the weekend rule and every
/// answer touching them is marked provisional.
///
/// Covered days are kept in flat tables (kind per day, running count of working days, index of
/// every working day), so adding N working days is two array reads: deadline computations
/// run by the million per second.
public struct WorkingDayCalendar: Sendable {
    /// The arrangements loaded, by year.
    public let arrangements: [Int: HolidayArrangement]
    /// First day of the first year with data (nil for an empty calendar).
    public let firstDay: CivilDate?
    /// Last day of the last year with data.
    public let lastDay: CivilDate?

    private let kinds: [DayKind]
    private let names: [Int: String]
    // workingBefore[i] = working days in [firstDay, firstDay + i), so counts are differences.
    private let workingBefore: [Int32]
    private let workingOffsets: [Int32]
    // uncoveredBefore[i] = days of years without an arrangement in [firstDay, firstDay + i).
    private let uncoveredBefore: [Int32]

    /// A calendar with only the weekend rule: every answer is provisional.
    public init() {
        arrangements = [:]
        firstDay = nil
        lastDay = nil
        kinds = []
        names = [:]
        workingBefore = [0]
        workingOffsets = []
        uncoveredBefore = [0]
    }

    /// Builds the calendar from yearly arrangements, checking that they are consistent.
    public init(arrangements list: [HolidayArrangement]) throws(CalendarError) {
        var byYear: [Int: HolidayArrangement] = [:]
        for arrangement in list {
            if byYear[arrangement.year] != nil {
                throw CalendarError(
                    .duplicateYear, "two arrangements for \(arrangement.year)", year: arrangement.year)
            }
            byYear[arrangement.year] = arrangement
        }
        guard let minYear = byYear.keys.min(), let maxYear = byYear.keys.max(),
            let first = CivilDate(year: minYear, month: 1, day: 1),
            let last = CivilDate(year: maxYear, month: 12, day: 31)
        else {
            self.arrangements = [:]
            self.firstDay = nil
            self.lastDay = nil
            self.kinds = []
            self.names = [:]
            self.workingBefore = [0]
            self.workingOffsets = []
            self.uncoveredBefore = [0]
            return
        }
        let count = last.dayNumber - first.dayNumber + 1
        var kinds = (0..<count).map { CivilDate(dayNumber: first.dayNumber + $0).isWeekend ? DayKind.weekend : .workday }
        var names: [Int: String] = [:]
        var uncovered = [Bool](repeating: false, count: count)
        for year in minYear...maxYear {
            guard let arrangement = byYear[year] else {
                // A gap between loaded years: weekend rule, provisional.
                if let start = CivilDate(year: year, month: 1, day: 1), let end = CivilDate(year: year, month: 12, day: 31) {
                    for day in start.dayNumber...end.dayNumber { uncovered[day - first.dayNumber] = true }
                }
                continue
            }
            func inYear(_ date: CivilDate, _ what: String) throws(CalendarError) {
                guard date.year == year else {
                    throw CalendarError(
                        .dateOutsideYear, "\(what) \(date) is not in \(year)", year: year)
                }
            }
            for period in arrangement.daysOff {
                try inYear(period.first, "holiday \(period.name) starting")
                // A period may run into January of the next year only if that year is loaded too;
                // keep it simple and strict: the State Council's periods never cross a year.
                try inYear(period.last, "holiday \(period.name) ending")
                guard period.first <= period.last else {
                    throw CalendarError(
                        .reversedPeriod,
                        "holiday \(period.name) ends \(period.last) before it starts \(period.first)",
                        year: year)
                }
                for day in period.first.dayNumber...period.last.dayNumber {
                    let index = day - first.dayNumber
                    if kinds[index] == .holiday {
                        throw CalendarError(
                            .overlappingDays,
                            "\(CivilDate(dayNumber: day)) is in two holidays", year: year)
                    }
                    kinds[index] = .holiday
                    names[day] = period.name
                }
            }
            for date in arrangement.workingWeekends {
                try inYear(date, "working weekend")
                let index = date.dayNumber - first.dayNumber
                guard date.isWeekend else {
                    throw CalendarError(
                        .workingDayNotWeekend,
                        "\(date) is listed as a working weekend but is not a Saturday or Sunday", year: year)
                }
                guard kinds[index] != .holiday else {
                    throw CalendarError(
                        .overlappingDays, "\(date) is both a holiday and a working day", year: year)
                }
                kinds[index] = .adjustedWorkday
            }
        }
        var workingBefore = [Int32](repeating: 0, count: count + 1)
        var uncoveredBefore = [Int32](repeating: 0, count: count + 1)
        var offsets: [Int32] = []
        offsets.reserveCapacity(count)
        for index in 0..<count {
            let working = kinds[index].isWorkingDay
            workingBefore[index + 1] = workingBefore[index] + (working ? 1 : 0)
            uncoveredBefore[index + 1] = uncoveredBefore[index] + (uncovered[index] ? 1 : 0)
            if working { offsets.append(Int32(index)) }
        }
        self.arrangements = byYear
        self.firstDay = first
        self.lastDay = last
        self.kinds = kinds
        self.names = names
        self.workingBefore = workingBefore
        self.workingOffsets = offsets
        self.uncoveredBefore = uncoveredBefore
    }

    /// The kind of `date` and whether it is certain.
    public func classify(_ date: CivilDate) -> DayClassification {
        guard let index = index(of: date) else {
            return DayClassification(date: date, kind: date.isWeekend ? .weekend : .workday, holiday: nil, provisional: true)
        }
        let provisional = uncoveredBefore[index + 1] != uncoveredBefore[index]
        return DayClassification(date: date, kind: kinds[index], holiday: names[date.dayNumber], provisional: provisional)
    }

    /// Whether time limits advance on `date`.
    public func isWorkingDay(_ date: CivilDate) -> Bool {
        guard let index = index(of: date) else { return !date.isWeekend }
        return kinds[index].isWorkingDay
    }

    /// The `days`-th working day after `start` (the start day itself never counts, as the
    /// law counts periods from the next day). Zero days gives `start`. Negative counts are
    /// treated as zero.
    public func adding(workingDays days: Int, to start: CivilDate) -> CalendarDate {
        guard days > 0 else { return CalendarDate(date: start, provisional: !isCovered(start)) }
        if let index = index(of: start) {
            let target = Int(workingBefore[index + 1]) + days - 1
            if target < workingOffsets.count, let first = firstDay {
                let end = Int(workingOffsets[target])
                let provisional = uncoveredBefore[end + 1] != uncoveredBefore[index + 1]
                return CalendarDate(date: first.adding(days: end), provisional: provisional)
            }
        }
        return slowAdding(workingDays: days, to: start)
    }

    /// `days` natural days after `start`; a period ending on a day off ends on the next
    /// working day.
    public func adding(naturalDays days: Int, to start: CivilDate) -> CalendarDate {
        var end = start.adding(days: max(0, days))
        // Only the last day's kind matters for natural days.
        var provisional = !isCovered(end)
        while days > 0, !isWorkingDay(end) {
            end = end.adding(days: 1)
            provisional = provisional || !isCovered(end)
        }
        return CalendarDate(date: end, provisional: provisional)
    }

    /// The end of a time limit of `days` counted as `counting`, from `start`.
    public func adding(_ days: Int, _ counting: DayCounting, to start: CivilDate) -> CalendarDate {
        switch counting {
        case .working: adding(workingDays: days, to: start)
        case .natural: adding(naturalDays: days, to: start)
        }
    }

    /// The end of a time limit whose clock is stopped during `stops`: days inside a stop do not
    /// count, and the count resumes the day after the stop's last day.
    public func adding(
        _ days: Int, _ counting: DayCounting, to start: CivilDate, stoppedDuring stops: [ClockStop]
    ) -> CalendarDate {
        guard !stops.isEmpty else { return adding(days, counting, to: start) }
        var current = start
        var remaining = max(0, days)
        var provisional = false
        for stop in stops.sorted(by: { $0.first < $1.first }) where stop.last > current {
            let candidate = adding(remaining, counting, to: current)
            if candidate.date < stop.first { return candidate.or(provisional) }
            let before = stop.first.adding(days: -1)
            if before > current {
                let used = counting == .working ? workingDays(after: current, through: before) : before.dayNumber - current.dayNumber
                remaining = max(0, remaining - used)
            }
            provisional = provisional || !isCovered(stop.last)
            current = stop.last
        }
        return adding(remaining, counting, to: current).or(provisional)
    }

    /// Number of working days in `(start, end]`.
    public func workingDays(after start: CivilDate, through end: CivilDate) -> Int {
        guard end > start else { return 0 }
        if let a = index(of: start), let b = index(of: end) {
            return Int(workingBefore[b + 1] - workingBefore[a + 1])
        }
        var count = 0
        var day = start.adding(days: 1)
        while day <= end {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }

    /// Whether `date`'s year has an official arrangement loaded.
    public func isCovered(_ date: CivilDate) -> Bool {
        guard let index = index(of: date) else { return false }
        return uncoveredBefore[index + 1] == uncoveredBefore[index]
    }

    private func index(of date: CivilDate) -> Int? {
        guard let first = firstDay, let last = lastDay, date >= first, date <= last else { return nil }
        return date.dayNumber - first.dayNumber
    }

    private func slowAdding(workingDays days: Int, to start: CivilDate) -> CalendarDate {
        var day = start
        var remaining = days
        var provisional = false
        // Jump straight to the end of the data when starting inside it.
        if let index = index(of: start), let last = lastDay {
            remaining -= Int(workingBefore[workingBefore.count - 1] - workingBefore[index + 1])
            provisional = provisional || uncoveredBefore[uncoveredBefore.count - 1] != uncoveredBefore[index + 1]
            day = last
        }
        while remaining > 0 {
            day = day.adding(days: 1)
            provisional = provisional || !isCovered(day)
            if isWorkingDay(day) { remaining -= 1 }
        }
        return CalendarDate(date: day, provisional: provisional)
    }
}

extension CalendarDate {
    fileprivate func or(_ provisional: Bool) -> CalendarDate {
        CalendarDate(date: date, provisional: self.provisional || provisional)
    }
}
