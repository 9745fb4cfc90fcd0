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
        var open = newborn.items
        while !open.isEmpty {
            let ready = open.filter { item in item.dependsOn.allSatisfy { need in !open.contains { $0.id == need } } }
            try #require(!ready.isEmpty)
            for item in ready {
                for stage in [ItemState.accepted, .inReview, .approved] {
                    _ = try await platform.departments.advance(caseID: satisfied.caseID, item: item.id, to: stage, actor: "窗口")
                }
            }
            open.removeAll { item in ready.contains { $0.id == item.id } }
        }

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
}
