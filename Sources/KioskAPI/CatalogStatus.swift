/// What the kiosk can offer citizens: the bundles loaded and the calendar's reach.
public struct CatalogStatus: Codable, Sendable, Hashable {
    /// Bundles a citizen can apply for.
    public var bundles: Int
    /// Problems found in the catalog files (`file:line:column: message`); the bundles of a
    /// broken catalog are not offered.
    public var problems: [String]
    /// The years the working-day calendar has official data for.
    public var calendarYears: [Int]
    /// What went wrong loading the calendar, if anything.
    public var calendarProblems: [String]

    public init(bundles: Int, problems: [String], calendarYears: [Int], calendarProblems: [String]) {
        self.bundles = bundles
        self.problems = problems
        self.calendarYears = calendarYears
        self.calendarProblems = calendarProblems
    }
}
