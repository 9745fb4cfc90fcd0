import Foundation
import GRDB

/// The kiosk's SQLite database: schema, migrations and the settings that make a committed
/// case survive a power cut (WAL, `synchronous=FULL`, foreign keys).
///
/// Migrations are only ever appended: a kiosk in the field may be several versions behind,
/// and every step it has not run yet must still be there, unchanged.
public struct KioskDatabase: Sendable {
    /// The connection pool (or queue, in tests).
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` and migrates it.
    ///
    /// Throws ``StoreError`` with code `.corrupt` when the file is not a healthy database;
    /// the caller decides whether to quarantine it (see ``CaseStore``).
    public static func open(path: String) throws(StoreError) -> KioskDatabase {
        let isNew = !FileManager.default.fileExists(atPath: path)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration())
            if isNew {
                // Sealed personal data lives here: only the daemon's user may read the file.
                try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            }
            try check(pool)
            let database = KioskDatabase(writer: pool)
            try migrator.migrate(pool)
            return database
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// An empty, migrated database in memory, for tests and previews.
    public static func inMemory() throws(StoreError) -> KioskDatabase {
        do {
            let queue = try DatabaseQueue(configuration: configuration())
            try migrator.migrate(queue)
            return KioskDatabase(writer: queue)
        } catch {
            throw StoreError(classifying: error, path: ":memory:")
        }
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.label = "kiosk"
        configuration.prepareDatabase { db in
            // FULL: a commit has reached the disk before it returns, so a receipt in the
            // citizen's hand always means a durable case (the reference's guarantee 1).
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted content is overwritten with zeros, in the file and its free pages: a purge
            // must leave nothing of a citizen's sealed data for a forensic read of the disk.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        return configuration
    }

    /// `PRAGMA quick_check`: a corrupt file must be found at start, not in the middle of a
    /// citizen's submission.
    static func check(_ writer: any DatabaseWriter) throws {
        let messages = try writer.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        guard messages == ["ok"] else {
            throw StoreError(.corrupt, "the database failed its integrity check: \(messages.prefix(3).joined(separator: "; "))")
        }
    }

    /// The tables in the order their rows can be copied (parents first), for recovery.
    static let tablesInDependencyOrder = [
        "kiosk_meta", "device_counter", "kiosk_case", "case_event", "outbox", "print_job", "outbox_attachment", "outbox_attachment_chunk",
        "case_item_status", "result_delivery",
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: cases, events, outbox, device counters") { db in
            try db.create(table: "kiosk_meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "device_counter") { t in
                t.column("device_id", .text).notNull()
                t.column("counter", .text).notNull()
                t.column("value", .integer).notNull().defaults(to: 0)
                t.primaryKey(["device_id", "counter"])
            }
            try db.create(table: "kiosk_case") { t in
                t.primaryKey("id", .text)  // UUIDv7, made on the kiosk: the idempotency key
                t.column("receipt_number", .text).notNull().unique()
                t.column("bundle_id", .text).notNull()
                t.column("state", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                // Personal data, sealed: the kiosk cannot read it back once submitted.
                t.column("sealed", .blob).notNull()
            }
            try db.create(index: "kiosk_case_created_at", on: "kiosk_case", columns: ["created_at"])
            try db.create(table: "case_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("case_id", .text).notNull().indexed().references("kiosk_case", onDelete: .cascade)
                t.column("item_id", .text)
                t.column("kind", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("detail", .text)
            }
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("case_id", .text).notNull().indexed().references("kiosk_case", onDelete: .restrict)
                t.column("kind", .text).notNull()
                t.column("payload", .blob).notNull()
                t.column("content_hash", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at", .datetime)
                t.column("last_error", .text)
                t.column("acknowledged_at", .datetime)
            }
            try db.create(
                index: "outbox_pending", on: "outbox", columns: ["acknowledged_at", "seq"])
        }
        migrator.registerMigration("v2: print jobs") { db in
            // The job itself is one JSON document (its shape belongs to the print queue);
            // the columns are what the queue looks jobs up by. No foreign key to the case:
            // printing must never block or alter a case.
            try db.create(table: "print_job") { t in
                t.primaryKey("id", .text)
                t.column("case_number", .text).notNull()
                t.column("state", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("job", .blob).notNull()
            }
            try db.execute(
                sql: """
                    CREATE INDEX print_job_unfinished ON print_job(created_at)
                    WHERE state IN ('queued', 'submitted', 'printing')
                    """)
            try db.create(index: "print_job_case", on: "print_job", columns: ["case_number", "created_at"])
        }
        migrator.registerMigration("v3: citizen lookup key and case detail") { db in
            // `citizen_key` is a keyed hash of the applicant's ID number ("check my progress"
            // finds a citizen's cases without the number being stored); `detail` is the case's
            // items and their states, free of personal data.
            try db.alter(table: "kiosk_case") { t in
                t.add(column: "citizen_key", .text)
                t.add(column: "detail", .blob)
            }
            try db.create(index: "kiosk_case_citizen", on: "kiosk_case", columns: ["citizen_key", "created_at"])
        }
        migrator.registerMigration("v4: sync: attachments, acknowledgements, platform stages") { db in
            // The platform's acknowledgement of a case, kept with its outbox row.
            try db.alter(table: "outbox") { t in
                t.add(column: "platform_receipt", .text)
            }
            // Attachments follow their case: committed with it, in chunks so that the relay
            // streams them (never one whole file in memory), each with what the platform holds.
            try db.create(table: "outbox_attachment") { t in
                t.column("case_id", .text).notNull().references("kiosk_case", onDelete: .restrict)
                t.column("attachment_id", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("length", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.column("verified_at", .datetime)
                t.primaryKey(["case_id", "attachment_id"])
            }
            try db.execute(sql: "CREATE INDEX outbox_attachment_unsent ON outbox_attachment (case_id) WHERE verified_at IS NULL")
            try db.create(table: "outbox_attachment_chunk") { t in
                t.column("case_id", .text).notNull()
                t.column("attachment_id", .text).notNull()
                t.column("start", .integer).notNull()
                t.column("data", .blob).notNull()
                t.primaryKey(["case_id", "attachment_id", "start"])
                t.foreignKey(["case_id", "attachment_id"], references: "outbox_attachment", onDelete: .cascade)
            }
            // Each item as the platform last reported it: the progress screen's truth.
            try db.create(table: "case_item_status") { t in
                t.column("case_id", .text).notNull().references("kiosk_case", onDelete: .cascade)
                t.column("item_id", .text).notNull()
                t.column("stage", .text).notNull()
                t.column("reason", .text)
                t.column("promised_by", .text)
                t.column("at", .datetime).notNull()
                t.column("result_sha256", .text)
                t.column("result_length", .integer)
                t.column("cursor", .integer).notNull()
                t.primaryKey(["case_id", "item_id"])
            }
        }
        migrator.registerMigration("v5: sealed to the platform, purged after retention") { db in
            // When a case's sealed part was purged (acknowledged by the platform, then kept for
            // the retention period): its payload is empty from then on.
            try db.alter(table: "outbox") { t in
                t.add(column: "purged_at", .datetime)
            }
            // The first schema kept a second, symmetric copy of the sealed part here, which this
            // kiosk could open; nothing reads it any more.
            try db.execute(sql: "UPDATE kiosk_case SET sealed = X''")
        }
        migrator.registerMigration("v6: results collected at the kiosk") { db in
            // The citizen's collection choice, read at submit before the form is sealed away
            // (not personal); each result printed here (统一出件), reprints included, so that a
            // second visit shows it collected. Its report to the platform is an outbox row.
            try db.alter(table: "kiosk_case") { t in
                t.add(column: "result_collection", .text)
            }
            try db.create(table: "result_delivery") { t in
                t.primaryKey("delivery_id", .text)
                t.column("case_id", .text).notNull().references("kiosk_case", onDelete: .cascade)
                t.column("item_id", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("reprint", .boolean).notNull()
            }
            try db.create(index: "result_delivery_item", on: "result_delivery", columns: ["case_id", "item_id"])
        }
        migrator.registerMigration("v7: result prints under way") { db in
            // A result's CUPS job from submission to its end: a job that completes while kioskd
            // is down (killed, restarted) is still a delivery, found at the next start.
            try db.create(table: "result_print") { t in
                t.primaryKey("job", .integer)
                t.column("case_id", .text).notNull().references("kiosk_case", onDelete: .cascade)
                t.column("item_id", .text).notNull()
                t.column("result_sha256", .text)
                t.column("started_at", .datetime).notNull()
            }
        }
        return migrator
    }

    /// Closes every connection (the WAL is checkpointed by SQLite on the last close).
    public func close() throws(StoreError) {
        do {
            try writer.close()
        } catch {
            throw StoreError(classifying: error, path: writer.path)
        }
    }

    /// The names of the migrations applied to this database, in order.
    public func appliedMigrations() throws(StoreError) -> [String] {
        do {
            return try writer.read { db in try Self.migrator.appliedMigrations(db) }
        } catch {
            throw StoreError(classifying: error, path: writer.path)
        }
    }
}
