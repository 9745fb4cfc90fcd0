import Foundation
import KioskCore
import KioskDevices
import KioskDocuments

/// A print job's id.
public struct PrintJobID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A new random id.
    public static func make() -> PrintJobID { PrintJobID(rawValue: UUID().uuidString.lowercased()) }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
}

/// Where a job is. `queued`, `submitted` and `printing` are unfinished: after a restart they
/// are resumed (`queued`, `submitted`) or reported (`printing` on a printer that keeps no jobs).
public enum PrintJobState: String, Sendable, Codable, CaseIterable {
    /// Persisted, not yet sent.
    case queued
    /// Accepted by CUPS (the CUPS job id is kept); being followed.
    case submitted
    /// Being written to a printer that keeps no job of its own (ESC/POS).
    case printing
    /// Printed (the printer or CUPS said so).
    case completed
    /// Written to a printer that cannot say whether it printed (an ESC/POS model without a
    /// processed-marker reply): sent, not known printed.
    case sent
    /// Could not be printed; see `lastError`. The citizen was shown the receipt on screen.
    case failed
    /// Canceled by a technician.
    case canceled
    /// The daemon stopped while writing to an ESC/POS printer: whether it printed is unknown.
    case interrupted

    /// Whether the job has ended.
    public var isFinished: Bool { ![.queued, .submitted, .printing].contains(self) }
}

/// Who asked for a print.
public enum PrintRequester: String, Sendable, Codable {
    /// The citizen's session, right after the case was committed.
    case session
    /// A technician with kioskctl.
    case technician
    /// The citizen asking again, identified by their ID card.
    case citizenReprint = "citizen-reprint"
}

/// One document to print, persisted before it is printed so a restart cannot lose it.
///
/// The payload is the document's JSON and may contain the applicant's (masked) name: the
/// store keeps it sealed like other personal data. Nothing else here is personal.
public struct PrintJob: Sendable, Hashable, Codable, Identifiable {
    public var id: PrintJobID
    /// The case this document belongs to (a reference only: printing never changes a case).
    public var caseNumber: String
    public var document: DocumentKind
    /// The document's JSON (``KioskDocument/encoded()``).
    public var payload: Data
    /// The configured printer.
    public var printer: DeviceID
    public var paper: PaperSize
    public var requestedBy: PrintRequester
    /// The job this one reprints.
    public var reprintOf: PrintJobID?
    public var state: PrintJobState
    /// The CUPS job id once submitted.
    public var cupsJobID: Int?
    public var attempts: Int
    /// Why the job failed or is waiting: an error code and a technician's message.
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: PrintJobID = .make(), document: KioskDocument, printer: DeviceID, paper: PaperSize,
        requestedBy: PrintRequester, reprintOf: PrintJobID? = nil, now: Date = Date()
    ) throws(DocumentError) {
        self.id = id
        self.caseNumber = document.header.caseNumber
        self.document = document.kind
        self.payload = try document.encoded()
        self.printer = printer
        self.paper = paper
        self.requestedBy = requestedBy
        self.reprintOf = reprintOf
        self.state = .queued
        self.cupsJobID = nil
        self.attempts = 0
        self.lastError = nil
        self.createdAt = now
        self.updatedAt = now
    }

    /// The document, decoded from the payload.
    public func decodedDocument() throws(DocumentError) -> KioskDocument {
        try KioskDocument.decode(document, json: payload)
    }
}

/// Where print jobs are kept. The daemon's implementation is a SQLite table in `KioskStore`
/// (see `docs/printing.md` for the schema); tests use ``InMemoryPrintJobStore``.
public protocol PrintJobStore: Sendable {
    /// Saves a new job (before anything is printed).
    func insert(_ job: PrintJob) async throws
    /// Saves a job's new state.
    func update(_ job: PrintJob) async throws
    /// One job.
    func job(_ id: PrintJobID) async throws -> PrintJob?
    /// Jobs in `queued`, `submitted` or `printing`, oldest first.
    func unfinished() async throws -> [PrintJob]
    /// Every job of a case, oldest first (for reprints).
    func jobs(caseNumber: String) async throws -> [PrintJob]
}

/// Print jobs in memory, for tests and `kioskctl` runs without a store.
public actor InMemoryPrintJobStore: PrintJobStore {
    private var jobs: [PrintJobID: PrintJob] = [:]

    public init(_ jobs: [PrintJob] = []) {
        for job in jobs { self.jobs[job.id] = job }
    }

    public func insert(_ job: PrintJob) throws {
        guard jobs[job.id] == nil else { throw PrintQueueError(.storage, "print job \(job.id) already exists") }
        jobs[job.id] = job
    }

    public func update(_ job: PrintJob) throws {
        guard jobs[job.id] != nil else { throw PrintQueueError(.unknownJob, "no print job \(job.id)") }
        jobs[job.id] = job
    }

    public func job(_ id: PrintJobID) -> PrintJob? { jobs[id] }

    public func unfinished() -> [PrintJob] {
        jobs.values.filter { !$0.state.isFinished }.sorted { $0.createdAt < $1.createdAt }
    }

    public func jobs(caseNumber: String) -> [PrintJob] {
        jobs.values.filter { $0.caseNumber == caseNumber }.sorted { $0.createdAt < $1.createdAt }
    }

    /// Every job (tests).
    public func all() -> [PrintJob] { jobs.values.sorted { $0.createdAt < $1.createdAt } }
}

/// Why the print queue refused a request.
public struct PrintQueueError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case unknownPrinter, unknownJob, storage, document }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No printer of that id is configured.
        public static let unknownPrinter = Code(.unknownPrinter)
        /// No job of that id.
        public static let unknownJob = Code(.unknownJob)
        /// The store failed.
        public static let storage = Code(.storage)
        /// The document could not be encoded or decoded.
        public static let document = Code(.document)

        /// The code as it appears in logs.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a technician can act on.
    public var message: String
    /// The underlying cause (a ``DocumentError``, a store error), for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

/// Published on the event bus whenever a job changes state.
public struct PrintJobEvent: BusEvent, Hashable {
    public static let topic = "print.job"
    public var job: PrintJobID
    public var caseNumber: String
    public var document: DocumentKind
    public var printer: DeviceID
    public var state: PrintJobState
    /// The printer's fault while a job waits (paper out), or why it failed.
    public var reason: String?
}
