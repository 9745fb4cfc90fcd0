import Foundation
import GRDB
import KioskAPI

/// Results printed at the kiosk (统一出件): recorded locally and queued for the platform in one
/// transaction, so that the report goes exactly once whatever fails after the printer finished.
extension CaseStore {
    /// Records that the item's result was printed for its citizen, and queues the report. The
    /// first print of an item is its delivery; any later one is a reprint (补打).
    /// `job`: the CUPS job that printed it, no longer under way.
    @discardableResult
    public func recordDelivery(
        caseID: String, item: String, at: Date, resultSHA256: String?, job: Int? = nil
    ) throws(StoreError)
        -> DeliveryMessage
    {
        try writeSync("recording a delivery") { db in
            if let job { try db.execute(sql: "DELETE FROM result_print WHERE job = ?", arguments: [job]) }
            let earlier =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM result_delivery WHERE case_id = ? AND item_id = ?", arguments: [caseID, item]) ?? 0
            let message = DeliveryMessage(
                deliveryID: "\(caseID)-d\(UUID().uuidString.prefix(8).lowercased())", caseID: caseID, item: item, at: at,
                reprint: earlier > 0, resultSHA256: resultSHA256)
            try db.execute(
                sql: "INSERT INTO result_delivery (delivery_id, case_id, item_id, at, reprint) VALUES (?, ?, ?, ?, ?)",
                arguments: [message.deliveryID, caseID, item, at, message.reprint])
            let payload = try KioskJSON.encoder().encode(message)
            try db.execute(
                sql: "INSERT INTO outbox (case_id, kind, payload, content_hash, created_at) VALUES (?, 'delivery', ?, ?, ?)",
                arguments: [caseID, payload, ContentHash.sha256Hex(payload), at])
            return message
        }
    }

    /// Remembers a result's print job until it ends (`recordDelivery` or `endResultPrint`).
    public func beginResultPrint(job: Int, caseID: String, item: String, resultSHA256: String?, at: Date) throws(StoreError) {
        try writeSync("recording a result print") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO result_print (job, case_id, item_id, result_sha256, started_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [job, caseID, item, resultSHA256, at])
        }
    }

    /// Forgets a result's print job that ended without printing (cancelled, failed).
    public func endResultPrint(job: Int) throws(StoreError) {
        try writeSync("ending a result print") { db in
            try db.execute(sql: "DELETE FROM result_print WHERE job = ?", arguments: [job])
        }
    }

    /// Result print jobs that had not ended when kioskd last stopped, oldest first.
    public func unfinishedResultPrints() throws(StoreError) -> [UnfinishedResultPrint] {
        try readSync("reading result prints") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.job, p.case_id, p.item_id, p.result_sha256, c.receipt_number FROM result_print p
                    LEFT JOIN kiosk_case c ON c.id = p.case_id ORDER BY p.started_at
                    """
            ).map {
                UnfinishedResultPrint(
                    job: $0["job"], caseID: $0["case_id"], item: $0["item_id"], resultSHA256: $0["result_sha256"],
                    receiptNumber: $0["receipt_number"])
            }
        }
    }

    /// How many times each item of these cases was printed here, by case and item.
    public func deliveryCounts(caseIDs: [String]) throws(StoreError) -> [String: [String: Int]] {
        guard !caseIDs.isEmpty else { return [:] }
        return try readSync("reading deliveries") { db in
            var counts: [String: [String: Int]] = [:]
            let marks = databaseQuestionMarks(count: caseIDs.count)
            for row in try Row.fetchAll(
                db,
                sql: "SELECT case_id, item_id, count(*) AS n FROM result_delivery WHERE case_id IN (\(marks)) GROUP BY case_id, item_id",
                arguments: StatementArguments(caseIDs))
            {
                let (caseID, item, times): (String, String, Int) = (row["case_id"], row["item_id"], row["n"])
                counts[caseID, default: [:]][item] = times
            }
            return counts
        }
    }

    /// Delivery reports not yet stored by the platform, oldest first; only for cases it already has.
    public func pendingDeliveries(limit: Int) throws(StoreError) -> [PendingDelivery] {
        try readSync("reading the outbox") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT d.seq, d.case_id, d.payload FROM outbox d
                    JOIN outbox c ON c.case_id = d.case_id AND c.kind = 'case' AND c.acknowledged_at IS NOT NULL
                    WHERE d.kind = 'delivery' AND d.acknowledged_at IS NULL ORDER BY d.seq LIMIT ?
                    """,
                arguments: [limit]
            ).map { PendingDelivery(seq: $0["seq"], caseID: $0["case_id"], payload: $0["payload"]) }
        }
    }

    /// Marks a delivery report stored by the platform.
    public func acknowledgeDelivery(seq: Int64, at: Date) throws(StoreError) {
        try writeSync("storing an acknowledgement") { db in
            try db.execute(sql: "UPDATE outbox SET acknowledged_at = ? WHERE seq = ? AND kind = 'delivery'", arguments: [at, seq])
        }
    }
}
