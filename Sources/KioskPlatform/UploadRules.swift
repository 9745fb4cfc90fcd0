import Foundation

/// The rules of a resumable upload, decided the same way by both stores (they differ only in
/// their SQL): which requests continue, which start again, and which are refused.
enum UploadRules {
    /// An attachment row as a store reads it, under its transaction's lock.
    struct Row: Sendable {
        var length: Int64
        var sha256: String
        var received: Int64
        var expiresAt: Date?
        var verified: Bool
    }

    enum Creation: Equatable {
        /// Answer the stored state (it may renew the expiry).
        case answer
        /// Drop any bytes and start at offset 0 (never created, or expired).
        case restart
    }

    /// Decides a create request; returns the row it applies to.
    static func create(
        _ row: Row?, caseID: String, attachmentID: String, length: Int64, sha256: String, at: Date
    ) throws(PlatformError)
        -> (Row, Creation)
    {
        guard let row else {
            throw PlatformError(.unknownAttachment, "case \(caseID) declared no attachment '\(attachmentID)' (deliver the case first)")
        }
        guard row.length == length, row.sha256 == sha256 else {
            throw PlatformError(.conflict, "attachment '\(attachmentID)' was declared with another length or SHA-256")
        }
        if row.verified { return (row, .answer) }
        guard let expiry = row.expiresAt, expiry > at else { return (row, .restart) }
        return (row, .answer)
    }

    /// Checks a chunk before it is written.
    static func append(_ row: Row?, attachmentID: String, offset: Int64, count: Int, at: Date) throws(PlatformError) {
        guard let row else { throw PlatformError(.unknownAttachment, "no attachment '\(attachmentID)' for this case") }
        if row.verified {
            throw PlatformError(.offsetMismatch, "attachment '\(attachmentID)' is complete and verified (offset \(row.length))")
        }
        // A declared upload never created begins with a chunk at 0: a kiosk sending a fresh
        // attachment saves the round trip of `POST /attachments` (tus' creation-with-upload).
        if let expiry = row.expiresAt, expiry <= at {
            throw PlatformError(.expired, "the upload of '\(attachmentID)' expired unfinished; create it again")
        }
        guard offset == row.received else {
            throw PlatformError(.offsetMismatch, "the platform holds \(row.received) bytes of '\(attachmentID)', not \(offset)")
        }
        guard row.received + Int64(count) <= row.length else {
            throw PlatformError(.tooLarge, "'\(attachmentID)' was declared with \(row.length) bytes; this chunk goes past it")
        }
    }

    /// A department accepts (受理) a case only when everything it declared has arrived.
    static func requireComplete(_ missing: [String], caseID: String) throws(PlatformError) {
        guard missing.isEmpty else {
            throw PlatformError(
                .incomplete,
                "case \(caseID) still waits for \(missing.count) attachment(s) from its kiosk: \(missing.joined(separator: ", "))")
        }
    }

    static func state(_ row: Row, caseID: String, attachmentID: String) -> UploadState {
        UploadState(
            caseID: caseID, attachmentID: attachmentID, length: row.length, offset: row.received, verified: row.verified,
            expiresAt: row.verified ? nil : row.expiresAt)
    }
}
