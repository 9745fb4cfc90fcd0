import Foundation
import KioskCore
import KioskDevices
import KioskDocuments
import KioskPrinting
import KioskStore
import Logging
import Testing

@testable import KioskRuntime

@Suite("Print jobs in the kiosk's database")
struct PrintJobStoreTests {
    func receiptJob(printer: String = "receipt") throws -> PrintJob {
        let json = try Data(contentsOf: URL(fileURLWithPath: repositoryRoot + "/Provisioning/examples/receipt.json"))
        let document = try KioskDocument.decode(.receipt, json: json)
        return try PrintJob(document: document, printer: .init(printer), paper: .receipt80, requestedBy: .session)
    }

    @Test("A queued job survives a restart and is found again, as unfinished and by its case")
    func survivesRestart() async throws {
        let scratch = try Scratch()
        let path = scratch.file("kiosk.db")
        var job = try receiptJob()
        var done = try receiptJob()
        do {
            let jobs = StorePrintJobStore(store: try CaseStore(path: path, logger: Logger(label: "test")))
            try await jobs.insert(job)
            try await jobs.insert(done)
            done.state = .completed
            try await jobs.update(done)
            await #expect(throws: StoreError.self) { try await jobs.insert(job) }
        }
        let reopened = StorePrintJobStore(store: try CaseStore(path: path, logger: Logger(label: "test")))
        #expect(try await reopened.unfinished().map(\.id) == [job.id])
        #expect(try await reopened.job(job.id) == job)
        #expect(try await reopened.jobs(caseNumber: job.caseNumber).map(\.id) == [job.id, done.id])
        job.state = .submitted
        job.cupsJobID = 42
        try await reopened.update(job)
        #expect(try await reopened.job(job.id)?.cupsJobID == 42)
        var unknown = try receiptJob()
        unknown.state = .failed
        await #expect(throws: StoreError.self) { try await reopened.update(unknown) }
    }
}
