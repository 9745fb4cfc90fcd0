import Foundation
import KioskCore

extension KPIReport {
    /// The catalog's measures of one bundle for each set of items its situations apply for.
    struct Estimates {
        let bundle: ServiceBundle
        let catalog: Catalog
        /// Item set (catalog order) → the measures of the situation chosen for it.
        private var byItems: [[String]: BundleKPI] = [:]
        /// Every item: the measure of a case recorded without its items.
        private let whole: BundleKPI

        /// Nil when the bundle does not compile against `catalog`.
        init?(_ bundle: ServiceBundle, catalog: Catalog) {
            guard let all = try? BundleBlueprint(bundle: bundle, catalog: catalog) else { return nil }
            self.bundle = bundle
            self.catalog = catalog
            whole = BundleKPI(all)
            // The common situation first, so that its figures stand for its items.
            for situation in [bundle.commonSituation] + bundle.allSituations {
                guard let blueprint = try? BundleBlueprint(bundle: bundle, catalog: catalog, situation: situation) else { continue }
                let items = blueprint.bundle.items.map(\.id)
                if byItems[items] == nil { byItems[items] = BundleKPI(blueprint) }
            }
        }

        /// A case's applied items in catalog order; none recorded means every item.
        func applied(_ items: [String]) -> [String] {
            let set = Set(items)
            return set.isEmpty ? bundle.items.map(\.id) : bundle.items.map(\.id).filter(set.contains)
        }

        /// The measures for `items`; a set no situation gives (a kiosk on another catalog
        /// version) is measured on those items alone.
        func kpi(for items: [String]) -> BundleKPI {
            if let known = byItems[items] { return known }
            return (try? BundleBlueprint(bundle: bundle.applying(Set(items)), catalog: catalog)).map { BundleKPI($0) } ?? whole
        }
    }

    /// Live measures over some cases of one bundle, each against its own items one by one.
    struct Measured {
        var autoFilledFields: Double?
        var materialReduction: Double?
        var timeReduction: Double?
        var finishedCases = 0
        var meanWorkingDays: Double?

        init(_ cases: [CaseFacts], estimates: Estimates, calendar: WorkingDayCalendar?, timeZone: TimeZone) {
            let counts = cases.compactMap(\.prefill)
            let automatic = counts.reduce(0) { $0 + $1.idCard + $1.sharedData + $1.earlierApplication }
            let all = counts.reduce(0) { $0 + $1.idCard + $1.sharedData + $1.earlierApplication + $1.citizen }
            autoFilledFields = all == 0 ? nil : Double(automatic) / Double(all)
            var brought = 0
            var separateMaterials = 0
            var days = 0
            var separateDays = 0
            for fact in cases {
                let baseline = estimates.kpi(for: estimates.applied(fact.items))
                brought += fact.materials.values.filter { $0 != "electronic" }.count
                separateMaterials += baseline.separateMaterials
                guard let finished = fact.finishedAt, let calendar else { continue }
                let start = CivilDate(fact.receivedAt, in: timeZone)
                let end = CivilDate(finished, in: timeZone)
                days += end > start ? calendar.workingDays(after: start, through: end) : 0
                separateDays += baseline.separateDays
                finishedCases += 1
            }
            if !cases.isEmpty { materialReduction = separateMaterials == 0 ? 0 : 1 - Double(brought) / Double(separateMaterials) }
            if finishedCases > 0 {
                timeReduction = separateDays == 0 ? 0 : 1 - Double(days) / Double(separateDays)
                meanWorkingDays = Double(days) / Double(finishedCases)
            }
        }
    }
}
