import Foundation
import GRDB
import KioskAPI

/// How much personal data the kiosk holds: cases whose sealed part is still on disk.
public struct PersonalDataHeld: Sendable, Hashable {
    /// Cases whose sealed application (and sealed attachments) are still stored.
    public var cases: Int
    /// Bytes of sealed data (payloads and attachments).
    public var bytes: Int64
    /// When the oldest of them was submitted.
    public var oldestAt: Date?

    public init(cases: Int, bytes: Int64, oldestAt: Date?) {
        self.cases = cases
        self.bytes = bytes
        self.oldestAt = oldestAt
    }
}

/// Keeping personal data only as long as needed (MOSIP's rule): a case's sealed part stays
/// until the platform has acknowledged the case and every attachment, plus the retention
/// period, then it is erased. What "check my progress" needs (receipt number, stages, the
/// keyed hash of the ID number) stays.
extension CaseStore {
    public func personalDataHeld() throws(StoreError) -> PersonalDataHeld {
        try readSync("counting personal data") { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS cases, min(created_at) AS oldest,
                        coalesce(sum(length(payload)), 0)
                        + coalesce((SELECT sum(length(c.data)) FROM outbox_attachment_chunk c), 0) AS bytes
                    FROM outbox WHERE kind IN ('case', 'case-refused') AND purged_at IS NULL
                    """)
            return PersonalDataHeld(cases: row?["cases"] ?? 0, bytes: row?["bytes"] ?? 0, oldestAt: row?["oldest"])
        }
    }

    /// Erases the sealed part of every case the platform acknowledged before `cutoff` with all
    /// its attachments verified, then checkpoints the WAL so the bytes leave it too (with
    /// `secure_delete`, the file's freed space is zeroed). Returns how many cases were purged.
    @discardableResult
    public func purgeSealed(acknowledgedBefore cutoff: Date, at now: Date) throws(StoreError) -> Int {
        let purged = try writeSync("purging sealed data") { db -> Int in
            let caseIDs = try String.fetchAll(
                db,
                sql: """
                    SELECT o.case_id FROM outbox o
                    WHERE o.kind = 'case' AND o.purged_at IS NULL AND o.acknowledged_at IS NOT NULL AND o.acknowledged_at < ?
                    AND NOT EXISTS (SELECT 1 FROM outbox_attachment a WHERE a.case_id = o.case_id AND a.verified_at IS NULL)
                    """,
                arguments: [cutoff])
            for caseID in caseIDs {
                try db.execute(
                    sql: "UPDATE outbox SET payload = X'', purged_at = ? WHERE case_id = ? AND kind = 'case'", arguments: [now, caseID])
                try db.execute(sql: "DELETE FROM outbox_attachment_chunk WHERE case_id = ?", arguments: [caseID])
                try db.execute(
                    sql: "INSERT INTO case_event (case_id, kind, at) VALUES (?, 'purged', ?)", arguments: [caseID, now])
            }
            return caseIDs.count
        }
        if purged > 0 { try checkpointTruncating() }
        return purged
    }

    /// Copies the WAL into the database and truncates it to nothing.
    func checkpointTruncating() throws(StoreError) {
        let database = try database()
        do {
            try database.writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }
}
