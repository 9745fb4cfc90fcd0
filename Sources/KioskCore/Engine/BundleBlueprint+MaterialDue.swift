extension BundleBlueprint {
    /// Working days the pledge (告知承诺书) gives for a deferred material at most.
    public static let pledgeWorkingDays = 10

    /// The last day each material handed in later (deferred under the pledge, or at the window)
    /// may arrive: within the pledge's term, and on a working day before the promised date of
    /// the first item that needs it, so no item is promised on a material it does not have yet.
    /// Never before `start` (an item promised for the next working day needs it the same day).
    public func materialDueDates(from start: CivilDate, calendar: WorkingDayCalendar) -> [MaterialID: CivilDate] {
        let schedule = schedule(from: start, calendar: calendar)
        let term = calendar.adding(Self.pledgeWorkingDays, .working, to: start).date
        var due: [MaterialID: CivilDate] = [:]
        for requirement in materialsToSubmit {
            let promised = schedule.items.filter { requirement.items.contains($0.item) }.map(\.promisedDeadline.date).min()
            var last = term
            if let promised {
                var before = promised.adding(days: -1)
                while before > start && !calendar.isWorkingDay(before) { before = before.adding(days: -1) }
                last = min(last, max(before, start))
            }
            due[requirement.definition.id] = last
        }
        return due
    }
}
