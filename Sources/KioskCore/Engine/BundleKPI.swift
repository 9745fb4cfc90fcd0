/// How much a bundle saves an applicant compared with handling its items one by one, measured
/// on the catalog definition alone (not on live cases), against the targets of the
/// "高效办成一件事" reform. Each measure is a fraction between 0 and 1.
public struct BundleKPI: Sendable, Hashable, Codable {
    /// Targets the reform sets.
    public enum Target {
        /// At least half of the form's fields fill themselves.
        public static let autoFilledFields = 0.5
        /// At least 60% fewer materials.
        public static let materialReduction = 0.6
        /// At least 70% less time.
        public static let timeReduction = 0.7
        /// At least 80% fewer steps.
        public static let stepReduction = 0.8
    }

    /// Applicant-facing steps of a bundle at the kiosk: one application (one form, one set of
    /// materials) and one collection of the results (统一出件).
    public static let bundleSteps = 2

    /// Steps of the bundle as this kiosk runs it: `bundleSteps`, and one more visit to the window
    /// when physical materials must follow because the kiosk cannot take them.
    public var kioskSteps: Int

    /// The bundle measured.
    public var bundle: BundleID

    /// Fields of the single form whose best source is the ID card, earlier applications or
    /// shared data, divided by all fields of the single form (each field counted once).
    public var autoFilledFields: Double

    /// 1 − (materials the applicant hands in for the bundle: distinct, not obtained
    /// electronically) ÷ (materials asked for one by one: the sum over items of each item's
    /// material list, where every office asks for its own copy of everything on it).
    public var materialReduction: Double

    /// 1 − (the bundle's promised critical path: the longest chain of dependent items, each
    /// taking its promised limit, items in parallel where independent) ÷ (one by one: the sum
    /// of every item's legal limit, since the applicant carries each result to the next office).
    /// Both in working-day equivalents (natural days × 5⁄7, rounded up), so that the measure
    /// does not depend on the start date.
    public var timeReduction: Double

    /// 1 − `kioskSteps` ÷ (the sum over items of the steps each needs when handled alone,
    /// `steps_alone` in the catalog, 4 by default: consult, apply, be accepted, collect).
    public var stepReduction: Double

    /// Raw counts behind the measures, for the report.
    public var formFields: Int
    /// Form fields that fill themselves.
    public var automaticFields: Int
    /// Materials handed in for the bundle.
    public var bundleMaterials: Int
    /// Materials asked for one by one.
    public var separateMaterials: Int
    /// Working days of the bundle's promised critical path.
    public var bundleDays: Int
    /// Working days one by one at the legal limits.
    public var separateDays: Int
    /// Steps one by one.
    public var separateSteps: Int

    /// Whether every measure meets its target.
    public var passes: Bool {
        autoFilledFields >= Target.autoFilledFields && materialReduction >= Target.materialReduction
            && timeReduction >= Target.timeReduction && stepReduction >= Target.stepReduction
    }

    /// Measures `blueprint` (compiled for a situation: the one measured). `materialCapture`
    /// says whether the kiosk takes physical materials itself (a scanner, camera or deposit
    /// box); without one, handing them in is a step of its own, and the measure says so.
    public init(_ blueprint: BundleBlueprint, materialCapture: Bool = false) {
        let items = blueprint.bundle.items
        bundle = blueprint.bundle.id
        formFields = blueprint.form.count
        automaticFields = blueprint.form.filter { $0.source.isAutomatic }.count
        bundleMaterials = blueprint.materialsToSubmit.count
        kioskSteps = Self.bundleSteps + (bundleMaterials > 0 && !materialCapture ? 1 : 0)
        separateMaterials = items.reduce(0) { $0 + $1.materials.count }
        separateDays = items.reduce(0) { $0 + $1.legalLimit.workingDayEquivalent }
        separateSteps = items.reduce(0) { $0 + $1.stepsAlone }
        var finish: [ItemID: Int] = [:]
        for stage in blueprint.plan.stages {
            for id in stage {
                guard let item = blueprint.bundle.item(id) else { continue }
                let begin = item.dependsOn.compactMap { finish[$0] }.max() ?? 0
                finish[id] = begin + item.promisedLimit.workingDayEquivalent
            }
        }
        bundleDays = finish.values.max() ?? 0
        autoFilledFields = Self.ratio(automaticFields, formFields)
        materialReduction = separateMaterials == 0 ? 0 : 1 - Self.ratio(bundleMaterials, separateMaterials)
        timeReduction = separateDays == 0 ? 0 : 1 - Self.ratio(bundleDays, separateDays)
        stepReduction = separateSteps == 0 ? 0 : 1 - Self.ratio(kioskSteps, separateSteps)
    }

    private static func ratio(_ part: Int, _ whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }
}
