import Foundation
import KioskCore

/// The reform's four measures on live cases, per bundle and per situation, beside what the
/// catalog promised, and the 好差评 figures per bundle and per kiosk (主动评价率: visits rated;
/// 好评率: ratings of 满意 or better), as the county's 效果评估 asks for them.
///
/// Each case is measured against its own one-by-one baseline: the items its situation applied
/// for, each handled alone. A 正常退休 case is not credited with the early-retirement approvals
/// it never needed.
public struct KPIReport: Sendable, Hashable, Codable {
    @dynamicMemberLookup
    public struct Bundle: Sendable, Hashable, Codable {
        public var bundle: String
        public var name: String
        /// Over every case of the bundle; the catalog's figures are the common situation's.
        public var measures: Measures
        public var rating: Rating
        /// The same measures per situation (the set of items applied for), most cases first.
        public var situations: [Situation]

        public subscript<T>(dynamicMember path: KeyPath<Measures, T>) -> T { measures[keyPath: path] }
    }

    /// Cases of one bundle that applied for the same items: one situation as the platform sees it.
    /// The catalog's figures are those of a situation the questions can give for these items,
    /// the common one where it applies for them.
    @dynamicMemberLookup
    public struct Situation: Sendable, Hashable, Codable {
        /// The items, in catalog order.
        public var items: [String]
        /// Their names, for the reader.
        public var itemNames: [String]
        /// Whether these are the items of the bundle's most common situation.
        public var common: Bool
        public var measures: Measures

        public subscript<T>(dynamicMember path: KeyPath<Measures, T>) -> T { measures[keyPath: path] }
    }

    /// The four measures over some cases, live, beside the catalog's for their items.
    public struct Measures: Sendable, Hashable, Codable {
        public var cases: Int
        /// Share of the form's fields that arrived filled (card, shared data, earlier cases); live and the catalog's.
        public var autoFilledFields: Double?
        public var catalogAutoFilledFields: Double
        /// 1 − materials the citizen brought ÷ materials asked one by one for the same items; live and the catalog's.
        public var materialReduction: Double?
        public var catalogMaterialReduction: Double
        /// 1 − working days from 收件 to the last 办结 ÷ the same items one by one at legal limits; over finished cases.
        public var timeReduction: Double?
        public var catalogTimeReduction: Double
        public var finishedCases: Int
        /// Mean working days from 收件 to the last 办结.
        public var meanWorkingDays: Double?
        /// Steps: the catalog's measure (the kiosk does not count steps the way it is defined).
        public var catalogStepReduction: Double
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
            guard let definition = catalog.bundle(id),
                let common = try? BundleBlueprint(bundle: definition, catalog: catalog, situation: definition.commonSituation),
                let estimates = Estimates(definition, catalog: catalog)
            else { return nil }
            let cases = byBundle[id] ?? []
            let commonItems = common.bundle.items.map(\.id)
            var rating = Rating(visits: 0, rated: 0, good: 0)
            for fact in cases { rating.add(fact.rating) }
            let measure = { (cases: [CaseFacts], items: [String]) in
                Measures(cases, catalog: estimates.kpi(for: items), estimates: estimates, calendar: calendar, timeZone: timeZone)
            }
            let situations = Dictionary(grouping: cases) { estimates.applied($0.items) }
                .map { items, cases in
                    Situation(
                        items: items, itemNames: items.compactMap { definition.item($0)?.name }, common: items == commonItems,
                        measures: measure(cases, items))
                }
                .sorted { a, b in
                    // Most cases first, the common situation before an equal one, fewer items first.
                    let (x, y) = ((a.cases, a.common ? 1 : 0, b.items.count), (b.cases, b.common ? 1 : 0, a.items.count))
                    return x != y ? x > y : a.items.lexicographicallyPrecedes(b.items)
                }
            return Bundle(
                bundle: id, name: definition.name, measures: measure(cases, commonItems), rating: rating, situations: situations)
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
