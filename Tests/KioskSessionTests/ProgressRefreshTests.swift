import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskSession
import KioskStore
import Testing

@Suite("Check my progress follows the platform while the citizen looks")
struct ProgressRefreshTests {
    @Test(
        "A stage and a result reported during the visit appear on the open progress screen, without another tap",
        .timeLimit(.minutes(1)))
    func reportedDuringTheVisit() async throws {
        let rig = try SessionRig()
        let token = try await rig.visitToReview()
        let submitted = try await rig.controller.perform(.submit, token: token)
        let receipt = try #require(submitted.receipt?.number)
        _ = try await rig.controller.perform(.finishReceipt, token: token)
        let caseID = try #require(try await rig.store.pendingCases(limit: 1).first?.caseID)

        // The citizen comes back to check: the case shows as received, no result.
        let visit = try #require(try await rig.controller.start(bundle: nil, token: token).token)
        _ = try await rig.expectChange("progress") { rig.bus.publish(IDCardRead(device: "idcard", card: SessionRig.card)) }
        var item = try #require(try await rig.controller.current(token: visit).progress?.first?.items.first)
        #expect(try await rig.controller.current(token: visit).progress?.first?.receiptNumber == receipt)
        #expect(item.state == "received" && item.result == nil)

        // Meanwhile the platform approves the item with a result document; the relay applies it.
        let at = Date()
        try await rig.store.apply(
            [
                PlatformChange(cursor: 1, kind: .itemStage, at: at, caseID: caseID, item: "birth", stage: "approved"),
                PlatformChange(
                    cursor: 2, kind: .resultReady, at: at, caseID: caseID, item: "birth", stage: "approved",
                    resultSHA256: String(repeating: "ab", count: 32), resultLength: 1234),
            ], after: 0, timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        _ = try await rig.expectChange("progress") { await rig.controller.platformReported() }
        item = try #require(try await rig.controller.current(token: visit).progress?.first?.items.first)
        #expect(item.state == "approved" && item.result != nil, "the screen still shows \(item.state)")

    }
}
