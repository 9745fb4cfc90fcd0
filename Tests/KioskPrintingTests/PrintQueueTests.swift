import Foundation
import KioskCore
import KioskDevices
import KioskDocuments
import Logging
import Testing

@testable import KioskPrinting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func example(_ kind: DocumentKind) throws -> KioskDocument {
    try KioskDocument.decode(
        kind, json: Data(contentsOf: repositoryRoot.appendingPathComponent("Provisioning/examples/\(kind.rawValue).json")))
}

let renderer: DocumentRenderer? = try? DocumentRenderer(
    templates: TemplateCatalog.load(directory: repositoryRoot.appendingPathComponent("Provisioning/templates").path))

let logger = Logger(label: "print-queue-test")

/// Runs `queue` while `body` runs.
func running<T: Sendable>(_ queue: PrintQueue, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await queue.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}

func waitFor(seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    // Once more: a sleep that overshot the deadline must not hide a condition met meanwhile.
    if try await condition() { return }
    Issue.record("condition not met within \(seconds) s")
}

@Suite("Print queue with an ESC/POS receipt printer (simulator)")
struct ESCPOSPrintQueueTests {
    // Generous bounds (30 s; a healthy job takes well under a second): the whole suite runs
    // in parallel on 2 cores, with kioskd, kiosk-platform and Chromium beside it, and 10 s
    // was seen to pass by while the simulator waited to be scheduled.
    // The model confirms printing (GS ( H), as the simulated receipt printer's profile does.
    let settings = ESCPOSSettings(statusPollInterval: 0.05, statusTimeout: 30, processedMarker: true)

