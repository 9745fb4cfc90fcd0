import Foundation
import KioskCore
import KioskPlatform
import KioskSyncAPI
import Testing

@Suite("The reform's measures on live cases, and 好差评 per bundle and per kiosk", .timeLimit(.minutes(2)))
struct KPIReportTests {
    @Test(
        "Prefilled share, materials, working days to the last 办结, 主动评价率 and 好评率 come from what was delivered",
        arguments: StorageKind.available)
    func report(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, first) = try await platform.kiosk("KIOSK-A")
        let (_, second) = try await platform.kiosk("KIOSK-B")
        let satisfied = PlatformRig.upload(rating: 5)
        let silent = PlatformRig.upload()
        let unhappy = PlatformRig.upload(rating: 2)
        _ = try await first.submitCases(body: .json(.init(cases: [satisfied, silent]))).ok
        _ = try await second.submitCases(body: .json(.init(cases: [unhappy]))).ok

        // Every item of one case decided, dependencies first.
        let newborn = try #require(PlatformRig.catalog.bundle("newborn"))
        try await Self.decide(newborn.items, of: satisfied.caseID, on: platform)

        let facts = try await platform.storage.caseFacts(since: nil)
        #expect(facts.count == 3)
        let report = KPIReport.make(
            facts, catalog: PlatformRig.catalog, calendar: PlatformRig.calendar, timeZone: PlatformRig.zone, since: nil)
        let bundle = try #require(report.bundles.first { $0.bundle == "newborn" })
        #expect(bundle.cases == 3)
        // Each upload: 6 from the card + 4 shared + 0 earlier of 13 fields.
        #expect(abs((bundle.autoFilledFields ?? 0) - 10.0 / 13.0) < 1e-9)
        #expect(bundle.finishedCases == 1)
        #expect(bundle.meanWorkingDays == 0)  // all decided the day it arrived
        #expect(bundle.timeReduction == 1)
        #expect(bundle.materialReduction != nil)
        #expect(bundle.rating.visits == 3 && bundle.rating.rated == 2 && bundle.rating.good == 1)
        #expect(abs((bundle.rating.ratedShare ?? 0) - 2.0 / 3.0) < 1e-9)
        #expect(bundle.rating.goodShare == 0.5)
        #expect(report.kiosks["KIOSK-A"]?.ratedShare == 0.5 && report.kiosks["KIOSK-A"]?.goodShare == 1)
        #expect(report.kiosks["KIOSK-B"]?.ratedShare == 1 && report.kiosks["KIOSK-B"]?.goodShare == 0)
        // The 差评 delivered with its case opened a follow-up for the lead department.
        let followUps = try await platform.storage.followUps()
        #expect(followUps.map(\.caseID) == [unhappy.caseID])
        #expect(followUps.first?.department == newborn.leadDepartment && followUps.first?.closedAt == nil)
        // Since tomorrow: nothing.
        #expect(try await platform.storage.caseFacts(since: Date().addingTimeInterval(86_400)).isEmpty)
    }

    @Test(
        "A case opens work for the items its situation applied for only: it finishes when they are decided, and is measured against them",
        arguments: StorageKind.available)
    func situations(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-A")
        let catalog = PlatformRig.catalog
        let enrolment = try #require(catalog.bundle("school-enrolment"))
        // 本地户籍, 自有住房: no 居住证. 持居住证, 租房: no 户籍证明, no 不动产权证书.
        let common = try BundleBlueprint(bundle: enrolment, catalog: catalog, situation: enrolment.commonSituation)
        let renting = try BundleBlueprint(bundle: enrolment, catalog: catalog, situation: ["hukou": "permit", "housing": "rented"])
        #expect(!common.bundle.items.contains { $0.id == "residence_permit" })
        let every = try BundleBlueprint(bundle: enrolment, catalog: catalog)
        // As a kiosk sends it: the situation's items and its materials, fetched electronically
        // but for the ID card, owed at the window (its 电子证照 could not be fetched).
        func upload(_ blueprint: BundleBlueprint?) -> Components.Schemas.CaseUpload {
            var upload = PlatformRig.upload(bundle: "school-enrolment")
            upload.items = blueprint.map { $0.bundle.items.map(\.id) }
            upload.materials = .init(
                additionalProperties: Dictionary(
                    uniqueKeysWithValues: (blueprint ?? every).materials.map {
                        (
                            $0.definition.id,
                            $0.disposition == .obtainedElectronically && $0.definition.id != "id_card" ? .electronic : .window
                        )
                    }))
            return upload
        }
        let local = upload(common)
        let tenant = upload(renting)
        let older = upload(nil)  // a kiosk from before situations: every item
        var unknown = upload(common)
        unknown.items = ["enrolment_information", "driving_licence"]
        // No situation leaves out the insurance record 新生入学信息采集 needs.
        var early = upload(common)
        early.items = ["enrolment_information", "hukou_proof", "property_certificate"]
        let answer = try await kiosk.submitCases(body: .json(.init(cases: [local, tenant, older, unknown, early]))).ok.body.json
        #expect(answer.outcomes.map(\.status) == [.stored, .stored, .stored, .rejected, .rejected])
        #expect(answer.outcomes[3].message?.contains("'driving_licence'") == true)
        #expect(answer.outcomes[4].message == "item 'enrolment_information' needs 'insurance_record', which the case does not apply for")
        // The items are part of the content: a replay is the same case, other items are not.
        var changed = local
        changed.items = renting.bundle.items.map(\.id)
        let replay = try await kiosk.submitCases(body: .json(.init(cases: [local, changed]))).ok.body.json
        #expect(replay.outcomes.map(\.status) == [.stored, .conflict])

        let cases = try await platform.storage.cases()
        let work = try #require(cases.first { $0.caseID == local.caseID }).items.map(\.id)
        #expect(Set(work) == Set(common.bundle.items.map(\.id)))
        #expect(try #require(cases.first { $0.caseID == older.caseID }).items.count == enrolment.items.count)

        // 新生入学信息采集 needs the results of the items applied for only: without a 居住证
        // item to wait for, it is decided once they are, and the case is finished.
        try await Self.decide(common.bundle.items, of: local.caseID, on: platform)

        let report = KPIReport.make(
            try await platform.storage.caseFacts(since: nil), catalog: catalog, calendar: PlatformRig.calendar,
            timeZone: PlatformRig.zone, since: nil)
        let bundle = try #require(report.bundles.first { $0.bundle == "school-enrolment" })
        #expect(bundle.cases == 3 && bundle.finishedCases == 1)
        #expect(bundle.situations.count == 3)
        let commonKPI = BundleKPI(common)
        let situation = try #require(bundle.situations.first { $0.common })
        #expect(situation.cases == 1 && situation.finishedCases == 1)
        #expect(situation.items == common.bundle.items.map(\.id))
        #expect(situation.itemNames.contains("新生入学信息采集") && !situation.itemNames.contains("居住证"))
        // What was brought against what the common items would each ask for alone, not the
        // whole bundle's lists.
        let asked = Set(common.materials.map(\.definition.id))
        let brought = common.materials.filter { $0.disposition != .obtainedElectronically || $0.definition.id == "id_card" }.count
        let alone = common.bundle.items.reduce(0) { $0 + $1.materials.filter(asked.contains).count }
        #expect(brought > 0 && alone < BundleKPI(every).separateMaterials)
        #expect(abs((situation.materialReduction ?? 0) - (1 - Double(brought) / Double(alone))) < 1e-9)
        #expect(situation.catalogMaterialReduction == commonKPI.materialReduction)
        #expect(bundle.catalogMaterialReduction == commonKPI.materialReduction)
        #expect(situation.timeReduction == 1)  // decided the day it arrived
        let tenantSituation = try #require(bundle.situations.first { $0.items == renting.bundle.items.map(\.id) })
        #expect(tenantSituation.cases == 1 && !tenantSituation.common && tenantSituation.finishedCases == 0)
        #expect(tenantSituation.catalogMaterialReduction == BundleKPI(renting).materialReduction)
        // What the county reads: each situation on its own lines, named by its items.
        let text = report.text
        let commonLine = "    1 case(s), the common situation: " + situation.itemNames.joined(separator: "、")
        #expect(text.contains(commonLine), "\(text)")
        #expect(text.contains("    1 case(s): " + tenantSituation.itemNames.joined(separator: "、")), "\(text)")
        #expect(text.contains(String(format: "fewer materials %.1f%%", (situation.materialReduction ?? 0) * 100)), "\(text)")
        #expect(text.contains("less time - (") && text.contains("0 finished"), "a situation with no finished case has no time figure")
    }

    /// Decides `items` of a case (受理, 审核, 办结), each once the items it needs are decided.
    static func decide(_ items: [ServiceItem], of caseID: String, on platform: PlatformRig) async throws {
        var open = items
        while !open.isEmpty {
            let ready = open.filter { item in item.dependsOn.allSatisfy { need in !open.contains { $0.id == need } } }
            try #require(!ready.isEmpty)
            for item in ready {
                for stage in [ItemState.accepted, .inReview, .approved] {
                    _ = try await platform.departments.advance(caseID: caseID, item: item.id, to: stage, actor: "窗口")
                }
            }
            open.removeAll { item in ready.contains { $0.id == item.id } }
        }
    }
}
