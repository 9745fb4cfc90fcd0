import Foundation
import GRDB
import KioskAPI

/// A case as the store keeps it: nothing personal in the clear. The personal part exists only
/// sealed to the platform's key, in the outbox payload and the attachments, until the purge.
public struct NewCase: Sendable {
    public var id: String
    public var receiptNumber: String
    public var bundleID: String
    public var state: String
    public var createdAt: Date
    /// What the sync relay will send to the platform (already sealed or free of personal data).
    public var outboxPayload: Data
    /// A keyed hash of the applicant's ID number, to find their cases again.
    public var citizenKey: String?
    /// The case's items and states, free of personal data (JSON of the domain's case).
    public var detail: Data?
    /// Files that follow the case to the platform (sealed where personal).
    public var attachments: [NewAttachment] = []
    /// How the citizen will collect the results (`window`, `kiosk`, `post`), not personal.
    public var resultCollection: String?

    public init(
        id: String, receiptNumber: String, bundleID: String, state: String = "received", createdAt: Date = Date(),
        outboxPayload: Data, citizenKey: String? = nil, detail: Data? = nil
    ) {
        self.citizenKey = citizenKey
        self.detail = detail
        self.id = id
        self.receiptNumber = receiptNumber
        self.bundleID = bundleID
        self.state = state
        self.createdAt = createdAt
        self.outboxPayload = outboxPayload
    }
}

/// A file that follows its case to the platform.
public struct NewAttachment: Sendable, Hashable {
    /// Stored in pieces of this size, which the relay reads one at a time.
    public static let chunkSize = 64 * 1024
    public var id: String
    /// `signature`, `pledge`, `material` or `photo` (the contract's kinds).
    public var kind: String
    public var bytes: Data

    public init(id: String, kind: String, bytes: Data) {
        self.id = id
        self.kind = kind
        self.bytes = bytes
    }
}

extension CaseStore {
    /// Commits a case, its first event, its outbox row and its attachments in one transaction, durably.
    /// When this returns, the receipt may be printed.
    public func insert(_ newCase: NewCase) throws(StoreError) {
        let database = try database()
        do {
            try database.writer.write { db in
                try Self.insert(newCase, in: db)
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    static func insert(_ newCase: NewCase, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO kiosk_case (id, receipt_number, bundle_id, state, created_at, updated_at, sealed,
                    citizen_key, detail, result_collection)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                newCase.id, newCase.receiptNumber, newCase.bundleID, newCase.state, newCase.createdAt,
                // `sealed` (a column of the first schema) stays empty: the sealed part lives only in the outbox.
                newCase.createdAt, Data(), newCase.citizenKey, newCase.detail, newCase.resultCollection,
            ])
        try db.execute(
            sql: "INSERT INTO case_event (case_id, kind, at) VALUES (?, 'received', ?)",
            arguments: [newCase.id, newCase.createdAt])
        try db.execute(
            sql: "INSERT INTO outbox (case_id, kind, payload, content_hash, created_at) VALUES (?, 'case', ?, ?, ?)",
            arguments: [newCase.id, newCase.outboxPayload, ContentHash.sha256Hex(newCase.outboxPayload), newCase.createdAt])
        for attachment in newCase.attachments {
            try db.execute(
                sql: "INSERT INTO outbox_attachment (case_id, attachment_id, kind, length, sha256) VALUES (?, ?, ?, ?, ?)",
                arguments: [newCase.id, attachment.id, attachment.kind, attachment.bytes.count, ContentHash.sha256Hex(attachment.bytes)])
            var start = 0
            while start < attachment.bytes.count {
                let end = min(attachment.bytes.count, start + NewAttachment.chunkSize)
                try db.execute(
                    sql: "INSERT INTO outbox_attachment_chunk (case_id, attachment_id, start, data) VALUES (?, ?, ?, ?)",
                    arguments: [newCase.id, attachment.id, start, attachment.bytes.subdata(in: start..<end)])
                start = end
            }
        }
    }

    /// Whether a case with this receipt number is stored (receipts must never be lost).
    public func caseExists(receiptNumber: String) throws(StoreError) -> Bool {
        let database = try database()
        do {
            return try database.writer.read { db in
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM kiosk_case WHERE receipt_number = ?)", arguments: [receiptNumber])
                    ?? false
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// Figures for the status API.
    public func summary() -> StoreSummary {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        switch condition {
        case let .quarantined(record):
            return StoreSummary(
                condition: "quarantined", path: path, acceptsCases: false, sizeBytes: 0, cases: 0, syncQueueDepth: 0,
                oldestUnsentAt: nil, migrations: [], quarantine: record)
        case let .open(database):
            let figures = try? database.writer.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM kiosk_case") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE acknowledged_at IS NULL") ?? 0,
                    try Date.fetchOne(db, sql: "SELECT min(created_at) FROM outbox WHERE acknowledged_at IS NULL"),
                    try KioskDatabase.migrator.appliedMigrations(db)
                )
            }
            return StoreSummary(
                condition: "open", path: path, acceptsCases: true, sizeBytes: size, cases: figures?.0 ?? 0,
                syncQueueDepth: figures?.1 ?? 0, oldestUnsentAt: figures?.2, migrations: figures?.3 ?? [], quarantine: nil)
        }
    }

