import Foundation
import KioskCore
import Logging
import PostgresNIO

extension PostgresPlatformStore {
    public func recordDelivery(
        _ delivery: DeliveryRecord, kioskName: String, recordedAt: Date, day: CivilDate
    ) async throws(PlatformError)
        -> ItemState
    {
        try await transaction("recording a delivery") { connection, logger in
            // The case's row lock orders two instances racing on the same report.
            let cases = try await connection.query(
                "SELECT kiosk_id, detail FROM platform_case WHERE case_id = \(delivery.caseID) FOR UPDATE", logger: logger)
            var owner: (kiosk: String, detail: Data)?
            for try await (kiosk, detail) in cases.decode((String, Data).self) { owner = (kiosk, detail) }
            guard let owner, owner.kiosk == delivery.kioskID else {
                throw PlatformError(.unknownCase, "no case \(delivery.caseID) from this kiosk")
            }
            let firsts = try await connection.query(
                "SELECT case_id, item, reprint FROM delivery WHERE kiosk_id = \(delivery.kioskID) AND delivery_id = \(delivery.deliveryID)",
                logger: logger)
            for try await (caseID, item, reprint) in firsts.decode((String, String, Bool).self) {
                guard delivery.sameReport(caseID: caseID, item: item, reprint: reprint) else {
                    throw PlatformError(.conflict, "delivery \(delivery.deliveryID) was reported before for another item")
                }
                return try await Self.stage(caseID: delivery.caseID, item: delivery.item, connection: connection, logger: logger)
            }
            let items = try await connection.query(
                """
                SELECT stage, result IS NOT NULL FROM work_item WHERE case_id = \(delivery.caseID) AND item = \(delivery.item)
                """, logger: logger)
            var found: (stage: String, hasResult: Bool)?
            for try await (stage, hasResult) in items.decode((String, Bool).self) { found = (stage, hasResult) }
            guard let found else { throw PlatformError(.unknownItem, "case \(delivery.caseID) has no item '\(delivery.item)'") }
            guard found.hasResult else {
                throw PlatformError(.conflict, "item '\(delivery.item)' of case \(delivery.caseID) has no result to deliver")
            }
            try await connection.query(
                """
                INSERT INTO delivery (delivery_id, kiosk_id, case_id, item, at, reprint, result_sha256, recorded_at)
                VALUES (\(delivery.deliveryID), \(delivery.kioskID), \(delivery.caseID), \(delivery.item), \(delivery.at),
                    \(delivery.reprint), \(delivery.resultSHA256), \(recordedAt))
                """, logger: logger)
            let stage = ItemState(rawValue: found.stage) ?? .received
            let bundleCase = try JSONDecoder().decode(BundleCase.self, from: owner.detail)
            guard let moved = try delivery.move(bundleCase, stage: stage, day: day, at: recordedAt, kioskName: kioskName) else {
                return stage
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let detail = try encoder.encode(moved)
            try await connection.query("UPDATE platform_case SET detail = \(detail) WHERE case_id = \(delivery.caseID)", logger: logger)
            try await connection.query(
                """
                UPDATE work_item SET stage = \(ItemState.delivered.rawValue), reason = NULL, updated_at = \(recordedAt)
                WHERE case_id = \(delivery.caseID) AND item = \(delivery.item)
                """, logger: logger)
            let cursor = try await Self.nextCursor(kiosk: delivery.kioskID, connection: connection, logger: logger)
            try await connection.query(
                """
                INSERT INTO change (kiosk_id, cursor, kind, case_id, item, stage, at)
                VALUES (\(delivery.kioskID), \(cursor), \(ChangeRecord.Kind.itemStage.rawValue), \(delivery.caseID), \(delivery.item),
                    \(ItemState.delivered.rawValue), \(recordedAt))
                """, logger: logger)
            return .delivered
        }
    }

    public func deliveries(caseID: String) async throws(PlatformError) -> [DeliveryRecord] {
        try await transaction("listing deliveries") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT d.delivery_id, d.kiosk_id, d.case_id, d.item, d.at, d.reprint, d.result_sha256, k.name
                FROM delivery d JOIN kiosk k ON k.id = d.kiosk_id WHERE d.case_id = \(caseID) ORDER BY d.recorded_at, d.delivery_id
                """, logger: logger)
            var deliveries: [DeliveryRecord] = []
            for try await (id, kiosk, caseID, item, at, reprint, sha, name) in rows.decode(
                (String, String, String, String, Date, Bool, String?, String).self)
            {
                deliveries.append(
                    DeliveryRecord(
                        deliveryID: id, kioskID: kiosk, caseID: caseID, item: item, at: at, reprint: reprint, resultSHA256: sha,
                        kioskName: name))
            }
            return deliveries
        }
    }

    private static func stage(caseID: String, item: String, connection: PostgresConnection, logger: Logger) async throws -> ItemState {
        let rows = try await connection.query("SELECT stage FROM work_item WHERE case_id = \(caseID) AND item = \(item)", logger: logger)
        for try await stage in rows.decode(String.self) { return ItemState(rawValue: stage) ?? .received }
        return .received
    }
}
