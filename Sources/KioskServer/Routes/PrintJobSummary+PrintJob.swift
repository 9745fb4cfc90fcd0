import KioskAPI
import KioskCore
import KioskDocuments
import KioskPrinting

extension PrintJobSummary {
    /// What technicians see of a job: its states and links, no document content.
    init(_ job: PrintJob) {
        self.init(
            id: job.id.rawValue, caseNumber: job.caseNumber, document: job.document.rawValue, printer: job.printer.rawValue,
            state: job.state.rawValue, requestedBy: job.requestedBy.rawValue, reprintOf: job.reprintOf?.rawValue, attempts: job.attempts,
            lastError: job.lastError, createdAt: job.createdAt, updatedAt: job.updatedAt)
    }
}
