import Foundation
import GRDB
import KioskAPI
import KioskCore

/// The platform's changes, applied with the cursor in one transaction: after a kill the kiosk
/// either has a change and the cursor past it, or neither, so a change is never skipped or
/// applied twice.
extension CaseStore {
    /// The cursor of the last change applied (0 before the first).
    public func syncCursor() throws(StoreError) -> Int64 {
        try readSync("reading the cursor") { db in try Self.meta(db, "sync_cursor").flatMap { Int64($0) } ?? 0 }
    }

    /// Applies a page of changes read after `cursor`, and moves the cursor to the last one.
    /// Returns false (and applies nothing) when the stored cursor moved meanwhile.
    @discardableResult
    public func apply(_ changes: [PlatformChange], after cursor: Int64, timeZone: TimeZone) throws(StoreError) -> Bool {
        guard let last = changes.last?.cursor else { return true }
        return try writeSync("applying the platform's changes") { db in
            guard (try Self.meta(db, "sync_cursor").flatMap { Int64($0) } ?? 0) == cursor else { return false }
            for change in changes { try Self.apply(change, db: db, timeZone: timeZone) }
            try Self.setMeta(db, "sync_cursor", String(last))
            return true
        }
    }

    private static func apply(_ change: PlatformChange, db: Database, timeZone: TimeZone) throws {
        switch change.kind {
        case .itemStage:
            guard let caseID = change.caseID, let item = change.item, let stage = change.stage,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM kiosk_case WHERE id = ?", arguments: [caseID]) == true
            else { return }
            try db.execute(
                sql: """
                    INSERT INTO case_item_status (case_id, item_id, stage, reason, promised_by, at, cursor) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (case_id, item_id) DO UPDATE SET stage = excluded.stage, reason = excluded.reason,
                        promised_by = coalesce(excluded.promised_by, promised_by), at = excluded.at, cursor = excluded.cursor
                    """,
                arguments: [caseID, item, stage, change.reason, change.promisedBy, change.at, change.cursor])
            try db.execute(
                sql: "INSERT INTO case_event (case_id, item_id, kind, at, detail) VALUES (?, ?, 'platform-stage', ?, ?)",
                arguments: [caseID, item, change.at, stage])
            // The case's own record follows where the procedure allows; the platform's word
            // (above) stands either way.
            if let state = ItemState(rawValue: stage),
                let data = try Data.fetchOne(db, sql: "SELECT detail FROM kiosk_case WHERE id = ?", arguments: [caseID]),
                var detail = try? KioskJSON.decoder().decode(BundleCase.self, from: data),
                (try? detail.move(
                    item, to: state, day: CivilDate(change.at, in: timeZone), at: change.at, actor: "platform", reason: change.reason))
                    != nil
            {
                try db.execute(
                    sql: "UPDATE kiosk_case SET detail = ?, state = ?, updated_at = ? WHERE id = ?",
                    arguments: [try KioskJSON.encoder().encode(detail), stage, change.at, caseID])
            }
        case .resultReady:
            guard let caseID = change.caseID, let item = change.item else { return }
            try db.execute(
                sql: "UPDATE case_item_status SET result_sha256 = ?, result_length = ? WHERE case_id = ? AND item_id = ?",
                arguments: [change.resultSHA256, change.resultLength, caseID, item])
        case .catalogVersion, .calendarVersion, .configurationVersion, .sealingVersion, .maintenanceVersion, .servicesVersion:
            // Staged for the signature check (identity issue); never installed unchecked.
            guard let version = change.version else { return }
            // The installed version ages from the first announcement of anything newer (the
            // offline policy's catalogue limit): a later announcement does not make it younger.
            // Installing the staged version (identity issue) clears both.
            try setMeta(db, "staged_\(change.kind.rawValue)", version)
            if try Self.meta(db, "staged_\(change.kind.rawValue)_at") == nil {
                try setMeta(db, "staged_\(change.kind.rawValue)_at", Self.iso(change.at))
            }
        case .revocation:
            try setMeta(db, "revoked_at", ISO8601DateFormatter().string(from: change.at))
        }
    }

