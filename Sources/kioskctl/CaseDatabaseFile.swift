import Foundation
import GRDBSQLite

/// kiosk.db read directly, while kioskd is stopped, through SQLite's C API: kioskctl keeps
/// out of the server stack (GRDB) and needs one count.
struct CaseDatabaseFile {
    let path: String

    /// Cases the platform has not fully stored yet (the case, or one of its attachments),
    /// counted as the relay counts its queue; 0 when there is no database.
    func unsentCases() throws(CLIFailure) -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        // Read-write though it only reads: the last connection to close a WAL database removes
        // the -wal and -shm files it made. A read-only one leaves them behind, owned by whoever
        // ran kioskctl (root), and kioskd, as its own user, could not open its database again.
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            throw failure(handle)
        }
        sqlite3_busy_timeout(handle, 5000)
        let hasOutbox = try count(handle, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'outbox'")
        guard hasOutbox > 0 else { return 0 }
        let hasAttachments = try count(handle, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'outbox_attachment'")
        let attachments =
            hasAttachments > 0
            ? " OR EXISTS (SELECT 1 FROM outbox_attachment a WHERE a.case_id = o.case_id AND a.verified_at IS NULL)" : ""
        return try count(handle, "SELECT count(*) FROM outbox o WHERE o.kind = 'case' AND (o.acknowledged_at IS NULL\(attachments))")
    }

    private func count(_ handle: OpaquePointer?, _ sql: String) throws(CLIFailure) -> Int {
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, sqlite3_step(statement) == SQLITE_ROW else {
            throw failure(handle)
        }
        return Int(sqlite3_column_int64(statement, 0))
    }

    private func failure(_ handle: OpaquePointer?) -> CLIFailure {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
        return CLIFailure(
            "cannot tell whether cases wait to be sent: \(path): \(message). Start kioskd and let it sync (kioskctl sync status), or pass --discard-unsent",
            exitCode: 1)
    }
}
