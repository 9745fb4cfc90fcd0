import Foundation
import GRDB

/// What the sync relay reads and writes: the outbox, acknowledgements, attachments and the
/// platform's changes. Every write that records the platform's answer is one transaction with
/// what it marks, so that a kill at any point leaves either the old state or the new one.
extension CaseStore {
    /// Cases not yet stored by the platform, oldest first.
    public func pendingCases(limit: Int) throws(StoreError) -> [PendingCase] {
        try readSync("reading the outbox") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, case_id, payload, attempts, created_at FROM outbox
                    WHERE kind = 'case' AND acknowledged_at IS NULL ORDER BY seq LIMIT ?
                    """,
                arguments: [limit]
            ).map {
                PendingCase(
                    seq: $0["seq"], caseID: $0["case_id"], payload: $0["payload"], attempts: $0["attempts"], createdAt: $0["created_at"])
            }
        }
    }

    /// Ratings not yet stored by the platform, oldest first; only for cases it already has.
    public func pendingRatings(limit: Int) throws(StoreError) -> [PendingRating] {
        try readSync("reading the outbox") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT r.seq, r.case_id, r.payload FROM outbox r
                    JOIN outbox c ON c.case_id = r.case_id AND c.kind = 'case' AND c.acknowledged_at IS NOT NULL
                    WHERE r.kind = 'rating' AND r.acknowledged_at IS NULL ORDER BY r.seq LIMIT ?
                    """,
                arguments: [limit]
            ).map { PendingRating(seq: $0["seq"], caseID: $0["case_id"], payload: $0["payload"]) }
        }
    }

    /// Stores the platform's "stored" for these cases, in one transaction with marking them
    /// sent; attachments the platform already holds are marked verified with them.
    public func acknowledge(_ acknowledgements: [CaseAcknowledgement], at: Date) throws(StoreError) {
        try writeSync("storing acknowledgements") { db in
            for ack in acknowledgements {
                try db.execute(
                    sql: """
                        UPDATE outbox SET acknowledged_at = ?, platform_receipt = ?, last_error = NULL
                        WHERE case_id = ? AND kind = 'case' AND acknowledged_at IS NULL
                        """,
                    arguments: [at, ack.platformReceipt, ack.caseID])
                let missing = Set(ack.missingAttachments)
                let declared = try String.fetchAll(
                    db, sql: "SELECT attachment_id FROM outbox_attachment WHERE case_id = ? AND verified_at IS NULL",
                    arguments: [ack.caseID])
                for id in declared where !missing.contains(id) {
                    try db.execute(
                        sql: "UPDATE outbox_attachment SET verified_at = ? WHERE case_id = ? AND attachment_id = ?",
                        arguments: [at, ack.caseID, id])
                }
            }
        }
    }

    /// Marks a rating stored by the platform.
    public func acknowledgeRating(seq: Int64, at: Date) throws(StoreError) {
        try writeSync("storing an acknowledgement") { db in
            try db.execute(sql: "UPDATE outbox SET acknowledged_at = ? WHERE seq = ?", arguments: [at, seq])
        }
    }

    /// Counts a failed attempt for these outbox rows, with the reason in words.
    public func recordAttempt(seqs: [Int64], error: String) throws(StoreError) {
        guard !seqs.isEmpty else { return }
        try writeSync("recording an attempt") { db in
            for seq in seqs {
                try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?", arguments: [error, seq])
            }
        }
    }

    /// A case the platform refused for good (conflict or rejected): it stays, with the reason,
    /// for a technician; it is never deleted and never resent as is.
    public func recordRefusal(seq: Int64, reason: String) throws(StoreError) {
        try writeSync("recording a refusal") { db in
            try db.execute(
                sql: "UPDATE outbox SET kind = 'case-refused', attempts = attempts + 1, last_error = ? WHERE seq = ?",
                arguments: [reason, seq])
        }
    }

    /// Attachments of stored cases that the platform has not verified, oldest case first.
    public func pendingAttachments(limit: Int) throws(StoreError) -> [PendingAttachment] {
        try readSync("reading attachments") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.case_id, a.attachment_id, a.kind, a.length, a.sha256 FROM outbox_attachment a
                    JOIN outbox o ON o.case_id = a.case_id AND o.kind = 'case' AND o.acknowledged_at IS NOT NULL
                    WHERE a.verified_at IS NULL ORDER BY o.seq, a.attachment_id LIMIT ?
                    """,
                arguments: [limit]
            ).map {
                PendingAttachment(
                    caseID: $0["case_id"], attachmentID: $0["attachment_id"], kind: $0["kind"], length: $0["length"], sha256: $0["sha256"])
            }
        }
    }

    /// At most `maxBytes` of an attachment from `offset`, read piece by piece (never the whole file).
    public func attachmentBytes(caseID: String, attachmentID: String, from offset: Int64, maxBytes: Int) throws(StoreError) -> Data {
        try readSync("reading an attachment") { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT start, data FROM outbox_attachment_chunk
                    WHERE case_id = ? AND attachment_id = ? AND start + length(data) > ? ORDER BY start
                    """,
                arguments: [caseID, attachmentID, offset])
            var bytes = Data()
            while bytes.count < maxBytes, let row = try rows.next() {
                let start: Int64 = row["start"]
                let data: Data = row["data"]
                let from = Int(max(0, offset - start))
                let take = min(data.count - from, maxBytes - bytes.count)
                bytes.append(data.subdata(in: from..<(from + take)))
            }
            return bytes
        }
    }

    /// The platform verified the attachment.
    public func markAttachmentVerified(caseID: String, attachmentID: String, at: Date) throws(StoreError) {
        try writeSync("marking an attachment") { db in
            try db.execute(
                sql: "UPDATE outbox_attachment SET verified_at = ? WHERE case_id = ? AND attachment_id = ?",
                arguments: [at, caseID, attachmentID])
        }
    }

    func readSync<T: Sendable>(_ what: String, _ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        let database = try database()
        do {
            return try database.writer.read(body)
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    func writeSync<T: Sendable>(_ what: String, _ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        let database = try database()
        do {
            return try database.writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }
}