    /// Each item of these cases as the platform last reported it.
    public func platformStatuses(caseIDs: [String]) throws(StoreError) -> [String: [String: PlatformItemStatus]] {
        guard !caseIDs.isEmpty else { return [:] }
        return try readSync("reading the platform's stages") { db in
            var statuses: [String: [String: PlatformItemStatus]] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT case_id, item_id, stage, reason, promised_by, at, result_sha256, result_length FROM case_item_status
                    WHERE case_id IN (\(caseIDs.map { _ in "?" }.joined(separator: ",")))
                    """,
                arguments: StatementArguments(caseIDs))
            for row in rows {
                let item: String = row["item_id"]
                statuses[row["case_id"], default: [:]][item] = PlatformItemStatus(
                    item: item, stage: row["stage"], reason: row["reason"], promisedBy: row["promised_by"], at: row["at"],
                    resultReady: row["result_sha256"] as String? != nil, resultSHA256: row["result_sha256"],
                    resultLength: row["result_length"])
            }
            return statuses
        }
    }

    // MARK: Sync state

    /// A successful exchange with the platform, with both clocks.
    public func recordSyncSuccess(at: Date, serverTime: Date?) throws(StoreError) {
        try writeSync("recording sync") { db in
            try Self.setMeta(db, "sync_last_success", Self.iso(at))
            try Self.setMeta(db, "sync_last_attempt", Self.iso(at))
            if let serverTime { try Self.setMeta(db, "sync_skew_seconds", String(at.timeIntervalSince(serverTime))) }
            try db.execute(sql: "DELETE FROM kiosk_meta WHERE key = 'sync_last_error'")
        }
    }

    /// A signed `kind` (`catalog-version`…) bundle is installed at `version`: what was staged up
    /// to it is done, and the installed one's expiry is kept for the offline policy.
    public func recordInstalled(kind: String, version: Int, expires: Date) throws(StoreError) {
        try writeSync("recording an installed bundle") { db in
            if let staged = try Self.meta(db, "staged_\(kind)").flatMap({ Int($0) }), staged <= version {
                try db.execute(sql: "DELETE FROM kiosk_meta WHERE key IN (?, ?)", arguments: ["staged_\(kind)", "staged_\(kind)_at"])
            }
            try Self.setMeta(db, "installed_\(kind)", String(version))
            try Self.setMeta(db, "installed_\(kind)_expires", Self.iso(expires))
        }
    }

    /// A failed exchange, in words a technician can act on.
    public func recordSyncFailure(at: Date, error: String) throws(StoreError) {
        try writeSync("recording sync") { db in
            try Self.setMeta(db, "sync_last_attempt", Self.iso(at))
            try Self.setMeta(db, "sync_last_error", error)
        }
    }

    /// Where sync stands.
    public func syncFigures() throws(StoreError) -> SyncFigures {
        try readSync("reading sync figures") { db in
            let queue = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS depth, min(created_at) AS oldest FROM outbox o
                    WHERE o.kind = 'case' AND (o.acknowledged_at IS NULL
                        OR EXISTS (SELECT 1 FROM outbox_attachment a WHERE a.case_id = o.case_id AND a.verified_at IS NULL))
                    """)
            let attachments = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox_attachment WHERE verified_at IS NULL") ?? 0
            let ratings = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE kind = 'rating' AND acknowledged_at IS NULL") ?? 0
            let deliveries =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE kind = 'delivery' AND acknowledged_at IS NULL") ?? 0
            var staged: [String: String] = [:]
            var stagedAt: [String: Date] = [:]
            var installed: [String: Int] = [:]
            var expires: [String: Date] = [:]
            for kind in [
                "catalog-version", "calendar-version", "configuration-version", "sealing-version", "maintenance-version",
                "services-version",
            ] {
                if let version = try Self.meta(db, "staged_\(kind)") { staged[kind] = version }
                if let at = try Self.meta(db, "staged_\(kind)_at").flatMap(Self.date) { stagedAt[kind] = at }
                if let version = try Self.meta(db, "installed_\(kind)").flatMap({ Int($0) }) { installed[kind] = version }
                if let at = try Self.meta(db, "installed_\(kind)_expires").flatMap(Self.date) { expires[kind] = at }
            }
            var figures = SyncFigures(
                queueDepth: queue?["depth"] ?? 0, oldestUnsentAt: queue?["oldest"], unsentAttachments: attachments, unsentRatings: ratings,
                lastSuccessAt: try Self.meta(db, "sync_last_success").flatMap(Self.date),
                lastAttemptAt: try Self.meta(db, "sync_last_attempt").flatMap(Self.date),
                lastError: try Self.meta(db, "sync_last_error"), cursor: try Self.meta(db, "sync_cursor").flatMap { Int64($0) } ?? 0,
                skewSeconds: try Self.meta(db, "sync_skew_seconds").flatMap(Double.init), staged: staged,
                stagedAt: stagedAt, installed: installed, installedExpires: expires)
            figures.unsentDeliveries = deliveries
            return figures
        }
    }

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM kiosk_meta WHERE key = ?", arguments: [key])
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.execute(
            sql: "INSERT INTO kiosk_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [key, value])
    }

    private static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
