import Foundation
import KioskCore
import KioskDevices
import KioskDocuments
import Logging

/// What the citizen is shown when the receipt cannot be printed: the case number and the
/// status QR code, to photograph or write down.
public struct ScreenReceipt: Sendable, Hashable, Codable {
    public var caseNumber: String
    public var bundleName: String
    public var statusURL: String
    /// The status QR code as an SVG image (black modules on white), for the web UI.
    public var qrSVG: String
    /// Why it is shown instead of printed (a code, never personal data).
    public var reason: String

    /// The on-screen receipt for `document`.
    public init(document: KioskDocument, reason: String) throws(DocumentError) {
        caseNumber = document.header.caseNumber
        bundleName = document.header.bundle.name
        statusURL = document.header.statusURL
        qrSVG = try QRMatrix(text: document.header.statusURL).svg()
        self.reason = reason
    }
}

/// How a print request ended, as far as the citizen is concerned.
public enum PrintOutcome: Sendable, Hashable {
    /// On paper.
    case printed(PrintJob)
    /// Handed to a printer that cannot confirm it printed: the citizen is told to look.
    case sent(PrintJob)
    /// Not printed (yet): show the receipt on screen. The job may still complete later.
    case showOnScreen(ScreenReceipt, PrintJob)
}

/// The kiosk's print queue: every job is persisted before it is printed, followed until it
/// ends, and resumed or reported after a restart.
///
/// The queue only reads documents: a case is committed before its receipt is enqueued, and
/// nothing that happens to a print job can change the case.
public actor PrintQueue {
    private let store: any PrintJobStore
    private let renderer: DocumentRenderer
    private var printers: [DeviceID: any DocumentPrinter]
    /// The printers in the configuration's order (the first A4 printer is the one PDFs go to).
    private let configuredOrder: [DeviceID]
    private let bus: EventBus?
    private let logger: Logger
    private let wakeUp: AsyncStream<Void>.Continuation
    private let wakeUps: AsyncStream<Void>
    /// Jobs whose printing is in progress in this process.
    private var active: Set<PrintJobID> = []
    private var cancelled: Set<PrintJobID> = []

    public init(
        store: any PrintJobStore, renderer: DocumentRenderer, printers: [any DocumentPrinter], bus: EventBus? = nil,
        logger: Logger
    ) {
        self.store = store
        self.renderer = renderer
        self.printers = Dictionary(printers.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        configuredOrder = printers.map(\.id)
        self.bus = bus
        self.logger = logger
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeUps = stream
        wakeUp = continuation
    }

    /// Adds or replaces a printer (an ESC/POS printer appears when its driver opens it).
    public func attach(_ printer: any DocumentPrinter) {
        printers[printer.id] = printer
        wakeUp.yield()
    }

    /// Removes a printer (its driver lost it); its jobs wait in the store.
    public func detach(_ id: DeviceID) { printers[id] = nil }

    /// The printer a finished PDF (a certificate, a result document) goes to, bypassing the
    /// job store: such a paper is personal and is never kept on the kiosk, so a restart loses
    /// the job rather than keeping its bytes. The first printer that takes PDF in the
    /// configuration's order: the same one `KioskDaemon.resultPrinter` gives results to, so a
    /// certificate and a result never go to different A4 printers.
    public func pdfPrinter() -> (any PDFDocumentPrinter)? {
        let ordered = configuredOrder.compactMap { printers[$0] } + printers.values.filter { !configuredOrder.contains($0.id) }
        return ordered.compactMap { $0 as? any PDFDocumentPrinter }.first
    }

    /// Persists a job for `document` and returns it at once; ``run()`` prints it.
    public func enqueue(
        _ document: KioskDocument, printer: DeviceID, paper: PaperSize, requestedBy: PrintRequester = .session
    ) async throws -> PrintJob {
        let job: PrintJob
        do {
            job = try PrintJob(document: document, printer: printer, paper: paper, requestedBy: requestedBy)
        } catch {
            throw PrintQueueError(.document, error.message, cause: error)
        }
        try await save(job, new: true)
        wakeUp.yield()
        return job
    }

    /// Prints a job's document again, as a new job linked to the first.
    public func reprint(
        _ id: PrintJobID, requestedBy: PrintRequester, printer: DeviceID? = nil
    ) async throws -> PrintJob {
        guard let original = try await store.job(id) else { throw PrintQueueError(.unknownJob, "no print job \(id)") }
        var job = original
        job.id = .make()
        job.reprintOf = original.id
        job.requestedBy = requestedBy
        job.printer = printer ?? original.printer
        job.state = .queued
        job.cupsJobID = nil
        job.attempts = 0
        job.lastError = nil
        job.createdAt = Date()
        job.updatedAt = job.createdAt
        try await save(job, new: true)
        wakeUp.yield()
        return job
    }

    /// Cancels a job that has not ended.
    public func cancel(_ id: PrintJobID) async throws {
        guard var job = try await store.job(id) else { throw PrintQueueError(.unknownJob, "no print job \(id)") }
        guard !job.state.isFinished else { return }
        if let cupsJob = job.cupsJobID, let printer = printers[job.printer] {
            try await printer.cancel(cupsJob)
        }
        cancelled.insert(id)
        if !active.contains(id) {
            job.state = .canceled
            try await save(job)
        }
    }

    /// The job's current record.
    public func job(_ id: PrintJobID) async throws -> PrintJob? { try await store.job(id) }

    /// Every job of a case, oldest first.
    public func jobs(caseNumber: String) async throws -> [PrintJob] { try await store.jobs(caseNumber: caseNumber) }

    /// Jobs not yet ended, oldest first.
    public func unfinished() async throws -> [PrintJob] { try await store.unfinished() }

    /// Waits up to `timeout` for a job to print; otherwise the citizen gets the receipt on
    /// screen (the job carries on and may still print).
    public func outcome(of id: PrintJobID, timeout: Duration, poll: Duration = .milliseconds(50)) async throws -> PrintOutcome {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            guard let job = try await store.job(id) else { throw PrintQueueError(.unknownJob, "no print job \(id)") }
            if job.state == .completed { return .printed(job) }
            if job.state == .sent { return .sent(job) }
            if job.state.isFinished || clock.now >= deadline {
                let reason = job.state.isFinished ? (job.lastError ?? job.state.rawValue) : "printing-slow"
                do {
                    return .showOnScreen(try ScreenReceipt(document: job.decodedDocument(), reason: reason), job)
                } catch {
                    throw PrintQueueError(.document, error.message, cause: error)
                }
            }
            try await Task.sleep(for: poll)
        }
    }

    /// Prints jobs until cancelled: first the ones a previous run left unfinished, then new
    /// ones as they are enqueued.
    public func run() async {
        await recover()
        wakeUp.yield()
        await withTaskGroup(of: Void.self) { group in
            // Retry every few seconds: a printer that was absent may be back.
            group.addTask { [wakeUp] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    wakeUp.yield()
                }
            }
            for await _ in wakeUps {
                if Task.isCancelled { break }
                await processUnfinished()
            }
            group.cancelAll()
        }
    }

    private func processUnfinished() async {
        do {
            for job in try await store.unfinished() where !active.contains(job.id) {
                if Task.isCancelled { return }
                guard printers[job.printer] != nil else { continue }
                await process(job)
            }
        } catch {
            logger.error("Print jobs could not be read from the store", metadata: ["error": "\(error)"])
        }
    }

    /// After a restart: jobs that were being written to a printer without jobs of its own
    /// cannot be known to have printed; they are reported, not silently repeated.
    private func recover() async {
        do {
            for var job in try await store.unfinished() where job.state == .printing {
                job.state = .interrupted
                job.lastError = "interrupted: kioskd stopped while printing; reprint if the receipt is missing"
                try await save(job)
            }
        } catch {
            logger.error("Unfinished print jobs could not be recovered", metadata: ["error": "\(error)"])
        }
    }

    private func process(_ initial: PrintJob) async {
        var job = initial
        guard let printer = printers[job.printer] else { return }
        active.insert(job.id)
        defer { active.remove(job.id) }
        do {
            if job.state == .queued {
                let document = try job.decodedDocument()
                job.attempts += 1
                if !printer.keepsJobs {
                    job.state = .printing
                    try await save(job)
                }
                let title = "\(job.document.rawValue)-\(job.caseNumber)"
                let printerJob = try await printer.submit(document, paper: job.paper, title: title, renderer: renderer)
                if let printerJob {
                    job.cupsJobID = printerJob
                    job.state = .submitted
                    try await save(job)
                }
            }
            if let printerJob = job.cupsJobID, job.state == .submitted {
                let snapshot = job
                let outcome = try await printer.waitForEnd(of: printerJob) { [weak self] fault in
                    await self?.waiting(snapshot, fault: fault)
                }
                switch outcome {
                case .completed: job.state = .completed
                case .canceled: job.state = .canceled
                case let .failed(reason):
                    job.state = .failed
                    job.lastError = reason
                }
            } else {
                job.state = printer.confirmsPrinting ? .completed : .sent
            }
            if cancelled.remove(job.id) != nil, job.state != .completed, job.state != .sent { job.state = .canceled }
            if job.state == .completed || job.state == .sent { job.lastError = nil }
            try await save(job)
        } catch {
            job.state = .failed
            job.lastError = Self.describe(error)
            logger.warning(
                "Print job failed",
                metadata: ["job": "\(job.id)", "printer": "\(job.printer)", "error": "\(job.lastError ?? "")"])
            do { try await save(job) } catch {
                logger.error("Print job state could not be saved", metadata: ["job": "\(job.id)", "error": "\(error)"])
            }
        }
    }

    private func waiting(_ job: PrintJob, fault: DeviceFault?) async {
        var job = job
        let reason = fault.map { "\($0.code): \($0.message)" }
        guard (try? await store.job(job.id))?.lastError != reason else { return }
        job.lastError = reason
        try? await save(job)
    }

    private func save(_ job: PrintJob, new: Bool = false) async throws {
        var job = job
        job.updatedAt = Date()
        do {
            if new { try await store.insert(job) } else { try await store.update(job) }
        } catch {
            throw PrintQueueError(.storage, "print job \(job.id) could not be saved", cause: error)
        }
        bus?.publish(
            PrintJobEvent(
                job: job.id, caseNumber: job.caseNumber, document: job.document, printer: job.printer, state: job.state,
                reason: job.lastError))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as CUPSError: "cups-\(error.code): \(error.message)"
        case let error as ESCPOSError: "escpos-\(error.code): \(error.message)"
        case let error as DocumentError: "document-\(error.code): \(error.message)"
        default: "\(error)"
        }
    }
}
