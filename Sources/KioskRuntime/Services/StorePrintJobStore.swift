import Foundation
import KioskPrinting
import KioskStore

/// The print queue's jobs in the kiosk's database, so that a job survives a restart of the
/// daemon and is resumed or reported, and a receipt can be reprinted later.
public struct StorePrintJobStore: PrintJobStore {
    let store: CaseStore

    public init(store: CaseStore) { self.store = store }

    public func insert(_ job: PrintJob) async throws { try await store.insertPrintJob(try Self.stored(job)) }

    public func update(_ job: PrintJob) async throws { try await store.updatePrintJob(try Self.stored(job)) }

    public func job(_ id: PrintJobID) async throws -> PrintJob? {
        try await store.printJob(id: id.rawValue).map(Self.job(from:))
    }

    public func unfinished() async throws -> [PrintJob] { try await store.unfinishedPrintJobs().map(Self.job(from:)) }

    public func jobs(caseNumber: String) async throws -> [PrintJob] {
        try await store.printJobs(caseNumber: caseNumber).map(Self.job(from:))
    }

    static func stored(_ job: PrintJob) throws -> StoredPrintJob {
        StoredPrintJob(
            id: job.id.rawValue, caseNumber: job.caseNumber, state: job.state.rawValue, createdAt: job.createdAt,
            updatedAt: job.updatedAt, job: try encoder.encode(job))
    }

    static func job(from stored: StoredPrintJob) throws -> PrintJob { try decoder.decode(PrintJob.self, from: stored.job) }

    // Dates as plain numbers: they round-trip exactly, so a job read back equals the job saved.
    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()
}
