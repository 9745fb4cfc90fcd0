import Foundation
import KioskCore
import KioskSeal
import KioskSyncAPI
import Testing

@testable import KioskPlatform

@Suite("The workbench opens the sealed application for the department")
struct WorkbenchApplicationTests {
    @Test("An item that waited for shared data at the kiosk is listed with the field it waits for")
    func waitingItemListed() async throws {
        let platform = try await PlatformRig.start()
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let keys = NSTemporaryDirectory() + "workbench-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let authority = try PlatformAuthority(folder: keys, serverNames: ["127.0.0.1"])
        let caseID = CaseID(at: Date()).description
        let application = SealedApplication(
            values: ["enterprise.name": SessionFieldValue(value: "新乡县测试运输有限公司", source: .citizen)], materials: [:],
            sharedDataWaits: [SharedDataWait(item: "road_transport_certificate", fields: ["vehicle.vin"])])
        let sealed = try authority.sealingKeyring().current.seal(JSONEncoder().encode(application), context: caseID)
        let upload = PlatformRig.upload(caseID: caseID, bundle: "transport-company", sealed: Array(sealed))
        _ = try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok
        let workbench = Workbench(
            storage: platform.storage, departments: platform.departments, catalog: PlatformRig.catalog, timeZone: PlatformRig.zone,
            authority: authority)
        let page = try #require(try await workbench.casePage(caseID))
        #expect(page.contains("新乡县测试运输有限公司"), "the application opened: \(page.suffix(1500))")
        #expect(
            page.contains("<li data-waiting-item=\"road_transport_certificate\">普通道路货物运输车辆《道路运输证》办理：待共享数据（车辆识别代号）到位后继续办理</li>"),
            "\(page.suffix(1500))")
    }
}
