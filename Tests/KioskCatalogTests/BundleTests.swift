import KioskCatalog
import KioskCore
import KioskFiles
import Testing

@Suite("County bundles")
struct BundleTests {
    static let loaded = CatalogLoader.load(directory: Paths.catalog)

    static func blueprint(_ id: String) throws -> BundleBlueprint {
        try loaded.blueprint(id)
    }

    static func date(_ text: String) throws -> CivilDate { try #require(CivilDate(iso: text)) }

    @Test("新生儿出生: one form, one set of materials, stages after the birth certificate")
    func newborn() throws {
        let blueprint = try Self.blueprint("newborn")
        #expect(blueprint.bundle.name == "新生儿出生“一件事”")
        let keys = blueprint.form.map(\.definition.key)
        #expect(keys.count == Set(keys).count, "a field is asked twice")
        let name = try #require(blueprint.form.first { $0.definition.key == "applicant.name" })
        #expect(name.items.count == 7)
        #expect(name.source == .idCard)
        #expect(blueprint.form.first { $0.definition.key == "newborn.birth_date" }?.source == .sharedData)
        #expect(blueprint.form.first { $0.definition.key == "newborn.name" }?.source == .citizen)
        // The birth certificate is issued inside the bundle and shared: it is never asked for.
        let certificate = try #require(blueprint.materials.first { $0.definition.id == "birth_medical_certificate" })
        #expect(certificate.disposition == .obtainedElectronically)
        #expect(certificate.items == ["birth_registration", "maternity_reimbursement", "medical_insurance_enrolment"])
        #expect(blueprint.materialsToSubmit.map(\.definition.id) == ["photo", "delivery_invoice", "bank_card"])
        #expect(
            blueprint.plan.stages == [
                ["birth_certificate", "vaccination_certificate", "parenting_guidance"],
                ["birth_registration", "maternity_reimbursement"],
                ["social_security_card", "medical_insurance_enrolment"],
            ])
        let notice = blueprint.notice(have: ["photo"])
        #expect(notice.missingRequired.map(\.definition.id) == ["bank_card"])
        #expect(notice.missingDeferrable.map(\.definition.id) == ["delivery_invoice"])
        let kpi = BundleKPI(blueprint)
        #expect(kpi.separateMaterials == 20 && kpi.bundleMaterials == 3)
    }