    func withPrinter(
        settings given: ESCPOSSettings? = nil,
        _ body: (ESCPOSPrinterSimulator, ESCPOSDocumentPrinter, DocumentRenderer) async throws -> Void
    ) async throws {
        let renderer = try #require(renderer)
        let simulator = try ESCPOSPrinterSimulator()
        let printer = ESCPOSPrinter(
            transport: try CharacterDeviceTransport(path: simulator.devicePath), settings: given ?? settings)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            defer { group.cancelAll() }
            try await body(simulator, ESCPOSDocumentPrinter(id: "receipt", printer: printer), renderer)
        }
    }

    @Test("A model that cannot confirm printing: the job ends sent, never printed")
    func sentNotPrinted() async throws {
        try await withPrinter(settings: ESCPOSSettings(statusPollInterval: 0.05, statusTimeout: 30)) { _, printer, renderer in
            let queue = PrintQueue(store: InMemoryPrintJobStore(), renderer: renderer, printers: [printer], logger: logger)
            let outcome = try await running(queue) {
                let job = try await queue.enqueue(try example(.receipt), printer: "receipt", paper: .receipt80)
                return try await queue.outcome(of: job.id, timeout: .seconds(30))
            }
            guard case let .sent(job) = outcome else {
                Issue.record("expected sent, got \(outcome)")
                return
            }
            #expect(job.state == .sent)
        }
    }

    @Test("a receipt is rasterised at the head's width, sent in bands and cut")
    func prints() async throws {
        try await withPrinter { simulator, printer, renderer in
            let store = InMemoryPrintJobStore()
            let queue = PrintQueue(store: store, renderer: renderer, printers: [printer], logger: logger)
            let outcome = try await running(queue) {
                let job = try await queue.enqueue(try example(.receipt), printer: "receipt", paper: .receipt80)
                return try await queue.outcome(of: job.id, timeout: .seconds(30))
            }
            guard case let .printed(job) = outcome else {
                Issue.record("expected printed, got \(outcome)")
                return
            }
            #expect(job.state == .completed)
            let bands = simulator.commands.compactMap { command -> Int? in
                if case let .raster(width, height, _) = command { width == 72 ? height : -1 } else { nil }
            }
            #expect(bands.count > 3)
            #expect(!bands.contains(-1))
            #expect(bands.dropLast().allSatisfy { $0 == 128 })
            // The job ends with its cut; then only the question whether it printed.
            let printed = simulator.commands.filter { if case .statusRequest = $0 { false } else { true } }
            #expect(printed.dropLast().last == .cut(partial: true, feed: 4))
            #expect(printed.last.map { if case .processIDRequest = $0 { true } else { false } } == true)
        }
    }

    @Test("paper out: the citizen gets the receipt number and QR on screen; the job is failed, reprintable")
    func paperOutFallsBackToScreen() async throws {
        try await withPrinter { simulator, printer, renderer in
            simulator.set { $0.paperOut = true }
            let store = InMemoryPrintJobStore()
            let queue = PrintQueue(store: store, renderer: renderer, printers: [printer], logger: logger)
            let document = try example(.receipt)
            try await running(queue) {
                let job = try await queue.enqueue(document, printer: "receipt", paper: .receipt80)
                let outcome = try await queue.outcome(of: job.id, timeout: .seconds(30))
                guard case let .showOnScreen(screen, failed) = outcome else {
                    Issue.record("expected the on-screen receipt, got \(outcome)")
                    return
                }
                #expect(screen.caseNumber == document.header.caseNumber)
                #expect(screen.statusURL == document.header.statusURL)
                #expect(screen.qrSVG.hasPrefix("<svg"))
                #expect(failed.state == .failed)
                #expect(failed.lastError?.contains("media-empty") == true)
                #expect(simulator.cuts == 0)

                // Paper back: a reprint of the failed job prints the same document.
                simulator.set { $0.paperOut = false }
                let reprint = try await queue.reprint(job.id, requestedBy: .citizenReprint)
                #expect(reprint.reprintOf == job.id)
                let second = try await queue.outcome(of: reprint.id, timeout: .seconds(30))
                guard case .printed = second else {
                    Issue.record("expected the reprint to print, got \(second)")
                    return
                }
                #expect(simulator.cuts == 1)
                #expect(await store.jobs(caseNumber: document.header.caseNumber).count == 2)
            }
        }
    }

    @Test("after a restart, queued jobs print and a job cut off mid-write is reported, not repeated")
    func restart() async throws {
        try await withPrinter { simulator, printer, renderer in
            let document = try example(.receipt)
            var queued = try PrintJob(document: document, printer: "receipt", paper: .receipt80, requestedBy: .session)
            queued.createdAt = Date(timeIntervalSinceNow: -60)
            var interrupted = try PrintJob(document: document, printer: "receipt", paper: .receipt80, requestedBy: .session)
            interrupted.state = .printing
            // The store as the previous kioskd left it.
            let store = InMemoryPrintJobStore([queued, interrupted])
            let queue = PrintQueue(store: store, renderer: renderer, printers: [printer], logger: logger)
            try await running(queue) {
                try await waitFor { await store.job(queued.id)?.state == .completed }
            }
            #expect(await store.job(interrupted.id)?.state == .interrupted)
            #expect(simulator.cuts == 1)
        }
    }

    @Test("a job for a printer that is not attached waits in the store until it is")
    func printerAbsent() async throws {
        try await withPrinter { simulator, printer, renderer in
            let store = InMemoryPrintJobStore()
            let queue = PrintQueue(store: store, renderer: renderer, printers: [], logger: logger)
            try await running(queue) {
                let job = try await queue.enqueue(try example(.notice), printer: "receipt", paper: .receipt80)
                try await Task.sleep(for: .milliseconds(300))
                #expect(await store.job(job.id)?.state == .queued)
                await queue.attach(printer)
                try await waitFor { await store.job(job.id)?.state == .completed }
            }
            #expect(simulator.cuts == 1)
        }
    }
}

@Suite(
    "Print queue through a real cupsd", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["KIOSK_TEST_CUPS_ENV"] != nil,
        "needs the private cupsd of scripts/cups-test-env.sh (run `make test`)"))
struct CUPSPrintQueueTests {
    let environment = ProcessInfo.processInfo.environment

