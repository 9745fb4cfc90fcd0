/// The dates of one item in a bundle's schedule.
public struct ItemSchedule: Sendable, Hashable {
    /// The item.
    public var item: ItemID
    /// Its approval stage.
    public var stage: Int
    /// When its clock starts under the promised limits: the bundle's start, or the promised
    /// end of the last item it needs (its other materials are pre-reviewed meanwhile).
    public var starts: CalendarDate
    /// Its promised deadline.
    public var promisedDeadline: CalendarDate
    /// Its legal deadline, with every earlier item also taking its legal limit.
    public var legalDeadline: CalendarDate
    /// Clock stops applied to it.
    public var stops: [ClockStop]
}

/// Deadlines of a bundle from a start date: per item and for the bundle (its critical path).
public struct BundleSchedule: Sendable, Hashable {
    /// The day the case was accepted (the clock starts the next day).
    public var start: CivilDate
    /// Items in plan order.
    public var items: [ItemSchedule]
    /// When every item is promised to be done.
    public var promisedDeadline: CalendarDate
    /// When every item must be done by law.
    public var legalDeadline: CalendarDate
    /// The chain of items that decides `promisedDeadline`, first to last.
    public var criticalPath: [ItemID]

    /// Whether any date rests on a year without official holiday data.
    public var provisional: Bool {
        promisedDeadline.provisional || legalDeadline.provisional
            || items.contains { $0.promisedDeadline.provisional || $0.legalDeadline.provisional }
    }
}

extension BundleBlueprint {
    /// Deadlines from `start` (the acceptance day), on `calendar`, with the clock of each item
    /// stopped during its `stops` (supplements, special procedures).
    public func schedule(
        from start: CivilDate, calendar: WorkingDayCalendar, stops: [ItemID: [ClockStop]] = [:]
    ) -> BundleSchedule {
        var promised: [ItemID: CalendarDate] = [:]
        var legal: [ItemID: CalendarDate] = [:]
        var starts: [ItemID: CalendarDate] = [:]
        var schedules: [ItemSchedule] = []
        let startDate = CalendarDate(date: start, provisional: false)
        for (stage, ids) in plan.stages.enumerated() {
            for id in ids {
                guard let item = bundle.item(id) else { continue }
                let needs = item.dependsOn
                let promisedStart = needs.compactMap { promised[$0] }.max(by: Self.earlier) ?? startDate
                let legalStart = needs.compactMap { legal[$0] }.max(by: Self.earlier) ?? startDate
                let itemStops = stops[id] ?? []
                let promisedEnd = calendar.adding(
                    item.promisedLimit.days, item.promisedLimit.counting, to: promisedStart.date, stoppedDuring: itemStops)
                let legalEnd = calendar.adding(
                    item.legalLimit.days, item.legalLimit.counting, to: legalStart.date, stoppedDuring: itemStops)
                let p = CalendarDate(date: promisedEnd.date, provisional: promisedEnd.provisional || promisedStart.provisional)
                let l = CalendarDate(date: legalEnd.date, provisional: legalEnd.provisional || legalStart.provisional)
                promised[id] = p
                legal[id] = l
                starts[id] = promisedStart
                schedules.append(
                    ItemSchedule(
                        item: id, stage: stage, starts: promisedStart, promisedDeadline: p, legalDeadline: l,
                        stops: itemStops))
            }
        }
        let lastPromised = schedules.max { Self.earlier($0.promisedDeadline, $1.promisedDeadline) }
        var path: [ItemID] = []
        var cursor = lastPromised?.item
        while let id = cursor {
            path.insert(id, at: 0)
            cursor = bundle.item(id)?.dependsOn.filter { promised[$0] != nil }
                .max { Self.earlier(promised[$0] ?? startDate, promised[$1] ?? startDate) }
        }
        return BundleSchedule(
            start: start, items: schedules,
            promisedDeadline: lastPromised?.promisedDeadline ?? startDate,
            legalDeadline: schedules.map(\.legalDeadline).max(by: Self.earlier) ?? startDate,
            criticalPath: path)
    }

    private static func earlier(_ a: CalendarDate, _ b: CalendarDate) -> Bool {
        a.date < b.date || (a.date == b.date && !a.provisional && b.provisional)
    }
}
