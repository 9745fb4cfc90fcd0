import Foundation
import KioskCore
import Logging
import PostgresNIO

/// The platform's storage on PostgreSQL, for sites where one machine is not enough: any number
/// of `kiosk-platform serve` instances over one database stay correct because every decision is
/// made by a constraint or a row lock inside one transaction, never in a process's memory.
///
/// - A replayed case: the unique `case_id` decides (`ON CONFLICT DO NOTHING`), then the stored
///   hashes tell a replay from a conflict.
/// - The change feed: each kiosk's cursor is taken from its own row under a row lock, so a
///   change with a lower cursor can never commit after a reader has moved past it.
/// - A department's move: the case row is locked (`FOR UPDATE`) while the move is checked.
public final class PostgresPlatformStore: PlatformStorage {
    private let client: PostgresClient
    private let logger: Logger
    private let started = PoolStarted()

    /// A store over the database at `url` (`postgres://user[:password]@host:port/database`).
    /// `run()` must run (in a task or a service group) for as long as the store is used.
    public init(url: String, logger: Logger) throws(PlatformError) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, let user = components.user
        else {
            throw PlatformError(.storage, "'\(url)' is not a postgres://user@host:port/database address")
        }
        let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        client = PostgresClient(
            configuration: .init(
                host: host, port: components.port ?? 5432, username: user, password: components.password,
                database: database.isEmpty ? nil : database, tls: .disable),
            backgroundLogger: logger)
        self.logger = logger
    }

    /// Keeps the connection pool running until the task is cancelled. Queries wait for it.
    public func run() async {
        // Opened just before: `client.run()` marks itself running before it first suspends.
        started.open()
        await client.run()
    }

    /// Applies the migrations not applied yet. Instances starting together take turns on an
    /// advisory lock, so each migration runs exactly once.
    public func migrate() async throws(PlatformError) {
        try await transaction("migrating the platform database") { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(7240011)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migration (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            let applied = try await connection.query("SELECT version FROM schema_migration", logger: logger)
            var versions: Set<String> = []
            for try await version in applied.decode(String.self) { versions.insert(version) }
            for (version, statements) in Self.migrations where !versions.contains(version) {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO schema_migration (version) VALUES (\(version))", logger: logger)
            }
        }
    }

    /// Appended only, never edited.
    private static let migrations: [(String, [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE kiosk (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, credential_sha256 TEXT NOT NULL UNIQUE,
                    created_at TIMESTAMPTZ NOT NULL, revoked_at TIMESTAMPTZ, change_seq BIGINT NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE platform_case (
                    seq BIGSERIAL PRIMARY KEY, case_id TEXT NOT NULL UNIQUE, kiosk_id TEXT NOT NULL REFERENCES kiosk(id),
                    content_sha256 TEXT NOT NULL, digest TEXT NOT NULL, receipt_number TEXT NOT NULL, bundle TEXT NOT NULL,
                    bundle_version TEXT NOT NULL, received_at TIMESTAMPTZ NOT NULL, stored_at TIMESTAMPTZ NOT NULL,
                    materials TEXT NOT NULL, prefill TEXT, steps INTEGER, simulated_identity BOOLEAN NOT NULL,
                    sealed BYTEA NOT NULL, detail BYTEA NOT NULL, lead_department TEXT NOT NULL)
                """,
                """
                CREATE TABLE work_item (
                    case_id TEXT NOT NULL REFERENCES platform_case(case_id), item TEXT NOT NULL, department TEXT NOT NULL,
                    stage TEXT NOT NULL, reason TEXT, result BYTEA, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (case_id, item))
                """,
                """
                CREATE TABLE change (
                    kiosk_id TEXT NOT NULL REFERENCES kiosk(id), cursor BIGINT NOT NULL, kind TEXT NOT NULL, case_id TEXT NOT NULL,
                    item TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT, at TIMESTAMPTZ NOT NULL, PRIMARY KEY (kiosk_id, cursor))
                """,
                """
                CREATE TABLE heartbeat (
                    kiosk_id TEXT PRIMARY KEY REFERENCES kiosk(id), received_at TIMESTAMPTZ NOT NULL, sent_at TIMESTAMPTZ NOT NULL,
                    queue_depth INTEGER NOT NULL, body BYTEA NOT NULL)
                """,
                """
                CREATE TABLE rating (
                    rating_id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES platform_case(case_id), level INTEGER NOT NULL,
                    given_at TIMESTAMPTZ NOT NULL)
                """,
                """
                CREATE TABLE follow_up (
                    rating_id TEXT PRIMARY KEY REFERENCES rating(rating_id), case_id TEXT NOT NULL, department TEXT NOT NULL,
                    due_by TIMESTAMPTZ NOT NULL, opened_at TIMESTAMPTZ NOT NULL, closed_at TIMESTAMPTZ)
                """,
            ]
        ),
        (
            "v2: attachments, result digests",
            [
                """
                CREATE TABLE attachment (
                    case_id TEXT NOT NULL REFERENCES platform_case(case_id), attachment_id TEXT NOT NULL, kind TEXT NOT NULL,
                    length BIGINT NOT NULL, sha256 TEXT NOT NULL, received BIGINT NOT NULL DEFAULT 0, expires_at TIMESTAMPTZ,
                    verified_at TIMESTAMPTZ, PRIMARY KEY (case_id, attachment_id))
                """,
                """
                CREATE TABLE attachment_chunk (
                    case_id TEXT NOT NULL, attachment_id TEXT NOT NULL, start BIGINT NOT NULL, data BYTEA NOT NULL,
                    PRIMARY KEY (case_id, attachment_id, start),
                    FOREIGN KEY (case_id, attachment_id) REFERENCES attachment(case_id, attachment_id))
                """,
                "CREATE INDEX attachment_unfinished ON attachment (expires_at) WHERE verified_at IS NULL",
                "ALTER TABLE change ADD COLUMN result_sha256 TEXT",
                "ALTER TABLE change ADD COLUMN result_length BIGINT",
                "ALTER TABLE change ADD COLUMN promised_by TEXT",
                "ALTER TABLE follow_up ADD COLUMN note TEXT",
            ]
        ),
        (
            "v3: enrolment",
            [
                """
                CREATE TABLE enrolment_token (
                    secret_sha256 TEXT PRIMARY KEY, site TEXT NOT NULL, kiosk_name TEXT NOT NULL, kiosk_id TEXT REFERENCES kiosk(id),
                    created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, used_at TIMESTAMPTZ, used_by TEXT)
                """,
                "ALTER TABLE kiosk ADD COLUMN site TEXT",
                "ALTER TABLE kiosk ADD COLUMN key_sha256 TEXT",
                "ALTER TABLE kiosk ADD COLUMN certificate_not_after TIMESTAMPTZ",
            ]
        ),
        (
            "v4: signed bundles",
            [
                """
                CREATE TABLE published_bundle (
                    kind TEXT NOT NULL, version INTEGER NOT NULL, envelope BYTEA NOT NULL, published_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (kind, version))
                """,
                "ALTER TABLE change ADD COLUMN version TEXT",
            ]
        ),
        (
            "v5: audit trails",
            [
                """
                CREATE TABLE audit_entry (
                    kiosk_id TEXT NOT NULL, seq BIGINT NOT NULL, at TIMESTAMPTZ NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL,
                    detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (kiosk_id, seq))
                """,
                "ALTER TABLE kiosk ADD COLUMN audit_problem TEXT",
            ]
        ),
        (
            "v6: results collected at kiosks, certificates issued",
            [
                "ALTER TABLE platform_case ADD COLUMN result_collection TEXT",
                """
                CREATE TABLE delivery (
                    delivery_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, case_id TEXT NOT NULL REFERENCES platform_case(case_id),
                    item TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, reprint BOOLEAN NOT NULL, result_sha256 TEXT,
                    recorded_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (kiosk_id, delivery_id))
                """,
                "CREATE INDEX delivery_by_item ON delivery (case_id, item)",
                """
                CREATE TABLE certificate (
                    code TEXT PRIMARY KEY, query_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, service TEXT NOT NULL,
                    service_name TEXT NOT NULL, holder_masked TEXT NOT NULL, issued_at TIMESTAMPTZ NOT NULL,
                    valid_until TEXT, pdf_sha256 TEXT NOT NULL, UNIQUE (kiosk_id, query_id))
                """,
            ]
        ),
    ]

    func transaction<T: Sendable>(
        _ what: String, _ body: (PostgresConnection, Logger) async throws -> T
    ) async throws(PlatformError) -> T {
        let logger = self.logger
        await started.wait()
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection, logger) }
        } catch let error as PostgresTransactionError {
            // A refusal made inside the transaction (it was rolled back) is the answer itself.
            if let refusal = error.closureError as? PlatformError { throw refusal }
            throw PlatformError(.storage, "\(what) failed: \(String(reflecting: error))", cause: error)
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.storage, "\(what) failed: \(String(reflecting: error))", cause: error)
        }
    }

    // MARK: Kiosks

    public func addKiosk(id: String, name: String, credentialSHA256: String, at: Date) async throws(PlatformError) -> KioskRecord {
        try await transaction("adding a kiosk") { connection, logger in
            let rows = try await connection.query(
                """
                INSERT INTO kiosk (id, name, credential_sha256, created_at) VALUES (\(id), \(name), \(credentialSHA256), \(at))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: logger)
            var inserted = false
            for try await _ in rows.decode(String.self) { inserted = true }
            guard inserted else { throw PlatformError(.duplicateKiosk, "a kiosk named '\(name)' exists already") }
            return KioskRecord(id: id, name: name, createdAt: at, revokedAt: nil)
        }
    }

    public func kiosk(credentialSHA256: String) async throws(PlatformError) -> KioskRecord? {
        try await transaction("finding a kiosk") { connection, logger in
            let rows = try await connection.query(
                "SELECT id, name, created_at, revoked_at FROM kiosk WHERE credential_sha256 = \(credentialSHA256) AND revoked_at IS NULL",
                logger: logger)
            for try await (id, name, created, revoked) in rows.decode((String, String, Date, Date?).self) {
                return KioskRecord(id: id, name: name, createdAt: created, revokedAt: revoked)
            }
            return nil
        }
    }

    public func kiosks() async throws(PlatformError) -> [KioskRecord] {
        try await transaction("listing kiosks") { connection, logger in
            let rows = try await connection.query("SELECT id, name, created_at, revoked_at FROM kiosk ORDER BY name", logger: logger)
            var kiosks: [KioskRecord] = []
            for try await (id, name, created, revoked) in rows.decode((String, String, Date, Date?).self) {
                kiosks.append(KioskRecord(id: id, name: name, createdAt: created, revokedAt: revoked))
            }
            return kiosks
        }
    }

    public func fleet() async throws(PlatformError) -> [(kiosk: KioskRecord, heartbeat: HeartbeatRecord?)] {
        try await transaction("listing the fleet") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT k.id, k.name, k.created_at, k.revoked_at, h.received_at, h.sent_at, h.queue_depth, h.body
                FROM kiosk k LEFT JOIN heartbeat h ON h.kiosk_id = k.id ORDER BY k.name
                """, logger: logger)
            var fleet: [(kiosk: KioskRecord, heartbeat: HeartbeatRecord?)] = []
            for try await (id, name, created, revoked, received, sent, depth, body) in rows.decode(
                (String, String, Date, Date?, Date?, Date?, Int?, Data?).self)
            {
                var heartbeat: HeartbeatRecord?
                if let received, let sent, let depth, let body {
                    heartbeat = HeartbeatRecord(kioskID: id, receivedAt: received, sentAt: sent, queueDepth: depth, body: body)
                }
                fleet.append((KioskRecord(id: id, name: name, createdAt: created, revokedAt: revoked), heartbeat))
            }
            return fleet
        }
    }

    // MARK: Cases

    /// One transaction per batch, each step one statement over arrays (`unnest`): the cases,
    /// then the work items and attachments of those that were new, then the earlier answers of
    /// those that were not. Round trips per batch stay the same whatever its size.
    public func store(_ batch: [PlannedCase], kiosk: KioskRecord, at: Date) async throws(PlatformError) -> [CaseOutcome] {
        guard !batch.isEmpty else { return [] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var details: [ByteBuffer] = []
        var materials: [String] = []
        var prefills: [String] = []
        do {
            for plan in batch {
                details.append(ByteBuffer(bytes: try encoder.encode(plan.detail)))
                materials.append(String(decoding: try encoder.encode(plan.incoming.materials), as: UTF8.self))
                prefills.append(try plan.incoming.prefill.map { String(decoding: try encoder.encode($0), as: UTF8.self) } ?? "")
            }
        } catch {
            throw PlatformError(.storage, "the case could not be encoded: \(error)", cause: error)
        }
        let cases = batch.map(\.incoming)
        let ids = cases.map(\.caseID)
        let contents = cases.map(\.contentSHA256)
        let digests = batch.map(\.digest)
        let receipts = cases.map(\.receiptNumber)
        let bundles = cases.map(\.bundle)
        let versions = cases.map(\.bundleVersion)
        let received = cases.map(\.receivedAt)
        let steps = cases.map { $0.steps ?? -1 }
        let simulated = cases.map(\.simulatedIdentity)
        let sealed = cases.map { ByteBuffer(bytes: $0.sealedApplication) }
        let leads = batch.map(\.leadDepartment)
        let collections = cases.map { $0.resultCollection ?? "" }
        return try await transaction("storing cases") { connection, logger in
            // The unique case id decides: two instances racing on the same replay cannot both insert.
            let inserted = try await connection.query(
                """
                INSERT INTO platform_case (case_id, kiosk_id, content_sha256, digest, receipt_number, bundle, bundle_version, received_at,
                    stored_at, materials, prefill, steps, simulated_identity, sealed, detail, lead_department, result_collection)
                SELECT c, \(kiosk.id), h, d, r, b, v, ra, \(at), m, NULLIF(p, ''), NULLIF(s, -1), si, se, de, l, NULLIF(rc, '')
                FROM unnest(\(ids)::text[], \(contents)::text[], \(digests)::text[], \(receipts)::text[], \(bundles)::text[],
                    \(versions)::text[], \(received)::timestamptz[], \(materials)::text[], \(prefills)::text[], \(steps)::bigint[],
                    \(simulated)::boolean[], \(sealed)::bytea[], \(details)::bytea[], \(leads)::text[], \(collections)::text[])
                    AS t(c, h, d, r, b, v, ra, m, p, s, si, se, de, l, rc)
                ON CONFLICT (case_id) DO NOTHING RETURNING case_id, seq
                """, logger: logger)
            var new: [String: Int64] = [:]
            for try await (id, seq) in inserted.decode((String, Int64).self) { new[id] = seq }
            let fresh = batch.filter { new[$0.incoming.caseID] != nil }
            // A case id twice in one batch: only its first copy is new.
            var seen: Set<String> = []
            let firsts = fresh.filter { seen.insert($0.incoming.caseID).inserted }
            let itemCases = firsts.flatMap { plan in plan.items.map { _ in plan.incoming.caseID } }
            let itemIDs = firsts.flatMap { $0.items.map(\.item) }
            let departments = firsts.flatMap { $0.items.map(\.department) }
            if !itemIDs.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO work_item (case_id, item, department, stage, updated_at)
                    SELECT c, i, d, \(ItemState.received.rawValue), \(at)
                    FROM unnest(\(itemCases)::text[], \(itemIDs)::text[], \(departments)::text[]) AS t(c, i, d)
                    """, logger: logger)
            }
            let attachmentCases = firsts.flatMap { plan in plan.incoming.attachments.map { _ in plan.incoming.caseID } }
            let attachments = firsts.flatMap(\.incoming.attachments)
            if !attachments.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO attachment (case_id, attachment_id, kind, length, sha256)
                    SELECT c, a, k, n, h
                    FROM unnest(\(attachmentCases)::text[], \(attachments.map(\.id))::text[], \(attachments.map(\.kind))::text[],
                        \(attachments.map(\.length))::bigint[], \(attachments.map(\.sha256))::text[]) AS t(c, a, k, n, h)
                    """, logger: logger)
            }
            for plan in firsts {
                guard let level = plan.incoming.rating else { continue }
                try await connection.query(
                    """
                    INSERT INTO rating (rating_id, case_id, level, given_at)
                    VALUES (\(plan.incoming.caseID + "-kiosk"), \(plan.incoming.caseID), \(level), \(plan.incoming.receivedAt))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                if let due = plan.followUpDue {
                    try await connection.query(
                        """
                        INSERT INTO follow_up (rating_id, case_id, department, due_by, opened_at)
                        VALUES (\(plan.incoming.caseID + "-kiosk"), \(plan.incoming.caseID), \(plan.leadDepartment), \(due),
                            \(plan.incoming.receivedAt)) ON CONFLICT DO NOTHING
                        """, logger: logger)
                }
            }
            // The rest exist: committed by an earlier delivery, by another instance just now,
            // or earlier in this batch.
            let others = Array(Set(ids).subtracting(firsts.map(\.incoming.caseID)))
            var existing: [String: (seq: Int64, owner: String, content: String, digest: String, storedAt: Date)] = [:]
            if !others.isEmpty {
                let rows = try await connection.query(
                    """
                    SELECT case_id, seq, kiosk_id, content_sha256, digest, stored_at FROM platform_case
                    WHERE case_id = ANY(\(others)::text[])
                    """, logger: logger)
                for try await (id, seq, owner, content, digest, storedAt) in rows.decode((String, Int64, String, String, String, Date).self)
                {
                    existing[id] = (seq, owner, content, digest, storedAt)
                }
            }
            var answered: Set<String> = []
            var outcomes: [CaseOutcome] = []
            for plan in batch {
                let incoming = plan.incoming
                let id = incoming.caseID
                if let seq = new[id], answered.insert(id).inserted {
                    outcomes.append(
                        CaseOutcome(
                            caseID: id, status: .stored, platformReceipt: PlatformReceipt.text(seq), storedAt: at,
                            missingAttachments: incoming.attachments.map(\.id)))
                    continue
                }
                let row = existing[id] ?? new[id].map { (seq: $0, owner: kiosk.id, content: "", digest: "", storedAt: at) }
                guard let row, row.owner == kiosk.id else {
                    outcomes.append(
                        CaseOutcome(caseID: id, status: .conflict, message: "this case id is taken; the kiosk must make a new one"))
                    continue
                }
                let first = batch.first { $0.incoming.caseID == id && new[id] != nil }
                let sameContent =
                    first.map { $0.incoming.contentSHA256 == incoming.contentSHA256 && $0.digest == plan.digest }
                    ?? (row.content == incoming.contentSHA256 && row.digest == plan.digest)
                guard sameContent else {
                    outcomes.append(
                        CaseOutcome(
                            caseID: id, status: .conflict,
                            message: "case \(id) was delivered before with other content; the first delivery stands"))
                    continue
                }
                outcomes.append(
                    CaseOutcome(
                        caseID: id, status: .stored, platformReceipt: PlatformReceipt.text(row.seq), storedAt: row.storedAt,
                        missingAttachments: try await Self.missingAttachments(caseID: id, connection: connection, logger: logger)))
            }
            return outcomes
        }
    }

    public func changes(kiosk: String, after cursor: Int64, limit: Int) async throws(PlatformError) -> (changes: [ChangeRecord], more: Bool)
    {
        try await transaction("reading changes") { connection, logger in
            let rows = try await connection.query(
                """
                SELECT cursor, kind, at, case_id, item, stage, reason, result_sha256, result_length, promised_by, version FROM change
                WHERE kiosk_id = \(kiosk) AND cursor > \(cursor) ORDER BY cursor LIMIT \(limit + 1)
                """, logger: logger)
            var changes: [ChangeRecord] = []
            for try await (cursor, kind, at, caseID, item, stage, reason, resultSHA256, resultLength, promisedBy, version) in rows.decode(
                (Int64, String, Date, String, String, String, String?, String?, Int64?, String?, String?).self)
            {
                guard let kind = ChangeRecord.Kind(rawValue: kind) else { continue }
                changes.append(
                    ChangeRecord(
                        cursor: cursor, kind: kind, at: at, caseID: caseID, item: item, stage: ItemState(rawValue: stage), reason: reason,
                        promisedBy: promisedBy, resultSHA256: resultSHA256, resultLength: resultLength, version: version))
            }
            let more = changes.count > limit
            return (Array(changes.prefix(limit)), more)
        }
    }

    public func advance(
        _ move: ItemMove, check: @escaping @Sendable (BundleCase) throws(PlatformError) -> Void,
        promise: @escaping @Sendable (BundleCase) -> String?
    ) async throws(PlatformError) -> CaseSummary {
        try await transaction("moving an item") { connection, logger in
            let rows = try await connection.query(
                "SELECT kiosk_id, detail FROM platform_case WHERE case_id = \(move.caseID) FOR UPDATE", logger: logger)
            var found: (String, Data)?
            for try await row in rows.decode((String, Data).self) { found = row }
            guard let (kiosk, detail) = found else { throw PlatformError(.unknownCase, "no case \(move.caseID)") }
            var bundleCase = try JSONDecoder().decode(BundleCase.self, from: detail)
            try check(bundleCase)
            if move.stage == .accepted {
                let missing = try await Self.missingAttachments(caseID: move.caseID, connection: connection, logger: logger)
                try UploadRules.requireComplete(missing, caseID: move.caseID)
            }
            do {
                try bundleCase.move(move.item, to: move.stage, day: move.day, at: move.at, actor: move.actor, reason: move.reason)
            } catch let error as CaseError {
                throw PlatformError(error.code == .unknownItem ? .unknownItem : .illegalStage, error.message, cause: error)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let updated = try encoder.encode(bundleCase)
            try await connection.query("UPDATE platform_case SET detail = \(updated) WHERE case_id = \(move.caseID)", logger: logger)
            try await connection.query(
                """
                UPDATE work_item SET stage = \(move.stage.rawValue), reason = \(move.reason), result = coalesce(\(move.result), result),
                    updated_at = \(move.at) WHERE case_id = \(move.caseID) AND item = \(move.item)
                """, logger: logger)
            var kinds: [ChangeRecord.Kind] = [.itemStage]
            if move.result != nil { kinds.append(.resultReady) }
            for kind in kinds {
                let cursor = try await Self.nextCursor(kiosk: kiosk, connection: connection, logger: logger)
                let reason = kind == .itemStage ? move.reason : nil
                let result = kind == .resultReady ? move.result : nil
                let resultSHA256 = result.map(PlatformDigest.sha256Hex)
                let resultLength = result.map { Int64($0.count) }
                let promised = kind == .itemStage ? promise(bundleCase) : nil
                try await connection.query(
                    """
                    INSERT INTO change (kiosk_id, cursor, kind, case_id, item, stage, reason, at, result_sha256, result_length, promised_by)
                    VALUES (\(kiosk), \(cursor), \(kind.rawValue), \(move.caseID), \(move.item), \(move.stage.rawValue), \(reason), \(move.at),
                        \(resultSHA256), \(resultLength), \(promised))
                    """, logger: logger)
            }
            return try await Self.summaries(caseID: move.caseID, connection: connection, logger: logger)[0]
        }
    }

    /// The kiosk's next cursor, taken under the lock of the kiosk's row: the transaction that
    /// takes cursor n commits before any transaction can take n + 1.
    static func nextCursor(kiosk: String, connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(
            "UPDATE kiosk SET change_seq = change_seq + 1 WHERE id = \(kiosk) RETURNING change_seq", logger: logger)
        for try await cursor in rows.decode(Int64.self) { return cursor }
        throw PlatformError(.unknownKiosk, "no kiosk \(kiosk)")
    }

    public func cases() async throws(PlatformError) -> [CaseSummary] {
        try await transaction("listing cases") { connection, logger in
            try await Self.summaries(caseID: nil, connection: connection, logger: logger)
        }
    }

    public func sealedApplication(caseID: String) async throws(PlatformError) -> Data? {
        try await transaction("reading a sealed application") { connection, logger in
            let rows = try await connection.query("SELECT sealed FROM platform_case WHERE case_id = \(caseID)", logger: logger)
            for try await sealed in rows.decode(ByteBuffer.self) { return Data(sealed.readableBytesView) }
            return nil
        }
    }

    private static func summaries(caseID: String?, connection: PostgresConnection, logger: Logger) async throws -> [CaseSummary] {
        let rows = try await connection.query(
            """
            SELECT c.seq, c.case_id, c.receipt_number, c.bundle, c.received_at, k.name FROM platform_case c
            JOIN kiosk k ON k.id = c.kiosk_id WHERE \(caseID)::text IS NULL OR c.case_id = \(caseID)::text ORDER BY c.seq DESC
            """, logger: logger)
        var summaries: [CaseSummary] = []
        for try await (seq, id, receipt, bundle, received, kiosk) in rows.decode((Int64, String, String, String, Date, String).self) {
            summaries.append(
                CaseSummary(
                    caseID: id, kioskName: kiosk, platformReceipt: PlatformReceipt.text(seq), receiptNumber: receipt, bundle: bundle,
                    receivedAt: received, items: [], missingAttachments: []))
        }
        for index in summaries.indices {
            summaries[index].missingAttachments = try await missingAttachments(
                caseID: summaries[index].caseID, connection: connection, logger: logger)
            let items = try await connection.query(
                "SELECT item, department, stage FROM work_item WHERE case_id = \(summaries[index].caseID) ORDER BY item", logger: logger)
            for try await (item, department, stage) in items.decode((String, String, String).self) {
                summaries[index].items.append(.init(id: item, department: department, stage: ItemState(rawValue: stage) ?? .received))
            }
        }
        return summaries
    }

    // MARK: Heartbeats and ratings

    public func recordHeartbeat(_ heartbeat: HeartbeatRecord) async throws(PlatformError) {
        try await transaction("recording a heartbeat") { connection, logger in
            _ = try await connection.query(
                """
                INSERT INTO heartbeat (kiosk_id, received_at, sent_at, queue_depth, body)
                VALUES (\(heartbeat.kioskID), \(heartbeat.receivedAt), \(heartbeat.sentAt), \(heartbeat.queueDepth), \(heartbeat.body))
                ON CONFLICT (kiosk_id) DO UPDATE SET received_at = excluded.received_at, sent_at = excluded.sent_at,
                    queue_depth = excluded.queue_depth, body = excluded.body
                """, logger: logger)
        }
    }

    public func recordRating(
        id: String, caseID: String, kiosk: String, level: Int, givenAt: Date, followUpDue: Date?
    ) async throws(PlatformError) -> Bool {
        try await transaction("recording a rating") { connection, logger in
            let owners = try await connection.query(
                "SELECT kiosk_id, lead_department FROM platform_case WHERE case_id = \(caseID)", logger: logger)
            var lead: String?
            for try await (owner, department) in owners.decode((String, String).self) where owner == kiosk { lead = department }
            guard let lead else { throw PlatformError(.unknownCase, "no case \(caseID) from this kiosk") }
            let inserted = try await connection.query(
                """
                INSERT INTO rating (rating_id, case_id, level, given_at) VALUES (\(id), \(caseID), \(level), \(givenAt))
                ON CONFLICT DO NOTHING RETURNING rating_id
                """, logger: logger)
            var isNew = false
            for try await _ in inserted.decode(String.self) { isNew = true }
            if !isNew {
                let stored = try await connection.query("SELECT case_id, level FROM rating WHERE rating_id = \(id)", logger: logger)
                for try await (storedCase, storedLevel) in stored.decode((String, Int).self)
                where storedCase != caseID || storedLevel != level {
                    throw PlatformError(.conflict, "rating \(id) was given before with another case or level")
                }
            }
            guard let due = followUpDue else { return false }
            try await connection.query(
                """
                INSERT INTO follow_up (rating_id, case_id, department, due_by, opened_at)
                VALUES (\(id), \(caseID), \(lead), \(due), \(givenAt)) ON CONFLICT DO NOTHING
                """, logger: logger)
            return true
        }
    }
}
