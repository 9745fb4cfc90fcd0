import Foundation

/// When the hall a kiosk stands in is open, per weekday, in the kiosk's civil time.
///
/// A kiosk in a 24-hour self-service area is always open; one inside a service centre's hall
/// is reachable only when the hall is. Days without periods are closed.
public struct OpeningHours: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A day of the week, by its English name as the site profile writes it.
    public enum Weekday: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday

        /// ISO weekday: 1 = Monday … 7 = Sunday (``CivilDate/weekday``).
        public init?(iso: Int) {
            guard (1...7).contains(iso) else { return nil }
            self = Self.allCases[iso - 1]
        }

        public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A stretch of one day, `start` inclusive to `end` exclusive, in minutes since midnight
    /// (`end` may be 1440: open until midnight).
    public struct Period: Sendable, Hashable, Codable, CustomStringConvertible {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }

        /// Reads `HH:MM-HH:MM` (`24:00` as an end); `nil` for anything else, or an empty period.
        public init?(_ text: some StringProtocol) {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let start = Self.minute(parts[0]), let end = Self.minute(parts[1]), start < end, start < 1440
            else { return nil }
            self.init(start: start, end: end)
        }

        private static func minute(_ text: some StringProtocol) -> Int? {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
                (0...24).contains(hours), (0...59).contains(minutes), hours < 24 || minutes == 0
            else { return nil }
            return hours * 60 + minutes
        }

        /// `08:30-12:00`.
        public var description: String {
            func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }
            return "\(clock(start))-\(clock(end))"
        }
    }

    /// The periods of each open day, sorted and not overlapping.
    public var days: [Weekday: [Period]]

    public init(days: [Weekday: [Period]]) {
        self.days = days.mapValues { $0.sorted { $0.start < $1.start } }
    }

    /// Open every day, all day (the default when a site names no hours).
    public static let always = OpeningHours(
        days: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, [Period(start: 0, end: 1440)]) }))

    /// Whether the hall is open at `date` in `timeZone`.
    public func isOpen(at date: Date, in timeZone: TimeZone) -> Bool {
        let day = CivilDate(date, in: timeZone)
        let seconds = date.timeIntervalSince(day.start(in: timeZone))
        guard let weekday = Weekday(iso: day.weekday) else { return false }
        let minute = Int(seconds / 60)
        return (days[weekday] ?? []).contains { $0.start <= minute && minute < $0.end }
    }

    /// Each day as the profile writes it: `monday: 08:30-12:00, 14:00-17:30`, `sunday: closed`.
    public var lines: [String] {
        Weekday.allCases.map { day in
            let periods = days[day] ?? []
            return "\(day.rawValue): " + (periods.isEmpty ? "closed" : periods.map(\.description).joined(separator: ", "))
        }
    }

    public var description: String { lines.joined(separator: "; ") }
}