    func client() throws -> CUPSClient {
        CUPSClient(server: try #require(environment["CUPS_SERVER"].flatMap(CUPSServer.init)))
    }

    @Test("a receipt printed through the cups-pdf queue carries the Chinese bundle name and the case number")
    func receiptThroughCUPSPDF() async throws {
        let renderer = try #require(renderer)
        let queueName = try #require(environment["KIOSK_TEST_CUPS_PDF_QUEUE"])
        let directory = try #require(environment["KIOSK_TEST_CUPS_PDF_DIR"])
        let printer = CUPSDocumentPrinter(id: "a4", queue: queueName, client: try client(), pollInterval: .milliseconds(100))
        let store = InMemoryPrintJobStore()
        let queue = PrintQueue(store: store, renderer: renderer, printers: [printer], logger: logger)
        let document = try example(.receipt)
        let job = try await running(queue) {
            let job = try await queue.enqueue(document, printer: "a4", paper: .a4)
            try await waitFor(seconds: 60) { await store.job(job.id)?.state.isFinished == true }
            return try #require(await store.job(job.id))
        }
        #expect(job.state == .completed)
        let cupsJob = try #require(job.cupsJobID)
        let file = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasPrefix("job_\(cupsJob)-") })
        let text = try pdftotext(directory + "/" + file)
        #expect(text.contains("新生儿出生一件事"))
        #expect(text.contains(document.header.caseNumber))
        #expect(text.contains("收件回执"))
    }

    @Test("a submitted job survives a restart of the queue and is followed to completion")
    func resumeSubmitted() async throws {
        let renderer = try #require(renderer)
        let queueName = try #require(environment["KIOSK_TEST_CUPS_PDF_QUEUE"])
        let client = try client()
        let printer = CUPSDocumentPrinter(id: "a4", queue: queueName, client: client, pollInterval: .milliseconds(100))
        // The previous kioskd submitted the job, saved its CUPS id, and stopped.
        let document = try example(.notice)
        let pdf = try renderer.pdf(document, paper: .a4)
        let cupsJob = try await client.submit(pdf.data, to: queueName, title: "before-restart")
        var job = try PrintJob(document: document, printer: "a4", paper: .a4, requestedBy: .session)
        job.state = .submitted
        job.cupsJobID = cupsJob.rawValue
        let store = InMemoryPrintJobStore([job])
        let queue = PrintQueue(store: store, renderer: renderer, printers: [printer], logger: logger)
        try await running(queue) {
            try await waitFor(seconds: 60) { await store.job(job.id)?.state == .completed }
        }
        // Not submitted twice.
        #expect(await store.job(job.id)?.cupsJobID == cupsJob.rawValue)
    }

    @Test("paper out on the IPP printer: on-screen receipt while the job waits with the fault; refilled, it prints")
    func paperOutThroughCUPS() async throws {
        let directory = try #require(environment["KIOSK_TEST_CUPS_ENV"])
        try await withIPPPrinter(environmentDirectory: directory) { try await paperOutScenario() }
    }

    func paperOutScenario() async throws {
        let renderer = try #require(renderer)
        let queueName = try #require(environment["KIOSK_TEST_IPP_QUEUE"])
        let ippeve = try #require(environment["KIOSK_TEST_IPPEVE_URL"])
        func setPaper(_ level: Int) async throws {
            let query =
                "size1=na_letter_8.5x11in&type1=stationery&level1=\(level)"
                + "&size3=na_number-10_4.125x9.5in&type3=envelope&level3=\(level)"
            _ = try await URLSession.shared.data(from: try #require(URL(string: "\(ippeve)/media?\(query)")))
        }
        try await setPaper(0)
        do {
            let printer = CUPSDocumentPrinter(id: "a4", queue: queueName, client: try client(), pollInterval: .milliseconds(200))
            let store = InMemoryPrintJobStore()
            let queue = PrintQueue(store: store, renderer: renderer, printers: [printer], logger: logger)
            let document = try example(.receipt)
            try await running(queue) {
                let job = try await queue.enqueue(document, printer: "a4", paper: .a4)
                let outcome = try await queue.outcome(of: job.id, timeout: .seconds(3))
                guard case let .showOnScreen(screen, _) = outcome else {
                    Issue.record("expected the on-screen receipt, got \(outcome)")
                    return
                }
                #expect(screen.caseNumber == document.header.caseNumber)
                #expect(screen.reason == "printing-slow")
                try await waitFor(seconds: 30) {
                    let current = await store.job(job.id)
                    return current?.state == .submitted && current?.lastError?.hasPrefix("media-") == true
                }
                try await setPaper(100)
                try await waitFor(seconds: 60) { await store.job(job.id)?.state == .completed }
                #expect(await store.job(job.id)?.lastError == nil)
            }
        } catch {
            try? await setPaper(100)
            throw error
        }
    }
}

func pdftotext(_ path: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
    process.arguments = ["-enc", "UTF-8", path, "-"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }
}

@Suite("The A4 printer PDFs go to")
struct PDFPrinterChoiceTests {
    @Test("certificates go to the first A4 printer in the configuration, whatever its id, as results do")
    func firstConfigured() async throws {
        let renderer = try #require(renderer)
        let client = CUPSClient(server: CUPSServer(host: "127.0.0.1"))
        let queue = PrintQueue(
            store: InMemoryPrintJobStore(), renderer: renderer,
            printers: [
                CUPSDocumentPrinter(id: "z-hall", queue: "hall", client: client),
                CUPSDocumentPrinter(id: "a-office", queue: "office", client: client),
            ], logger: logger)
        #expect(await queue.pdfPrinter()?.id == "z-hall")
    }
}
