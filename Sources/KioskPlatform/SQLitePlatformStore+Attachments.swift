import Crypto
import Foundation
import GRDB

extension SQLitePlatformStore {
    static func missingAttachments(_ db: Database, caseID: String) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT attachment_id FROM attachment WHERE case_id = ? AND verified_at IS NULL ORDER BY attachment_id",
            arguments: [caseID])
    }

    /// The attachment row of one of `kiosk`'s cases (nil for another kiosk's: it is not told apart from none).
    private static func uploadRow(_ db: Database, caseID: String, attachmentID: String, kiosk: String) throws -> UploadRules.Row? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT a.length, a.sha256, a.received, a.expires_at, a.verified_at FROM attachment a
                JOIN platform_case c ON c.case_id = a.case_id WHERE a.case_id = ? AND a.attachment_id = ? AND c.kiosk_id = ?
                """,
            arguments: [caseID, attachmentID, kiosk]
        ).map { row in
            UploadRules.Row(
                length: row["length"], sha256: row["sha256"], received: row["received"], expiresAt: row["expires_at"],
                verified: row["verified_at"] as Date? != nil)
        }
    }

    public func createUpload(
        caseID: String, attachmentID: String, kiosk: String, length: Int64, sha256: String, at: Date, expiresAt: Date
    ) async throws(PlatformError) -> UploadState {
        try await write("creating an upload") { db in
            let found = try Self.uploadRow(db, caseID: caseID, attachmentID: attachmentID, kiosk: kiosk)
            var (row, creation) = try UploadRules.create(
                found, caseID: caseID, attachmentID: attachmentID, length: length, sha256: sha256, at: at)
            guard !row.verified else { return UploadRules.state(row, caseID: caseID, attachmentID: attachmentID) }
            if creation == .restart {
                try db.execute(
                    sql: "DELETE FROM attachment_chunk WHERE case_id = ? AND attachment_id = ?", arguments: [caseID, attachmentID])
                row.received = 0
            }
            // Each create or chunk renews the expiry: only an upload left alone expires.
            row.expiresAt = expiresAt
            try db.execute(
                sql: "UPDATE attachment SET received = ?, expires_at = ? WHERE case_id = ? AND attachment_id = ?",
                arguments: [row.received, expiresAt, caseID, attachmentID])
            return UploadRules.state(row, caseID: caseID, attachmentID: attachmentID)
        }
    }

    public func upload(caseID: String, attachmentID: String, kiosk: String, at: Date) async throws(PlatformError) -> UploadState {
        try await read("reading an upload") { db in
            guard let row = try Self.uploadRow(db, caseID: caseID, attachmentID: attachmentID, kiosk: kiosk),
                row.verified || row.expiresAt != nil
            else { throw PlatformError(.unknownAttachment, "no upload of '\(attachmentID)' for case \(caseID)") }
            if !row.verified, let expiry = row.expiresAt, expiry <= at {
                throw PlatformError(.expired, "the upload of '\(attachmentID)' expired unfinished; create it again")
            }
            return UploadRules.state(row, caseID: caseID, attachmentID: attachmentID)
        }
    }

    public func append(
        caseID: String, attachmentID: String, kiosk: String, offset: Int64, bytes: Data, at: Date, expiresAt: Date
    ) async throws(PlatformError) -> (state: UploadState, checksumFailed: Bool) {
        try await write("appending to an upload") { db in
            guard var row = try Self.uploadRow(db, caseID: caseID, attachmentID: attachmentID, kiosk: kiosk) else {
                throw PlatformError(.unknownAttachment, "no attachment '\(attachmentID)' for case \(caseID)")
            }
            try UploadRules.append(row, attachmentID: attachmentID, offset: offset, count: bytes.count, at: at)
            if !bytes.isEmpty {
                try db.execute(
                    sql: "INSERT INTO attachment_chunk (case_id, attachment_id, start, data) VALUES (?, ?, ?, ?)",
                    arguments: [caseID, attachmentID, offset, bytes])
            }
            row.received += Int64(bytes.count)
            row.expiresAt = expiresAt
            var failed = false
            if row.received == row.length {
                // The last byte: the whole attachment must match what its case declared.
                var hash = SHA256()
                let chunks = try Row.fetchCursor(
                    db, sql: "SELECT data FROM attachment_chunk WHERE case_id = ? AND attachment_id = ? ORDER BY start",
                    arguments: [caseID, attachmentID])
                while let chunk = try chunks.next() { hash.update(data: chunk["data"] as Data) }
                if PlatformDigest.hex(hash.finalize()) == row.sha256 {
                    row.verified = true
                } else {
                    failed = true
                    row.received = 0
                    try db.execute(
                        sql: "DELETE FROM attachment_chunk WHERE case_id = ? AND attachment_id = ?", arguments: [caseID, attachmentID])
                }
            }
            try db.execute(
                sql: "UPDATE attachment SET received = ?, expires_at = ?, verified_at = ? WHERE case_id = ? AND attachment_id = ?",
                arguments: [row.received, row.expiresAt, row.verified ? at : nil, caseID, attachmentID])
            return (UploadRules.state(row, caseID: caseID, attachmentID: attachmentID), failed)
        }
    }

    public func attachment(caseID: String, attachmentID: String) async throws(PlatformError) -> Data? {
        try await read("reading an attachment") { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT verified_at IS NOT NULL FROM attachment WHERE case_id = ? AND attachment_id = ?",
                    arguments: [caseID, attachmentID]) == true
            else { return nil }
            let chunks = try Data.fetchAll(
                db, sql: "SELECT data FROM attachment_chunk WHERE case_id = ? AND attachment_id = ? ORDER BY start",
                arguments: [caseID, attachmentID])
            return chunks.reduce(into: Data()) { $0.append($1) }
        }
    }

    public func purgeExpiredUploads(at: Date) async throws(PlatformError) -> Int {
        try await write("purging expired uploads") { db in
            let expired = try Row.fetchAll(
                db, sql: "SELECT case_id, attachment_id FROM attachment WHERE verified_at IS NULL AND expires_at <= ? AND received > 0",
                arguments: [at])
            for row in expired {
                try db.execute(
                    sql: "DELETE FROM attachment_chunk WHERE case_id = ? AND attachment_id = ?",
                    arguments: [row["case_id"] as String, row["attachment_id"] as String])
                try db.execute(
                    sql: "UPDATE attachment SET received = 0 WHERE case_id = ? AND attachment_id = ?",
                    arguments: [row["case_id"] as String, row["attachment_id"] as String])
            }
            return expired.count
        }
    }

    public func result(caseID: String, item: String, kiosk: String) async throws(PlatformError) -> Data? {
        try await read("reading a result") { db in
            try Data.fetchOne(
                db,
                sql: """
                    SELECT w.result FROM work_item w JOIN platform_case c ON c.case_id = w.case_id
                    WHERE w.case_id = ? AND w.item = ? AND c.kiosk_id = ?
                    """,
                arguments: [caseID, item, kiosk])
        }
    }
}

extension SQLitePlatformStore {
    public func caseFacts(since: Date?) async throws(PlatformError) -> [CaseFacts] {
        try await read("reading case facts") { db in
            let filter = since == nil ? "" : " WHERE c.received_at >= ?"
            let arguments: StatementArguments = since.map { [$0] } ?? []
            let facts = try Row.fetchAll(db, sql: CaseFactsQuery.sql + filter + " ORDER BY c.seq", arguments: arguments).map { row in
                CaseFactsQuery.facts(
                    caseID: row["case_id"], bundle: row["bundle"], kiosk: row["name"], receivedAt: row["received_at"],
                    materials: row["materials"], prefill: row["prefill"], steps: row["steps"], rating: row["rating"], open: row["open"],
                    last: row["last"])
            }
            let items = try Row.fetchAll(db, sql: CaseFactsQuery.itemsSQL + filter + " ORDER BY w.case_id, w.item", arguments: arguments)
                .map {
                    (caseID: $0["case_id"] as String, item: $0["item"] as String)
                }
            return CaseFactsQuery.attach(items, to: facts)
        }
    }
}

extension SQLitePlatformStore {
    public func followUps() async throws(PlatformError) -> [FollowUp] {
        try await read("listing follow-ups") { db in
            try Row.fetchAll(db, sql: FollowUpQuery.list).map { row in
                FollowUp(
                    ratingID: row["rating_id"], caseID: row["case_id"], receiptNumber: row["receipt_number"], department: row["department"],
                    level: row["level"], openedAt: row["opened_at"], dueBy: row["due_by"], closedAt: row["closed_at"], note: row["note"])
            }
        }
    }

    public func closeFollowUp(ratingID: String, note: String, at: Date) async throws(PlatformError) {
        try await write("closing a follow-up") { db in
            try db.execute(
                sql: "UPDATE follow_up SET closed_at = ?, note = ? WHERE rating_id = ? AND closed_at IS NULL",
                arguments: [at, note, ratingID])
            guard db.changesCount == 1 else {
                throw PlatformError(.conflict, "follow-up \(ratingID) does not exist or is closed already")
            }
        }
    }
}
