import Foundation
import KioskCore

/// The reform's four measures on live cases, per bundle, beside what the catalog promised, and
/// the 好差评 figures per bundle and per kiosk (主动评价率: visits rated; 好评率: ratings of
/// 满意 or better), as the county's 效果评估 asks for them.
public struct KPIReport: Sendable, Hashable, Codable {
    public struct Bundle: Sendable, Hashable, Codable {
        public var bundle: String
        public var name: String
        public var cases: Int
        /// Share of the form's fields that arrived filled (card, shared data, earlier cases); live and the catalog's.
        public var autoFilledFields: Double?
        public var catalogAutoFilledFields: Double
        /// 1 − materials the citizen brought ÷ materials asked one by one; live and the catalog's.
        public var materialReduction: Double?
        public var catalogMaterialReduction: Double
        /// 1 − working days from 收件 to the last 办结 ÷ one by one at legal limits; over finished cases.
        public var timeReduction: Double?
        public var catalogTimeReduction: Double
        public var finishedCases: Int
        /// Mean working days from 收件 to the last 办结.
        public var meanWorkingDays: Double?
        /// Steps: the catalog's measure (the kiosk does not count steps the way it is defined).
        public var catalogStepReduction: Double
        public var rating: Rating
    }

    public struct Rating: Sendable, Hashable, Codable {
        public var visits: Int
        public var rated: Int
        public var good: Int
        /// 主动评价率.
        public var ratedShare: Double? { visits == 0 ? nil : Double(rated) / Double(visits) }
        /// 好评率.
        public var goodShare: Double? { rated == 0 ? nil : Double(good) / Double(rated) }
    }

    public var since: Date?
    public var bundles: [Bundle]
    /// 好差评 per kiosk, by name.
    public var kiosks: [String: Rating]

    /// Aggregates `facts` against the catalog's one-by-one baselines, counting days on `calendar`.
    public static func make(
        _ facts: [CaseFacts], catalog: Catalog, calendar: WorkingDayCalendar?, timeZone: TimeZone, since: Date?
    ) -> KPIReport {
        var kiosks: [String: Rating] = [:]
        for fact in facts {
            kiosks[fact.kioskName, default: Rating(visits: 0, rated: 0, good: 0)].add(fact.rating)
        }
        let byBundle = Dictionary(grouping: facts, by: \.bundle)
        let bundles = byBundle.keys.sorted().compactMap { id -> Bundle? in
            guard let definition = catalog.bundle(id), let blueprint = try? BundleBlueprint(bundle: definition, catalog: catalog) else {
                return nil
            }
            let cases = byBundle[id] ?? []
            let estimate = BundleKPI(blueprint)
            var rating = Rating(visits: 0, rated: 0, good: 0)
            for fact in cases { rating.add(fact.rating) }
            let counts = cases.compactMap(\.prefill)
            let automatic = counts.reduce(0) { $0 + $1.idCard + $1.sharedData + $1.earlierApplication }
            let all = counts.reduce(0) { $0 + $1.idCard + $1.sharedData + $1.earlierApplication + $1.citizen }
            let brought = cases.map { fact in fact.materials.values.filter { $0 != "electronic" }.count }
            let meanBrought = brought.isEmpty ? nil : Double(brought.reduce(0, +)) / Double(brought.count)
            let days: [Int] = cases.compactMap { fact in
                guard let finished = fact.finishedAt, let calendar else { return nil }
                let start = CivilDate(fact.receivedAt, in: timeZone)
                let end = CivilDate(finished, in: timeZone)
                return end > start ? calendar.workingDays(after: start, through: end) : 0
            }
            let meanDays = days.isEmpty ? nil : Double(days.reduce(0, +)) / Double(days.count)
            return Bundle(
                bundle: id, name: definition.name, cases: cases.count,
                autoFilledFields: all == 0 ? nil : Double(automatic) / Double(all), catalogAutoFilledFields: estimate.autoFilledFields,
                materialReduction: meanBrought.map { estimate.separateMaterials == 0 ? 0 : 1 - $0 / Double(estimate.separateMaterials) },
                catalogMaterialReduction: estimate.materialReduction,
                timeReduction: meanDays.map { estimate.separateDays == 0 ? 0 : 1 - $0 / Double(estimate.separateDays) },
                catalogTimeReduction: estimate.timeReduction, finishedCases: days.count, meanWorkingDays: meanDays,
                catalogStepReduction: estimate.stepReduction, rating: rating)
        }
        return KPIReport(since: since, bundles: bundles, kiosks: kiosks)
    }
}

extension KPIReport.Rating {
    /// 满意 (4) and 非常满意 (5) are good ratings.
    mutating func add(_ level: Int?) {
        visits += 1
        guard let level else { return }
        rated += 1
        if level >= 4 { good += 1 }
    }
}