    @Test("退休: eligibility waits for the household check; deadlines run across National Day")
    func retirement() throws {
        let blueprint = try Self.blueprint("retirement")
        #expect(
            blueprint.plan.stages == [
                ["deemed_contribution", "special_job_early_retirement", "disability_early_retirement", "hukou_confirmation"],
                ["pension_eligibility"],
                ["pension_award", "medical_deemed_contribution", "housing_fund_withdrawal", "only_child_reward"],
            ])
        #expect(blueprint.materialsToSubmit.map(\.definition.id) == ["personnel_file", "special_job_proof", "bank_card"])
        #expect(
            blueprint.form.first { $0.definition.key == "applicant.insurance_number" }?.items == [
                "pension_eligibility", "deemed_contribution", "pension_award", "medical_deemed_contribution",
            ])
        let calendar = try CalendarLoader.load(directory: Paths.calendar)
        let schedule = blueprint.schedule(from: try Self.date("2025-09-26"), calendar: calendar)
        let byItem = Dictionary(uniqueKeysWithValues: schedule.items.map { ($0.item, $0) })
        // 1 working day: Sunday 28 September is worked.
        #expect(byItem["hukou_confirmation"]?.promisedDeadline.date == (try Self.date("2025-09-28")))
        // 5 more: 29, 30 Sep, then 9, 10 and Saturday 11 Oct (1–8 Oct off).
        #expect(byItem["pension_eligibility"]?.promisedDeadline.date == (try Self.date("2025-10-11")))
        #expect(byItem["pension_award"]?.starts.date == (try Self.date("2025-10-16")))
        #expect(schedule.promisedDeadline.date == (try Self.date("2025-10-24")))
        #expect(schedule.criticalPath == ["hukou_confirmation", "pension_eligibility", "only_child_reward"])
        #expect(!schedule.provisional)
        let late = blueprint.schedule(from: try Self.date("2026-12-01"), calendar: calendar)
        #expect(late.provisional)
    }

    @Test("退休 for an ordinary retirement: only the selected items and what they need")
    func retirementSelection() throws {
        let blueprint = try Self.loaded.blueprint("retirement", selecting: ["pension_award", "housing_fund_withdrawal"])
        #expect(
            blueprint.plan.stages == [
                ["deemed_contribution", "hukou_confirmation"], ["pension_eligibility"], ["pension_award", "housing_fund_withdrawal"],
            ])
        // Early-retirement proofs are no longer asked for.
        #expect(blueprint.materialsToSubmit.map(\.definition.id) == ["personnel_file", "bank_card"])
        #expect(throws: CatalogLoadError.self) { try Self.loaded.blueprint("retirement", selecting: ["pension"]) }
        #expect(throws: CatalogLoadError.self) { try Self.loaded.blueprint("retirement", selecting: []) }
    }

    @Test("开办餐饮店: materials shared by three departments are collected once")
    func restaurant() throws {
        let blueprint = try Self.blueprint("restaurant")
        let premises = try #require(blueprint.materials.first { $0.definition.id == "premises_certificate" })
        #expect(premises.items == ["food_business_licence", "signboard", "fire_inspection"])
        #expect(premises.disposition == .required)
        #expect(blueprint.materials.first { $0.definition.id == "business_licence" }?.disposition == .obtainedElectronically)
        #expect(
            blueprint.materialsToSubmit.map(\.definition.id) == [
                "premises_certificate", "food_safety_rules", "kitchen_layout", "signboard_design", "fire_commitment",
            ])
        #expect(blueprint.form.first { $0.definition.key == "legal_rep.name" }?.source == .idCard)
        #expect(blueprint.form.first { $0.definition.key == "enterprise.address" }?.items.count == 4)
        #expect(blueprint.plan.stages == [["business_licence_check", "signboard", "fire_inspection"], ["food_business_licence"]])
        let notice = blueprint.notice(have: ["premises_certificate", "signboard_design", "fire_commitment"])
        #expect(notice.canBeReceived && notice.needsPledge)
        #expect(notice.originalsToShow.map(\.definition.id) == ["premises_certificate"])
    }

    @Test(
        "every bundle of the county list compiles, with the seed's items and lead department",
        arguments: [
            ("enterprise-change", 6, "县市场监管局"), ("transport-company", 3, "县交通运输局"), ("restaurant", 4, "县市场监管局"),
            ("utility-connection", 5, "县住房建设和城市管理局"), ("credit-repair", 4, "县发改委"),
            ("listing-compliance-check", 18, "县发改委、行政审批和政务信息管理局"), ("bankruptcy-check", 10, "县行政审批和政务信息管理局"),
            ("enterprise-deregistration", 6, "县市场监管局"), ("newborn", 7, "县卫健委"), ("school-enrolment", 5, "县教体局"),
            ("social-security-card-services", 4, "县人社局"), ("disability-services", 5, "县残联"), ("retirement", 9, "县人社局"),
            ("enterprise-relocation", 8, "县市场监管局"), ("enterprise-reporting", 7, "县市场监管局"),
            ("oversize-transport", 3, "县交通运输局"), ("medical-reimbursement", 4, "县医保局"),
            ("housing-fund-loan", 8, "县不动产登记和交易中心、新乡市住房公积金管理中心新乡县管理部"),
            ("public-rental-housing", 8, "县住房建设和城市管理局"), ("veterans", 11, "县退役军人事务局"), ("study-abroad", 8, "县教体局"),
        ])
    func countyList(id: String, items: Int, lead: String) throws {
        let blueprint = try Self.blueprint(id)
        #expect(blueprint.bundle.items.count == items)
        #expect(blueprint.bundle.leadDepartment == lead)
        #expect(blueprint.bundle.illustrative.contains("materials"))
        #expect(blueprint.plan.stages.flatMap { $0 }.count == items)
    }
}
