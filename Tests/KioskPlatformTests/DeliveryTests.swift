import Foundation
import KioskCore
import KioskPlatform
import KioskSyncAPI
import OpenAPIRuntime
import Testing

/// 统一出件 at the platform: a kiosk's report that it printed an item's result, stored once per
/// delivery id, moving the item to 送达 and telling the kiosk in its feed; reprints recorded beside it.
@Suite("Results delivered at kiosks (real HTTP on loopback; SQLite, and PostgreSQL where the test server runs)", .timeLimit(.minutes(2)))
struct DeliveryTests {
    @Test(
        "The first delivery moves the item to 送达 once (a replay answers the same); a reprint moves nothing; unknown is 404, no result 409",
        arguments: StorageKind.available)
    func deliveries(storage: StorageKind) async throws {
        let platform = try await PlatformRig.start(storage)
        let (_, kiosk) = try await platform.kiosk("KIOSK-0001")
        let (_, other) = try await platform.kiosk("KIOSK-0002")
        var upload = PlatformRig.upload(bundle: "newborn")
        upload.resultCollection = .kiosk
        #expect(try await kiosk.submitCases(body: .json(.init(cases: [upload]))).ok.body.json.outcomes[0].status == .stored)
        let newborn = try #require(PlatformRig.catalog.bundle("newborn"))
        let items = newborn.items.filter { $0.dependsOn.isEmpty }
        let item = try #require(items.first).id
        let bare = try #require(items.dropFirst().first).id
        for stage in [ItemState.accepted, .inReview] {
            _ = try await platform.departments.advance(caseID: upload.caseID, item: item, to: stage, actor: "窗口")
            _ = try await platform.departments.advance(caseID: upload.caseID, item: bare, to: stage, actor: "窗口")
        }
        // 409: an item approved without a result document has nothing to deliver.
        _ = try await platform.departments.advance(caseID: upload.caseID, item: bare, to: .approved, actor: "窗口")
        let pdf = Data("%PDF-1.7\n出生医学证明 result\n%%EOF\n".utf8)
        _ = try await platform.departments.advance(caseID: upload.caseID, item: item, to: .approved, result: pdf, actor: "窗口")
        let cursor = try await kiosk.listChanges(query: .init(limit: 500)).ok.body.json.changes.last?.cursor ?? 0

        let at = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let first = Components.Schemas.Delivery(
            deliveryID: "\(upload.caseID)-d1", caseID: upload.caseID, item: item, at: at, reprint: false, resultSHA256: SHA256Hex.of(pdf))
        let answer = try await kiosk.reportDelivery(body: .json(first)).ok.body.json
        #expect(answer.status == .stored && answer.stage == .delivered)
        // The replay (the kiosk lost the answer) answers the same and changes nothing more.
        let replay = try await kiosk.reportDelivery(body: .json(first)).ok.body.json
        #expect(replay == answer)
        var reprint = first
        reprint.deliveryID = "\(upload.caseID)-d2"
        reprint.reprint = true
        #expect(try await kiosk.reportDelivery(body: .json(reprint)).ok.body.json.stage == .delivered)
        #expect(try await kiosk.reportDelivery(body: .json(reprint)).ok.body.json.stage == .delivered)

        let summary = try #require(try await platform.storage.cases().first { $0.caseID == upload.caseID })
        #expect(summary.items.first { $0.id == item }?.stage == .delivered)
        let recorded = try await platform.storage.deliveries(caseID: upload.caseID)
        #expect(recorded.map(\.reprint) == [false, true], "one delivery and one reprint, each once")
        #expect(recorded.allSatisfy { $0.kioskName == "KIOSK-0001" })
        // The kiosk hears 送达 once, after what it had.
        let changes = try await kiosk.listChanges(query: .init(after: cursor, limit: 500)).ok.body.json.changes
        #expect(changes.map(\.kind) == [.itemStage] && changes.map(\.stage) == [.delivered] && changes.map(\.item) == [item])

        // The same id saying something else is a conflict; the first report stands.
        var changed = first
        changed.item = bare
        guard case .conflict = try await kiosk.reportDelivery(body: .json(changed)) else {
            Issue.record("a delivery id reused for another item was taken"); return
        }
        var noResult = first
        noResult.deliveryID = "\(upload.caseID)-d3"
        noResult.item = bare
        guard case .conflict = try await kiosk.reportDelivery(body: .json(noResult)) else {
            Issue.record("an item without a result was delivered"); return
        }
        var unknownItem = first
        unknownItem.deliveryID = "\(upload.caseID)-d4"
        unknownItem.item = "no_such_item"
        guard case .notFound = try await kiosk.reportDelivery(body: .json(unknownItem)) else {
            Issue.record("an unknown item was delivered"); return
        }
        var unknownCase = first
        unknownCase.deliveryID = "nope-d1"
        unknownCase.caseID = "nope"
        guard case .notFound = try await kiosk.reportDelivery(body: .json(unknownCase)) else {
            Issue.record("an unknown case was delivered"); return
        }
        // Another kiosk's case is unknown to it.
        var foreign = first
        foreign.deliveryID = "\(upload.caseID)-d5"
        guard case .notFound = try await other.reportDelivery(body: .json(foreign)) else {
            Issue.record("a kiosk delivered another kiosk's result"); return
        }
        #expect(try await platform.storage.deliveries(caseID: upload.caseID).count == 2)
    }
}
