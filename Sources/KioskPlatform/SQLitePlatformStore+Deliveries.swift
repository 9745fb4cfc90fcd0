import Foundation
import GRDB
import KioskCore

extension SQLitePlatformStore {
    public func recordDelivery(
        _ delivery: DeliveryRecord, kioskName: String, recordedAt: Date, day: CivilDate
    ) async throws(PlatformError)
        -> ItemState
    {
        try await write("recording a delivery") { db in
            guard
                let owner = try Row.fetchOne(
                    db, sql: "SELECT kiosk_id, detail FROM platform_case WHERE case_id = ?", arguments: [delivery.caseID]),
                owner["kiosk_id"] as String == delivery.kioskID
            else { throw PlatformError(.unknownCase, "no case \(delivery.caseID) from this kiosk") }
            if let first = try Row.fetchOne(
                db, sql: "SELECT case_id, item, reprint FROM delivery WHERE kiosk_id = ? AND delivery_id = ?",
                arguments: [delivery.kioskID, delivery.deliveryID])
            {
                guard delivery.sameReport(caseID: first["case_id"], item: first["item"], reprint: first["reprint"]) else {
                    throw PlatformError(.conflict, "delivery \(delivery.deliveryID) was reported before for another item")
                }
                return try Self.stage(db, caseID: delivery.caseID, item: delivery.item)
            }
            guard
                let item = try Row.fetchOne(
                    db, sql: "SELECT stage, result IS NOT NULL AS has_result FROM work_item WHERE case_id = ? AND item = ?",
                    arguments: [delivery.caseID, delivery.item])
            else { throw PlatformError(.unknownItem, "case \(delivery.caseID) has no item '\(delivery.item)'") }
            guard item["has_result"] as Bool else {
                throw PlatformError(.conflict, "item '\(delivery.item)' of case \(delivery.caseID) has no result to deliver")
            }
            try db.execute(
                sql: """
                    INSERT INTO delivery (delivery_id, kiosk_id, case_id, item, at, reprint, result_sha256, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    delivery.deliveryID, delivery.kioskID, delivery.caseID, delivery.item, delivery.at, delivery.reprint,
                    delivery.resultSHA256, recordedAt,
                ])
            let stage = ItemState(rawValue: item["stage"]) ?? .received
            let bundleCase = try JSONDecoder().decode(BundleCase.self, from: owner["detail"] as Data)
            guard let moved = try delivery.move(bundleCase, stage: stage, day: day, at: recordedAt, kioskName: kioskName) else {
                return stage
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try db.execute(
                sql: "UPDATE platform_case SET detail = ? WHERE case_id = ?", arguments: [try encoder.encode(moved), delivery.caseID])
            try db.execute(
                sql: "UPDATE work_item SET stage = ?, reason = NULL, updated_at = ? WHERE case_id = ? AND item = ?",
                arguments: [ItemState.delivered.rawValue, recordedAt, delivery.caseID, delivery.item])
            try db.execute(
                sql: "INSERT INTO change (kiosk_id, kind, case_id, item, stage, at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    delivery.kioskID, ChangeRecord.Kind.itemStage.rawValue, delivery.caseID, delivery.item, ItemState.delivered.rawValue,
                    recordedAt,
                ])
            return .delivered
        }
    }

    public func deliveries(caseID: String) async throws(PlatformError) -> [DeliveryRecord] {
        try await read("listing deliveries") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.*, k.name FROM delivery d JOIN kiosk k ON k.id = d.kiosk_id WHERE d.case_id = ?
                    ORDER BY d.recorded_at, d.delivery_id
                    """, arguments: [caseID]
            ).map { row in
                DeliveryRecord(
                    deliveryID: row["delivery_id"], kioskID: row["kiosk_id"], caseID: row["case_id"], item: row["item"], at: row["at"],
                    reprint: row["reprint"], resultSHA256: row["result_sha256"], kioskName: row["name"])
            }
        }
    }

    private static func stage(_ db: Database, caseID: String, item: String) throws -> ItemState {
        let stage = try String.fetchOne(db, sql: "SELECT stage FROM work_item WHERE case_id = ? AND item = ?", arguments: [caseID, item])
        return stage.flatMap(ItemState.init(rawValue:)) ?? .received
    }
}
