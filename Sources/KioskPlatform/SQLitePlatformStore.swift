import Foundation
import GRDB
import KioskCore

/// The platform's storage in one SQLite file (WAL): zero set-up, for tests, demos and small
/// sites. Migrations are appended, never edited.
public final class SQLitePlatformStore: PlatformStorage {
    let writer: any DatabaseWriter

    /// Opens (or creates) the database at `path`.
    public init(path: String) throws(PlatformError) {
        do {
            var configuration = Configuration()
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            configuration.busyMode = .timeout(10)
            writer = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(writer)
        } catch {
            throw PlatformError(.storage, "the platform database at \(path) cannot be opened: \(error)", cause: error)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE kiosk (
                        id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, credential_sha256 TEXT NOT NULL UNIQUE,
                        created_at DATETIME NOT NULL, revoked_at DATETIME);
                    CREATE TABLE platform_case (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT, case_id TEXT NOT NULL UNIQUE,
                        kiosk_id TEXT NOT NULL REFERENCES kiosk(id), content_sha256 TEXT NOT NULL, digest TEXT NOT NULL,
                        receipt_number TEXT NOT NULL, bundle TEXT NOT NULL, bundle_version TEXT NOT NULL,
                        received_at DATETIME NOT NULL, stored_at DATETIME NOT NULL, materials TEXT NOT NULL, prefill TEXT,
                        steps INTEGER, simulated_identity INTEGER NOT NULL, sealed BLOB NOT NULL, detail BLOB NOT NULL,
                        lead_department TEXT NOT NULL);
                    CREATE TABLE work_item (
                        case_id TEXT NOT NULL REFERENCES platform_case(case_id), item TEXT NOT NULL, department TEXT NOT NULL,
                        stage TEXT NOT NULL, reason TEXT, result BLOB, updated_at DATETIME NOT NULL, PRIMARY KEY (case_id, item));
                    CREATE TABLE change (
                        cursor INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL, kind TEXT NOT NULL,
                        case_id TEXT NOT NULL, item TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT, at DATETIME NOT NULL);
                    CREATE INDEX change_by_kiosk ON change (kiosk_id, cursor);
                    CREATE TABLE heartbeat (
                        kiosk_id TEXT PRIMARY KEY REFERENCES kiosk(id), received_at DATETIME NOT NULL, sent_at DATETIME NOT NULL,
                        queue_depth INTEGER NOT NULL, body BLOB NOT NULL);
                    CREATE TABLE rating (
                        rating_id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES platform_case(case_id),
                        level INTEGER NOT NULL, given_at DATETIME NOT NULL);
                    CREATE TABLE follow_up (
                        rating_id TEXT PRIMARY KEY REFERENCES rating(rating_id), case_id TEXT NOT NULL,
                        department TEXT NOT NULL, due_by DATETIME NOT NULL, opened_at DATETIME NOT NULL, closed_at DATETIME);
                    """)
        }
        migrator.registerMigration("v2: attachments, result digests") { db in
            // An attachment's bytes arrive in chunks keyed by their start offset, so that a
            // resumed upload appends without rewriting what is stored.
            try db.execute(
                sql: """
                    CREATE TABLE attachment (
                        case_id TEXT NOT NULL REFERENCES platform_case(case_id), attachment_id TEXT NOT NULL, kind TEXT NOT NULL,
                        length INTEGER NOT NULL, sha256 TEXT NOT NULL, received INTEGER NOT NULL DEFAULT 0, expires_at DATETIME,
                        verified_at DATETIME, PRIMARY KEY (case_id, attachment_id));
                    CREATE TABLE attachment_chunk (
                        case_id TEXT NOT NULL, attachment_id TEXT NOT NULL, start INTEGER NOT NULL, data BLOB NOT NULL,
                        PRIMARY KEY (case_id, attachment_id, start),
                        FOREIGN KEY (case_id, attachment_id) REFERENCES attachment(case_id, attachment_id));
                    CREATE INDEX attachment_unfinished ON attachment (expires_at) WHERE verified_at IS NULL;
                    ALTER TABLE change ADD COLUMN result_sha256 TEXT;
                    ALTER TABLE change ADD COLUMN result_length INTEGER;
                    ALTER TABLE change ADD COLUMN promised_by TEXT;
                    ALTER TABLE follow_up ADD COLUMN note TEXT;
                    """)
        }
        migrator.registerMigration("v3: enrolment") { db in
            // A kiosk enrolled with a token is known by its key (mutual TLS); its bearer
            // credential column holds a value no credential hashes to.
            try db.execute(
                sql: """
                    CREATE TABLE enrolment_token (
                        secret_sha256 TEXT PRIMARY KEY, site TEXT NOT NULL, kiosk_name TEXT NOT NULL, kiosk_id TEXT REFERENCES kiosk(id),
                        created_at DATETIME NOT NULL, expires_at DATETIME NOT NULL, used_at DATETIME, used_by TEXT);
                    ALTER TABLE kiosk ADD COLUMN site TEXT;
                    ALTER TABLE kiosk ADD COLUMN key_sha256 TEXT;
                    ALTER TABLE kiosk ADD COLUMN certificate_not_after DATETIME;
                    """)
        }
        migrator.registerMigration("v4: signed bundles") { db in
            // Bundles are kept as signed (the exact bytes kiosks verify); a version change for
            // every kiosk goes into its feed in the same transaction.
            try db.execute(
                sql: """
                    CREATE TABLE published_bundle (
                        kind TEXT NOT NULL, version INTEGER NOT NULL, envelope BLOB NOT NULL, published_at DATETIME NOT NULL,
                        PRIMARY KEY (kind, version));
                    ALTER TABLE change ADD COLUMN version TEXT;
                    """)
        }
        migrator.registerMigration("v5: audit trails") { db in
            // Each kiosk's audit entries as it sent them, checked on arrival; a kiosk whose
            // trail did not check is flagged with why.
            try db.execute(
                sql: """
                    CREATE TABLE audit_entry (
                        kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL, at DATETIME NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,
                        detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (kiosk_id, seq));
                    ALTER TABLE kiosk ADD COLUMN audit_problem TEXT;
                    """)
        }
        migrator.registerMigration("v6: results collected at kiosks, certificates issued") { db in
            // A delivery is the kiosk's report that it printed an item's result for its
            // citizen (统一出件); a certificate is what a query-and-print answered, kept only as
            // its verification record: nothing of the person beyond the masked name.
            try db.execute(
                sql: """
                    ALTER TABLE platform_case ADD COLUMN result_collection TEXT;
                    CREATE TABLE delivery (
                        delivery_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, case_id TEXT NOT NULL REFERENCES platform_case(case_id),
                        item TEXT NOT NULL, at DATETIME NOT NULL, reprint INTEGER NOT NULL, result_sha256 TEXT,
                        recorded_at DATETIME NOT NULL, PRIMARY KEY (kiosk_id, delivery_id));
                    CREATE INDEX delivery_by_item ON delivery (case_id, item);
                    CREATE TABLE certificate (
                        code TEXT PRIMARY KEY, query_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, service TEXT NOT NULL,
                        service_name TEXT NOT NULL, holder_masked TEXT NOT NULL, issued_at DATETIME NOT NULL,
                        valid_until TEXT, pdf_sha256 TEXT NOT NULL, UNIQUE (kiosk_id, query_id));
                    """)
        }
        return migrator
    }

    func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(PlatformError) -> T {
        do {
            return try await writer.write(body)
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.storage, "\(what) failed: \(error)", cause: error)
        }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(PlatformError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.storage, "\(what) failed: \(error)", cause: error)
        }
    }

    // MARK: Kiosks

    public func addKiosk(id: String, name: String, credentialSHA256: String, at: Date) async throws(PlatformError) -> KioskRecord {
        try await write("adding a kiosk") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM kiosk WHERE name = ?", arguments: [name]) == true {
                throw PlatformError(.duplicateKiosk, "a kiosk named '\(name)' exists already")
            }
            try db.execute(
                sql: "INSERT INTO kiosk (id, name, credential_sha256, created_at) VALUES (?, ?, ?, ?)",
                arguments: [id, name, credentialSHA256, at])
            return KioskRecord(id: id, name: name, createdAt: at, revokedAt: nil)
        }
    }

    public func kiosk(credentialSHA256: String) async throws(PlatformError) -> KioskRecord? {
        try await read("finding a kiosk") { db in
            try Row.fetchOne(
                db, sql: "SELECT id, name, created_at, revoked_at FROM kiosk WHERE credential_sha256 = ? AND revoked_at IS NULL",
                arguments: [credentialSHA256]
            ).map(Self.kiosk)
        }
    }

    public func kiosks() async throws(PlatformError) -> [KioskRecord] {
        try await read("listing kiosks") { db in
            try Row.fetchAll(db, sql: "SELECT id, name, created_at, revoked_at FROM kiosk ORDER BY name").map(Self.kiosk)
        }
    }

    public func fleet() async throws(PlatformError) -> [(kiosk: KioskRecord, heartbeat: HeartbeatRecord?)] {
        try await read("listing the fleet") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT k.id, k.name, k.created_at, k.revoked_at, h.received_at, h.sent_at, h.queue_depth, h.body
                    FROM kiosk k LEFT JOIN heartbeat h ON h.kiosk_id = k.id ORDER BY k.name
                    """
            ).map { row in
                let heartbeat: HeartbeatRecord? = (row["received_at"] as Date?).map { received in
                    HeartbeatRecord(
                        kioskID: row["id"], receivedAt: received, sentAt: row["sent_at"], queueDepth: row["queue_depth"], body: row["body"])
                }
                return (Self.kiosk(row), heartbeat)
            }
        }
    }

    static func kiosk(_ row: Row) -> KioskRecord {
        KioskRecord(id: row["id"], name: row["name"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }

    // MARK: Cases

    public func store(_ batch: [PlannedCase], kiosk: KioskRecord, at: Date) async throws(PlatformError) -> [CaseOutcome] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded: [(PlannedCase, detail: Data, materials: String, prefill: String?)]
        do {
            encoded = try batch.map { plan in
                (
                    plan, try encoder.encode(plan.detail), String(decoding: try encoder.encode(plan.incoming.materials), as: UTF8.self),
                    try plan.incoming.prefill.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
                )
            }
        } catch {
            throw PlatformError(.storage, "the case could not be encoded: \(error)", cause: error)
        }
        guard !encoded.isEmpty else { return [] }
        return try await write("storing cases") { db in
            try encoded.map { plan, detail, materials, prefill in
                try Self.store(plan, detail: detail, materials: materials, prefill: prefill, kiosk: kiosk, at: at, db: db)
            }
        }
    }

    private static func store(
        _ plan: PlannedCase, detail: Data, materials: String, prefill: String?, kiosk: KioskRecord, at: Date, db: Database
    ) throws -> CaseOutcome {
        let incoming = plan.incoming
        // The unique case id decides, not a read before the write: two instances racing on
        // the same replay cannot both insert.
        try db.execute(
            sql: """
                INSERT INTO platform_case (case_id, kiosk_id, content_sha256, digest, receipt_number, bundle, bundle_version,
                    received_at, stored_at, materials, prefill, steps, simulated_identity, sealed, detail, lead_department,
                    result_collection)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO NOTHING
                """,
            arguments: [
                incoming.caseID, kiosk.id, incoming.contentSHA256, plan.digest, incoming.receiptNumber, incoming.bundle,
                incoming.bundleVersion, incoming.receivedAt, at, materials, prefill, incoming.steps, incoming.simulatedIdentity,
                incoming.sealedApplication, detail, plan.leadDepartment, incoming.resultCollection,
            ])
        if db.changesCount == 1 {
            let seq = db.lastInsertedRowID
            for item in plan.items {
                try db.execute(
                    sql: "INSERT INTO work_item (case_id, item, department, stage, updated_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [incoming.caseID, item.item, item.department, ItemState.received.rawValue, at])
            }
            if let level = incoming.rating {
                try db.execute(
                    sql: "INSERT INTO rating (rating_id, case_id, level, given_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: ["\(incoming.caseID)-kiosk", incoming.caseID, level, incoming.receivedAt])
                if let due = plan.followUpDue {
                    try db.execute(
                        sql: """
                            INSERT INTO follow_up (rating_id, case_id, department, due_by, opened_at) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT DO NOTHING
                            """,
                        arguments: ["\(incoming.caseID)-kiosk", incoming.caseID, plan.leadDepartment, due, incoming.receivedAt])
                }
            }
            for attachment in incoming.attachments {
                try db.execute(
                    sql: "INSERT INTO attachment (case_id, attachment_id, kind, length, sha256) VALUES (?, ?, ?, ?, ?)",
                    arguments: [incoming.caseID, attachment.id, attachment.kind, attachment.length, attachment.sha256])
            }
            return CaseOutcome(
                caseID: incoming.caseID, status: .stored, platformReceipt: PlatformReceipt.text(seq), storedAt: at,
                missingAttachments: incoming.attachments.map(\.id))
        }
        let row = try Row.fetchOne(
            db, sql: "SELECT seq, kiosk_id, content_sha256, digest, stored_at FROM platform_case WHERE case_id = ?",
            arguments: [incoming.caseID])
        guard let row, row["kiosk_id"] as String == kiosk.id else {
            // Another kiosk's case: say nothing about it.
            return CaseOutcome(caseID: incoming.caseID, status: .conflict, message: "this case id is taken; the kiosk must make a new one")
        }
        guard row["content_sha256"] as String == incoming.contentSHA256, row["digest"] as String == plan.digest else {
            return CaseOutcome(
                caseID: incoming.caseID, status: .conflict,
                message: "case \(incoming.caseID) was delivered before with other content; the first delivery stands")
        }
        return CaseOutcome(
            caseID: incoming.caseID, status: .stored, platformReceipt: PlatformReceipt.text(row["seq"]), storedAt: row["stored_at"],
            missingAttachments: try missingAttachments(db, caseID: incoming.caseID))
    }

    public func changes(kiosk: String, after cursor: Int64, limit: Int) async throws(PlatformError) -> (changes: [ChangeRecord], more: Bool)
    {
        try await read("reading changes") { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM change WHERE kiosk_id = ? AND cursor > ? ORDER BY cursor LIMIT ?",
                arguments: [kiosk, cursor, limit + 1])
            let changes = rows.prefix(limit).compactMap { row -> ChangeRecord? in
                guard let kind = ChangeRecord.Kind(rawValue: row["kind"]) else { return nil }
                return ChangeRecord(
                    cursor: row["cursor"], kind: kind, at: row["at"], caseID: row["case_id"], item: row["item"],
                    stage: ItemState(rawValue: row["stage"]), reason: row["reason"], promisedBy: row["promised_by"],
                    resultSHA256: row["result_sha256"], resultLength: row["result_length"], version: row["version"])
            }
            return (changes, rows.count > limit)
        }
    }

    public func advance(
        _ move: ItemMove, check: @escaping @Sendable (BundleCase) throws(PlatformError) -> Void,
        promise: @escaping @Sendable (BundleCase) -> String?
    ) async throws(PlatformError) -> CaseSummary {
        try await write("moving an item") { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT kiosk_id, detail FROM platform_case WHERE case_id = ?", arguments: [move.caseID])
            else { throw PlatformError(.unknownCase, "no case \(move.caseID)") }
            var bundleCase = try JSONDecoder().decode(BundleCase.self, from: row["detail"] as Data)
            try check(bundleCase)
            if move.stage == .accepted {
                try UploadRules.requireComplete(try Self.missingAttachments(db, caseID: move.caseID), caseID: move.caseID)
            }
            do {
                try bundleCase.move(move.item, to: move.stage, day: move.day, at: move.at, actor: move.actor, reason: move.reason)
            } catch let error as CaseError {
                throw PlatformError(error.code == .unknownItem ? .unknownItem : .illegalStage, error.message, cause: error)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try db.execute(
                sql: "UPDATE platform_case SET detail = ? WHERE case_id = ?", arguments: [try encoder.encode(bundleCase), move.caseID])
            try db.execute(
                sql:
                    "UPDATE work_item SET stage = ?, reason = ?, result = coalesce(?, result), updated_at = ? WHERE case_id = ? AND item = ?",
                arguments: [move.stage.rawValue, move.reason, move.result, move.at, move.caseID, move.item])
            let kiosk: String = row["kiosk_id"]
            try db.execute(
                sql: "INSERT INTO change (kiosk_id, kind, case_id, item, stage, reason, at, promised_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    kiosk, ChangeRecord.Kind.itemStage.rawValue, move.caseID, move.item, move.stage.rawValue, move.reason, move.at,
                    promise(bundleCase),
                ])
            if let result = move.result {
                try db.execute(
                    sql: """
                        INSERT INTO change (kiosk_id, kind, case_id, item, stage, reason, at, result_sha256, result_length)
                        VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)
                        """,
                    arguments: [
                        kiosk, ChangeRecord.Kind.resultReady.rawValue, move.caseID, move.item, move.stage.rawValue, move.at,
                        PlatformDigest.sha256Hex(result), result.count,
                    ])
            }
            return try Self.summaries(db, caseID: move.caseID)[0]
        }
    }

    public func cases() async throws(PlatformError) -> [CaseSummary] {
        try await read("listing cases") { db in try Self.summaries(db, caseID: nil) }
    }

    public func sealedApplication(caseID: String) async throws(PlatformError) -> Data? {
        try await read("reading a sealed application") { db in
            try Data.fetchOne(db, sql: "SELECT sealed FROM platform_case WHERE case_id = ?", arguments: [caseID])
        }
    }

    private static func summaries(_ db: Database, caseID: String?) throws -> [CaseSummary] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT c.seq, c.case_id, c.receipt_number, c.bundle, c.received_at, k.name FROM platform_case c
                JOIN kiosk k ON k.id = c.kiosk_id \(caseID == nil ? "" : "WHERE c.case_id = ?") ORDER BY c.seq DESC
                """,
            arguments: caseID.map { [$0] } ?? [])
        return try rows.map { row in
            let id: String = row["case_id"]
            let items = try Row.fetchAll(
                db, sql: "SELECT item, department, stage FROM work_item WHERE case_id = ? ORDER BY item", arguments: [id]
            ).map { item in
                CaseSummary.Item(id: item["item"], department: item["department"], stage: ItemState(rawValue: item["stage"]) ?? .received)
            }
            return CaseSummary(
                caseID: id, kioskName: row["name"], platformReceipt: PlatformReceipt.text(row["seq"]), receiptNumber: row["receipt_number"],
                bundle: row["bundle"], receivedAt: row["received_at"], items: items,
                missingAttachments: try missingAttachments(db, caseID: id))
        }
    }

    // MARK: Heartbeats and ratings

    public func recordHeartbeat(_ heartbeat: HeartbeatRecord) async throws(PlatformError) {
        try await write("recording a heartbeat") { db in
            try db.execute(
                sql: """
                    INSERT INTO heartbeat (kiosk_id, received_at, sent_at, queue_depth, body) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (kiosk_id) DO UPDATE SET received_at = excluded.received_at, sent_at = excluded.sent_at,
                        queue_depth = excluded.queue_depth, body = excluded.body
                    """,
                arguments: [heartbeat.kioskID, heartbeat.receivedAt, heartbeat.sentAt, heartbeat.queueDepth, heartbeat.body])
        }
    }

    public func recordRating(
        id: String, caseID: String, kiosk: String, level: Int, givenAt: Date, followUpDue: Date?
    ) async throws(PlatformError) -> Bool {
        try await write("recording a rating") { db in
            guard let owner = try String.fetchOne(db, sql: "SELECT kiosk_id FROM platform_case WHERE case_id = ?", arguments: [caseID]),
                owner == kiosk
            else { throw PlatformError(.unknownCase, "no case \(caseID) from this kiosk") }
            try db.execute(
                sql: "INSERT INTO rating (rating_id, case_id, level, given_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [id, caseID, level, givenAt])
            if db.changesCount == 0 {
                let stored = try Row.fetchOne(db, sql: "SELECT case_id, level FROM rating WHERE rating_id = ?", arguments: [id])
                guard stored?["case_id"] as String? == caseID, stored?["level"] as Int? == level else {
                    throw PlatformError(.conflict, "rating \(id) was given before with another case or level")
                }
            }
            guard let due = followUpDue else { return false }
            let lead =
                try String.fetchOne(db, sql: "SELECT lead_department FROM platform_case WHERE case_id = ?", arguments: [caseID]) ?? ""
            try db.execute(
                sql:
                    "INSERT INTO follow_up (rating_id, case_id, department, due_by, opened_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [id, caseID, lead, due, givenAt])
            return true
        }
    }
}
