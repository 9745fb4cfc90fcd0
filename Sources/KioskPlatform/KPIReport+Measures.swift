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

        /// Materials the case's items would each ask for alone, counting only the materials the
        /// case itself was asked for (its situation left the others out, a guardian's proof
        /// in); a case that lists none is counted on its items' catalogue lists.
        func separateMaterials(of fact: CaseFacts) -> Int {
            let items = Set(applied(fact.items))
            guard !fact.materials.isEmpty else { return kpi(for: applied(fact.items)).separateMaterials }
            return bundle.items.filter { items.contains($0.id) }.reduce(0) { total, item in
                total + item.materials.filter { fact.materials[$0] != nil }.count
            }
        }

        /// The measures for `items`; a set no situation gives (a kiosk on another catalog
        /// version) is measured on those items alone.
        func kpi(for items: [String]) -> BundleKPI {
            if let known = byItems[items] { return known }
            return (try? BundleBlueprint(bundle: bundle.applying(Set(items)), catalog: catalog)).map { BundleKPI($0) } ?? whole
        }
    }

}

extension KPIReport.Measures {
    /// Measures `cases` of one bundle live, each against its own items one by one, beside
    /// `catalog`: the catalog's measures for the situation they stand for.
    init(
        _ cases: [CaseFacts], catalog: BundleKPI, estimates: KPIReport.Estimates, calendar: WorkingDayCalendar?, timeZone: TimeZone
    ) {
        let counts = cases.compactMap(\.prefill)
        let automatic = counts.reduce(0) { $0 + $1.idCard + $1.sharedData + $1.earlierApplication }
        let all = counts.reduce(0) { $0 + $1.idCard + $1.sharedData + $1.earlierApplication + $1.citizen }
        var brought = 0
        var separateMaterials = 0
        var days = 0
        var separateDays = 0
        var finished = 0
        for fact in cases {
            let baseline = estimates.kpi(for: estimates.applied(fact.items))
            brought += fact.materials.values.filter { $0 != "electronic" }.count
            separateMaterials += estimates.separateMaterials(of: fact)
            guard let end = fact.finishedAt, let calendar else { continue }
            let first = CivilDate(fact.receivedAt, in: timeZone)
            let last = CivilDate(end, in: timeZone)
            days += last > first ? calendar.workingDays(after: first, through: last) : 0
            separateDays += baseline.separateDays
            finished += 1
        }
        self.init(
            cases: cases.count, autoFilledFields: all == 0 ? nil : Double(automatic) / Double(all),
            catalogAutoFilledFields: catalog.autoFilledFields,
            materialReduction: separateMaterials == 0 ? nil : 1 - Double(brought) / Double(separateMaterials),
            catalogMaterialReduction: catalog.materialReduction,
            timeReduction: finished == 0 ? nil : separateDays == 0 ? 0 : 1 - Double(days) / Double(separateDays),
            catalogTimeReduction: catalog.timeReduction, finishedCases: finished,
            meanWorkingDays: finished == 0 ? nil : Double(days) / Double(finished), catalogStepReduction: catalog.stepReduction)
    }
}