    /// A cheap proof that the database answers, for the watchdog's health check.
    public func ping() throws(StoreError) {
        guard case let .open(database) = condition else { return }
        do {
            _ = try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// Runs `PRAGMA quick_check` on the open database (for `kioskctl doctor`).
    public func quickCheck() throws(StoreError) {
        let database = try database()
        do {
            try KioskDatabase.check(database.writer)
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    // MARK: Device counters

    /// The counters saved for a device.
    public func deviceCounters(device: String) throws(StoreError) -> [String: Int64] {
        guard case let .open(database) = condition else { return [:] }
        do {
            return try database.writer.read { db in
                let rows = try Row.fetchAll(db, sql: "SELECT counter, value FROM device_counter WHERE device_id = ?", arguments: [device])
                return Dictionary(rows.map { ($0["counter"], $0["value"]) }, uniquingKeysWith: { $1 })
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// Adds to a device counter and returns the new value. While quarantined, counters are not
    /// saved (the caller keeps them in memory).
    public func incrementDeviceCounter(device: String, counter: String, by amount: Int64) throws(StoreError) -> Int64? {
        guard case let .open(database) = condition else { return nil }
        do {
            return try database.writer.write { db in
                try Int64.fetchOne(
                    db,
                    sql: """
                        INSERT INTO device_counter (device_id, counter, value) VALUES (?, ?, ?)
                        ON CONFLICT (device_id, counter) DO UPDATE SET value = value + excluded.value
                        RETURNING value
                        """,
                    arguments: [device, counter, amount])
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    // MARK: Wall clock

    /// Records the wall clock, so that a clock set back (dead RTC battery) is noticed.
    public func recordWallClock(_ now: Date = Date()) throws(StoreError) {
        guard case let .open(database) = condition else { return }
        do {
            try database.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO kiosk_meta (key, value) VALUES ('last_wall_clock', ?)
                        ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
                        """,
                    // Every minute, for the daemon's life: the ISO 8601 style of FoundationEssentials
                    // (ISO8601DateFormatter builds an ICU formatter, which maps megabytes of ICU
                    // into an idle daemon). Same text, so earlier values still compare.
                    arguments: [now.formatted(Date.ISO8601FormatStyle())])
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// The latest wall-clock time this kiosk has ever recorded.
    public func lastWallClock() -> Date? {
        guard case let .open(database) = condition else { return nil }
        let text: String?? = try? database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM kiosk_meta WHERE key = 'last_wall_clock'")
        }
        guard let text = text ?? nil else { return nil }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
