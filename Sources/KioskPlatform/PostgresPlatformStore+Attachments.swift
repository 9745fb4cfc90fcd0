import Crypto
import Foundation
import Logging
import PostgresNIO

/// Uploads on PostgreSQL: every step locks the attachment's row (`FOR UPDATE`), so two
/// instances receiving the same chunk (a kiosk retrying through another instance) write it once.
extension PostgresPlatformStore {
    static func missingAttachments(caseID: String, connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            "SELECT attachment_id FROM attachment WHERE case_id = \(caseID) AND verified_at IS NULL ORDER BY attachment_id",
            logger: logger)
        var missing: [String] = []
        for try await id in rows.decode(String.self) { missing.append(id) }
        return missing
    }

    /// The attachment row of one of `kiosk`'s cases, locked for this transaction.
    private static func uploadRow(
        caseID: String, attachmentID: String, kiosk: String, lock: Bool, connection: PostgresConnection, logger: Logger
    ) async throws -> UploadRules.Row? {
        var query: PostgresQuery = """
            SELECT a.length, a.sha256, a.received, a.expires_at, a.verified_at IS NOT NULL FROM attachment a
            JOIN platform_case c ON c.case_id = a.case_id
            WHERE a.case_id = \(caseID) AND a.attachment_id = \(attachmentID) AND c.kiosk_id = \(kiosk)
            """
        if lock { query.sql += " FOR UPDATE OF a" }
        let rows = try await connection.query(query, logger: logger)
        var found: UploadRules.Row?
        for try await (length, sha256, received, expiresAt, verified) in rows.decode((Int64, String, Int64, Date?, Bool).self) {
            found = UploadRules.Row(length: length, sha256: sha256, received: received, expiresAt: expiresAt, verified: verified)
        }
        return found
    }

    public func createUpload(
        caseID: String, attachmentID: String, kiosk: String, length: Int64, sha256: String, at: Date, expiresAt: Date
    ) async throws(PlatformError) -> UploadState {
        try await transaction("creating an upload") { connection, logger in
            let found = try await Self.uploadRow(
                caseID: caseID, attachmentID: attachmentID, kiosk: kiosk, lock: true, connection: connection, logger: logger)
            var (row, creation) = try UploadRules.create(
                found, caseID: caseID, attachmentID: attachmentID, length: length, sha256: sha256, at: at)
            guard !row.verified else { return UploadRules.state(row, caseID: caseID, attachmentID: attachmentID) }
            if creation == .restart {
                try await connection.query(
                    "DELETE FROM attachment_chunk WHERE case_id = \(caseID) AND attachment_id = \(attachmentID)", logger: logger)
                row.received = 0
            }
            row.expiresAt = expiresAt
            try await connection.query(
                """
                UPDATE attachment SET received = \(row.received), expires_at = \(expiresAt)
                WHERE case_id = \(caseID) AND attachment_id = \(attachmentID)
                """, logger: logger)
            return UploadRules.state(row, caseID: caseID, attachmentID: attachmentID)
        }
    }

    public func upload(caseID: String, attachmentID: String, kiosk: String, at: Date) async throws(PlatformError) -> UploadState {
        try await transaction("reading an upload") { connection, logger in
            guard
                let row = try await Self.uploadRow(
                    caseID: caseID, attachmentID: attachmentID, kiosk: kiosk, lock: false, connection: connection, logger: logger),
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
        try await transaction("appending to an upload") { connection, logger in
            guard
                var row = try await Self.uploadRow(
                    caseID: caseID, attachmentID: attachmentID, kiosk: kiosk, lock: true, connection: connection, logger: logger)
            else { throw PlatformError(.unknownAttachment, "no attachment '\(attachmentID)' for case \(caseID)") }
            try UploadRules.append(row, attachmentID: attachmentID, offset: offset, count: bytes.count, at: at)
            if !bytes.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO attachment_chunk (case_id, attachment_id, start, data)
                    VALUES (\(caseID), \(attachmentID), \(offset), \(bytes))
                    """, logger: logger)
            }
            row.received += Int64(bytes.count)
            row.expiresAt = expiresAt
            var failed = false
            if row.received == row.length {
                // The last byte: the whole attachment must match what its case declared.
                var hash = SHA256()
                let chunks = try await connection.query(
                    "SELECT data FROM attachment_chunk WHERE case_id = \(caseID) AND attachment_id = \(attachmentID) ORDER BY start",
                    logger: logger)
                for try await chunk in chunks.decode(ByteBuffer.self) { hash.update(data: chunk.readableBytesView) }
                if PlatformDigest.hex(hash.finalize()) == row.sha256 {
                    row.verified = true
                } else {
                    failed = true
                    row.received = 0
                    try await connection.query(
                        "DELETE FROM attachment_chunk WHERE case_id = \(caseID) AND attachment_id = \(attachmentID)", logger: logger)
                }
            }
            let verifiedAt: Date? = row.verified ? at : nil
            try await connection.query(
                """
                UPDATE attachment SET received = \(row.received), expires_at = \(row.expiresAt), verified_at = \(verifiedAt)
                WHERE case_id = \(caseID) AND attachment_id = \(attachmentID)
                """, logger: logger)
            return (UploadRules.state(row, caseID: caseID, attachmentID: attachmentID), failed)
        }
    }

    public func attachment(caseID: String, attachmentID: String) async throws(PlatformError) -> Data? {
        try await transaction("reading an attachment") { connection, logger in
            let verified = try await connection.query(
                "SELECT 1 FROM attachment WHERE case_id = \(caseID) AND attachment_id = \(attachmentID) AND verified_at IS NOT NULL",
                logger: logger)
            var isVerified = false
            for try await _ in verified.decode(Int.self) { isVerified = true }
            guard isVerified else { return nil }
            let chunks = try await connection.query(
                "SELECT data FROM attachment_chunk WHERE case_id = \(caseID) AND attachment_id = \(attachmentID) ORDER BY start",
                logger: logger)
            var data = Data()
            for try await chunk in chunks.decode(ByteBuffer.self) { data.append(contentsOf: chunk.readableBytesView) }
            return data
        }
    }

    public func purgeExpiredUploads(at: Date) async throws(PlatformError) -> Int {
        try await transaction("purging expired uploads") { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE attachment SET received = 0 WHERE verified_at IS NULL AND expires_at <= \(at) AND received > 0
                RETURNING case_id, attachment_id
                """, logger: logger)
            var expired: [(String, String)] = []
            for try await row in rows.decode((String, String).self) { expired.append(row) }
            for (caseID, attachmentID) in expired {
                try await connection.query(
                    "DELETE FROM attachment_chunk WHERE case_id = \(caseID) AND attachment_id = \(attachmentID)", logger: logger)
            }
            return expired.count
        }
    }

    public func result(caseID: String, item: String, kiosk: String) async throws(PlatformError) -> Data? {
        try await transaction("reading a result") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT w.result FROM work_item w JOIN platform_case c ON c.case_id = w.case_id
                WHERE w.case_id = \(caseID) AND w.item = \(item) AND c.kiosk_id = \(kiosk)
                """, logger: logger)
            var result: Data?
            for try await data in rows.decode(Data?.self) { result = data }
            return result
        }
    }
}

extension PostgresPlatformStore {
    public func caseFacts(since: Date?) async throws(PlatformError) -> [CaseFacts] {
        try await transaction("reading case facts") { connection, logger in
            let start = since ?? Date(timeIntervalSince1970: 0)
            var query = PostgresQuery(unsafeSQL: CaseFactsQuery.sql + " WHERE c.received_at >= $1 ORDER BY c.seq")
            query.binds.append(start)
            var facts: [CaseFacts] = []
            let result = try await connection.query(query, logger: logger)
            for try await (id, bundle, kiosk, received, materials, prefill, steps, rating, open, last) in result.decode(
                (String, String, String, Date, String, String?, Int?, Int?, Int64, Date?).self)
            {
                facts.append(
                    CaseFactsQuery.facts(
                        caseID: id, bundle: bundle, kiosk: kiosk, receivedAt: received, materials: materials, prefill: prefill,
                        steps: steps,
                        rating: rating, open: Int(open), last: last))
            }
            var items = PostgresQuery(unsafeSQL: CaseFactsQuery.itemsSQL + " WHERE c.received_at >= $1 ORDER BY w.case_id, w.item")
            items.binds.append(start)
            var rows: [(caseID: String, item: String)] = []
            for try await (id, item) in try await connection.query(items, logger: logger).decode((String, String).self) {
                rows.append((id, item))
            }
            return CaseFactsQuery.attach(rows, to: facts)
        }
    }
}

extension PostgresPlatformStore {
    public func followUps() async throws(PlatformError) -> [FollowUp] {
        try await transaction("listing follow-ups") { connection, logger in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: FollowUpQuery.list), logger: logger)
            var list: [FollowUp] = []
            for try await (rating, caseID, receipt, department, level, opened, due, closed, note) in rows.decode(
                (String, String, String, String, Int, Date, Date, Date?, String?).self)
            {
                list.append(
                    FollowUp(
                        ratingID: rating, caseID: caseID, receiptNumber: receipt, department: department, level: level, openedAt: opened,
                        dueBy: due, closedAt: closed, note: note))
            }
            return list
        }
    }

    public func closeFollowUp(ratingID: String, note: String, at: Date) async throws(PlatformError) {
        try await transaction("closing a follow-up") { connection, logger in
            let rows = try await connection.query(
                """
                UPDATE follow_up SET closed_at = \(at), note = \(note) WHERE rating_id = \(ratingID) AND closed_at IS NULL
                RETURNING rating_id
                """, logger: logger)
            var closed = false
            for try await _ in rows.decode(String.self) { closed = true }
            guard closed else { throw PlatformError(.conflict, "follow-up \(ratingID) does not exist or is closed already") }
        }
    }
}
