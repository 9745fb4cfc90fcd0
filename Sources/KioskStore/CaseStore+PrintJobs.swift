import Foundation
import GRDB

/// A print job as the store keeps it: the columns the queue searches by, and the job itself.
public struct StoredPrintJob: Sendable, Hashable {
    public var id: String
    public var caseNumber: String
    /// `queued`, `submitted`, `printing` (unfinished) or a finished state.
    public var state: String
    public var createdAt: Date
    public var updatedAt: Date
    /// The whole job, encoded by the print queue.
    public var job: Data

    public init(id: String, caseNumber: String, state: String, createdAt: Date, updatedAt: Date, job: Data) {
        self.id = id
        self.caseNumber = caseNumber
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.job = job
    }

    init(row: Row) {
        id = row["id"]
        caseNumber = row["case_number"]
        state = row["state"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
        job = row["job"]
    }
}

extension CaseStore {
    /// Saves a new print job durably, before anything is printed.
    public func insertPrintJob(_ job: StoredPrintJob) throws(StoreError) {
        try writePrintJob(
            sql: "INSERT INTO print_job (id, case_number, state, created_at, updated_at, job) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [job.id, job.caseNumber, job.state, job.createdAt, job.updatedAt, job.job], expectChange: false)
    }

    /// Saves a print job's new state; a job the store does not have is an error.
    public func updatePrintJob(_ job: StoredPrintJob) throws(StoreError) {
        try writePrintJob(
            sql: "UPDATE print_job SET state = ?, updated_at = ?, job = ? WHERE id = ?",
            arguments: [job.state, job.updatedAt, job.job, job.id], expectChange: true)
    }

    /// One print job.
    public func printJob(id: String) throws(StoreError) -> StoredPrintJob? {
        try readPrintJobs(sql: "SELECT * FROM print_job WHERE id = ?", arguments: [id]).first
    }

    /// Jobs not finished yet, oldest first (resumed or reported after a restart).
    public func unfinishedPrintJobs() throws(StoreError) -> [StoredPrintJob] {
        try readPrintJobs(
            sql: "SELECT * FROM print_job WHERE state IN ('queued', 'submitted', 'printing') ORDER BY created_at, rowid",
            arguments: [])
    }

    /// Every job of a case, oldest first (for reprints).
    public func printJobs(caseNumber: String) throws(StoreError) -> [StoredPrintJob] {
        try readPrintJobs(
            sql: "SELECT * FROM print_job WHERE case_number = ? ORDER BY created_at, rowid", arguments: [caseNumber])
    }

    private func writePrintJob(sql: String, arguments: StatementArguments, expectChange: Bool) throws(StoreError) {
        let database = try database()
        let changed: Int
        do {
            changed = try database.writer.write { db in
                try db.execute(sql: sql, arguments: arguments)
                return db.changesCount
            }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
        if expectChange && changed == 0 { throw StoreError(.other, "no such print job") }
    }

    private func readPrintJobs(sql: String, arguments: StatementArguments) throws(StoreError) -> [StoredPrintJob] {
        let database = try database()
        do {
            return try database.writer.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(StoredPrintJob.init(row:)) }
        } catch {
            throw StoreError(classifying: error, path: path)
        }
    }
}
