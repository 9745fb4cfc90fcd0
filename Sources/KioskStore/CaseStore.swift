import Foundation
import GRDB
import KioskAPI
import Logging

/// The kiosk's store as the daemon sees it: either open, or quarantined after damage.
///
/// While quarantined the kiosk keeps running (status, devices, printing of earlier receipts)
/// but refuses new cases, because a case accepted into a fresh database while an old one
/// waits for recovery could be numbered twice or lost in the merge.
public actor CaseStore {
    /// The store's condition, as the status API and `kioskctl doctor` report it.
    public enum Condition: Sendable {
        case open(KioskDatabase)
        case quarantined(Quarantine)
    }

    /// Where the store keeps its files.
    public let path: String
    public private(set) var condition: Condition
    private let logger: Logger

    private var quarantineFolder: String { ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("quarantine") }
    private var pendingRecord: String { (quarantineFolder as NSString).appendingPathComponent("pending.json") }

    /// Opens the database at `path`, quarantining it if it is damaged.
    ///
    /// Throws only when nothing can be done by the daemon itself (folder missing or not
    /// writable, disk full): a damaged file is not an error here, it is a condition.
    public init(path: String, logger: Logger) throws(StoreError) {
        self.path = path
        self.logger = logger
        let folder = (path as NSString).deletingLastPathComponent
        let pending = ((folder as NSString).appendingPathComponent("quarantine") as NSString)
            .appendingPathComponent("pending.json")
        if let data = FileManager.default.contents(atPath: pending),
            let record = try? Self.decoder.decode(Quarantine.self, from: data)
        {
            logger.error(
                "Store is quarantined; new cases are refused until a technician runs 'kioskctl store recover' or 'kioskctl store reset'",
                metadata: ["store.quarantined": "\(record.movedTo)"])
            condition = .quarantined(record)
            return
        }
        do throws(StoreError) {
            condition = .open(try KioskDatabase.open(path: path))
        } catch  where error.code == .corrupt {
            let record = try Self.quarantine(path: path, reason: error.message, logger: logger)
            condition = .quarantined(record)
        }
    }

    /// Whether new cases may be accepted.
    public var acceptsCases: Bool {
        if case .open = condition { return true }
        return false
    }

    /// The open database, or `quarantined` if there is none.
    public func database() throws(StoreError) -> KioskDatabase {
        switch condition {
        case let .open(database): return database
        case let .quarantined(record):
            throw StoreError(
                .quarantined,
                "the database was damaged and moved to \(record.movedTo); run 'kioskctl store recover' or 'kioskctl store reset'")
        }
    }

    // MARK: Quarantine

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Moves a damaged database (with its WAL and shared-memory files) aside, never deleting it.
    static func quarantine(
        path: String, reason: String, logger: Logger, now: Date = Date()
    ) throws(StoreError)
        -> Quarantine
    {
        let fileManager = FileManager.default
        let folder = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("quarantine")
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let target = (folder as NSString).appendingPathComponent("\(base)-\(Quarantine.stamp(now)).db")
        do {
            try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            // The WAL may hold the latest committed cases: it travels with the database.
            for suffix in ["", "-wal", "-shm"] where fileManager.fileExists(atPath: path + suffix) {
                try fileManager.moveItem(atPath: path + suffix, toPath: target + suffix)
            }
            let record = Quarantine(movedTo: target, originalPath: path, at: now, reason: reason)
            try encoder.encode(record).write(
                to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("pending.json")), options: .atomic)
            logger.critical(
                "Damaged database moved aside; new cases are refused until a technician runs 'kioskctl store recover' or 'kioskctl store reset'",
                metadata: ["store.quarantined": "\(target)", "store.reason": "\(reason)"])
            return record
        } catch {
            throw StoreError(
                .io, "the damaged database at \(path) could not be moved aside: \(error.localizedDescription)",
                cause: error)
        }
    }

    /// Starts a new, empty database; the quarantined file stays where it is.
    public func reset() throws(StoreError) -> StoreDecision {
        guard case let .quarantined(record) = condition else {
            throw StoreError(.other, "the store is not quarantined: there is nothing to reset")
        }
        let database = try KioskDatabase.open(path: path)
        try resolve(record, as: "reset")
        condition = .open(database)
        logger.notice("Store reset by technician; the quarantined file is kept", metadata: ["store.quarantined": "\(record.movedTo)"])
        return StoreDecision(action: "reset", quarantined: record.movedTo)
    }

    /// Builds a new database from every row that can still be read in the quarantined file.
    ///
    /// The quarantined file is copied first and only the copy is read, so the evidence is
    /// never modified. Rows are read by rowid ranges, and a range that fails is retried row
    /// by row, so one damaged page loses only the rows on it.
    public func recover() throws(StoreError) -> StoreDecision {
        guard case let .quarantined(record) = condition else {
            throw StoreError(.other, "the store is not quarantined: there is nothing to recover")
        }
        let fileManager = FileManager.default
        let scratch = path + ".recovering"
        let source = scratch + "-source.db"
        for file in [scratch, scratch + "-wal", scratch + "-shm", source, source + "-wal"] { try? fileManager.removeItem(atPath: file) }
        defer { for file in [source, source + "-wal", source + "-shm"] { try? fileManager.removeItem(atPath: file) } }
        var decision = StoreDecision(action: "recover", quarantined: record.movedTo)
        do {
            try fileManager.copyItem(atPath: record.movedTo, toPath: source)
            if fileManager.fileExists(atPath: record.movedTo + "-wal") {
                try fileManager.copyItem(atPath: record.movedTo + "-wal", toPath: source + "-wal")
            }
            let target = try KioskDatabase.open(path: scratch)
            try Self.salvage(from: source, into: target.writer, decision: &decision)
            // Fold the WAL into the file before moving it: the recovered rows must all be in
            // the one file that takes the original's place.
            try target.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try target.writer.close()
            for suffix in ["-wal", "-shm"] where fileManager.fileExists(atPath: scratch + suffix) {
                try fileManager.moveItem(atPath: scratch + suffix, toPath: path + suffix)
            }
            try fileManager.moveItem(atPath: scratch, toPath: path)
        } catch {
            throw StoreError(classifying: error, path: path)
        }
        let database = try KioskDatabase.open(path: path)
        try resolve(record, as: "recover")
        condition = .open(database)
        logger.notice(
            "Store recovered by technician",
            metadata: [
                "store.recovered": "\(decision.recoveredRows.values.reduce(0, +))",
                "store.lost": "\(decision.lostRows.values.reduce(0, +))",
            ])
        return decision
    }

    private static func salvage(from source: String, into target: any DatabaseWriter, decision: inout StoreDecision) throws {
        var configuration = Configuration()
        configuration.readonly = true
        // A damaged file may contain anything: never let its foreign keys or triggers run.
        configuration.foreignKeysEnabled = false
        let damaged: DatabaseQueue
        do {
            damaged = try DatabaseQueue(path: source, configuration: configuration)
        } catch {
            // Not even the header can be read: nothing to salvage, an empty database results.
            return
        }
        for table in KioskDatabase.tablesInDependencyOrder {
            var recovered = 0
            var lost = 0
            let rows: [Row]
            let maxRowID = (try? damaged.read { db in try Int64.fetchOne(db, sql: "SELECT max(rowid) FROM \(table)") }) ?? nil
            guard let maxRowID else {
                decision.recoveredRows[table] = 0
                continue
            }
            var collected: [Row] = []
            var start: Int64 = 0
            let chunk: Int64 = 256
            while start <= maxRowID {
                let end = start + chunk
                if let chunkRows = try? damaged.read({ db in
                    try Row.fetchAll(
                        db, sql: "SELECT rowid AS _rowid, * FROM \(table) WHERE rowid >= ? AND rowid < ?", arguments: [start, end])
                }) {
                    collected += chunkRows
                } else {
                    for rowid in start..<end {
                        do {
                            let row = try damaged.read { db in
                                try Row.fetchOne(db, sql: "SELECT rowid AS _rowid, * FROM \(table) WHERE rowid = ?", arguments: [rowid])
                            }
                            if let row { collected.append(row) }
                        } catch {
                            lost += 1
                        }
                    }
                }
                start = end
            }
            rows = collected
            try target.write { db in
                for row in rows {
                    let columns = row.columnNames.filter { $0 != "_rowid" }
                    let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
                    let values = columns.map { row[$0] as DatabaseValue }
                    do {
                        try db.execute(
                            sql: "INSERT OR IGNORE INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))",
                            arguments: StatementArguments(values))
                        recovered += db.changesCount
                    } catch {
                        lost += 1
                    }
                }
            }
            decision.recoveredRows[table] = recovered
            if lost > 0 { decision.lostRows[table] = lost }
        }
    }

    private func resolve(_ record: Quarantine, as action: String) throws(StoreError) {
        let resolved = (quarantineFolder as NSString).appendingPathComponent(
            "\(((record.movedTo as NSString).lastPathComponent as NSString).deletingPathExtension).\(action).json")
        do {
            try FileManager.default.moveItem(atPath: pendingRecord, toPath: resolved)
        } catch {
            throw StoreError(.io, "the quarantine record could not be closed: \(error.localizedDescription)")
        }
    }
}
