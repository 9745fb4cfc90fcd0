import Foundation
import GRDB
import KioskAPI

/// A stored case as "check my progress" lists it.
public struct StoredCase: Sendable, Hashable {
    public var id: String
    public var receiptNumber: String
    public var bundleID: String
    public var state: String
    public var createdAt: Date
    public var updatedAt: Date
    /// The case's items and states (JSON), when stored.
    public var detail: Data?
    /// How the citizen chose to collect the results (`window`, `kiosk`, `post`), when recorded.
    public var resultCollection: String? = nil
}

extension CaseStore {
    /// Commits a case numbered with the next sequence of its day, in one transaction: two
    /// submissions can never get the same receipt number.
    ///
    /// - Parameters:
    ///   - dayTag: the day as it appears in the receipt number (`20261123`).
    ///   - make: builds the case from its sequence number (1 for the day's first case).
    public func insertNumbered(dayTag: String, _ make: @Sendable (Int) throws -> NewCase) throws(StoreError) -> NewCase {
        let database = try database()
        do {
            return try database.writer.write { db in
                // The highest sequence ever issued that day, from the cases and from a
                // high-water mark: a deleted or lost row must never free its number again.
                let stored =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT max(CAST(substr(receipt_number, 22, 5) AS INTEGER)) FROM kiosk_case
                            WHERE receipt_number LIKE ?
                            """,
                        arguments: ["%-\(dayTag)-%"]) ?? 0
                let markKey = "receipt.sequence.\(dayTag)"
                let mark =
                    try String.fetchOne(db, sql: "SELECT value FROM kiosk_meta WHERE key = ?", arguments: [markKey])
                    .flatMap { Int($0) } ?? 0
                let next = max(stored, mark) + 1
                let newCase = try make(next)
                try Self.insert(newCase, in: db)
                try db.execute(
                    sql: "INSERT INTO kiosk_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [markKey, String(next)])
                return newCase
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// The cases of one citizen, newest first.
    public func cases(citizenKey: String, limit: Int = 20) throws(StoreError) -> [StoredCase] {
        let database = try database()
        do {
            return try database.writer.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, receipt_number, bundle_id, state, created_at, updated_at, detail, result_collection
                        FROM kiosk_case WHERE citizen_key = ? ORDER BY created_at DESC LIMIT ?
                        """,
                    arguments: [citizenKey, limit]
                ).map {
                    StoredCase(
                        id: $0["id"], receiptNumber: $0["receipt_number"], bundleID: $0["bundle_id"], state: $0["state"],
                        createdAt: $0["created_at"], updatedAt: $0["updated_at"], detail: $0["detail"],
                        resultCollection: $0["result_collection"])
                }
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// Records the citizen's rating (好差评, 1–5) of a case, and queues it for the platform in
    /// the same transaction.
    public func recordRating(caseID: String, level: Int, at: Date = Date()) throws(StoreError) {
        let database = try database()
        do {
            try database.writer.write { db in
                try db.execute(
                    sql: "INSERT INTO case_event (case_id, kind, at, detail) VALUES (?, 'rating', ?, ?)",
                    arguments: [caseID, at, String(level)])
                let message = RatingMessage(ratingID: "\(caseID)-r\(db.lastInsertedRowID)", caseID: caseID, level: level, givenAt: at)
                let payload = try KioskJSON.encoder().encode(message)
                try db.execute(
                    sql: "INSERT INTO outbox (case_id, kind, payload, content_hash, created_at) VALUES (?, 'rating', ?, ?, ?)",
                    arguments: [caseID, payload, ContentHash.sha256Hex(payload), at])
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// The ratings recorded for a case, oldest first.
    public func ratings(caseID: String) throws(StoreError) -> [Int] {
        let database = try database()
        do {
            return try database.writer.read { db in
                try String.fetchAll(
                    db, sql: "SELECT detail FROM case_event WHERE case_id = ? AND kind = 'rating' ORDER BY at", arguments: [caseID]
                ).compactMap { Int($0) }
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }

    /// The newest print job of a case (a receipt to reprint), as the print queue stored it.
    public func latestPrintJobID(caseNumber: String) throws(StoreError) -> String? {
        let database = try database()
        do {
            return try database.writer.read { db in
                try String.fetchOne(
                    db, sql: "SELECT id FROM print_job WHERE case_number = ? ORDER BY created_at DESC LIMIT 1",
                    arguments: [caseNumber])
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }
}
