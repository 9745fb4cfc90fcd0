import Foundation
import KioskCore
import Logging
import Testing

@testable import KioskDevices

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The private cupsd started by `scripts/cups-test-env.sh` (which `make test` runs).
struct CUPSTestEnvironment: Sendable {
    let directory: String
    let server: CUPSServer
    let pdfQueue: String
    let pdfDirectory: String
    let ippQueue: String
    let ippeveURL: String

    static let current: CUPSTestEnvironment? = {
        let environment = ProcessInfo.processInfo.environment
        guard let directory = environment["KIOSK_TEST_CUPS_ENV"], let serverText = environment["CUPS_SERVER"],
            let server = CUPSServer(serverText), let pdfQueue = environment["KIOSK_TEST_CUPS_PDF_QUEUE"],
            let pdfDirectory = environment["KIOSK_TEST_CUPS_PDF_DIR"], let ippQueue = environment["KIOSK_TEST_IPP_QUEUE"],
            let ippeveURL = environment["KIOSK_TEST_IPPEVE_URL"]
        else { return nil }
        return CUPSTestEnvironment(
            directory: directory, server: server, pdfQueue: pdfQueue, pdfDirectory: pdfDirectory, ippQueue: ippQueue, ippeveURL: ippeveURL)
    }()

    static let skipReason: Comment =
        "needs the private cupsd of scripts/cups-test-env.sh (run `make test`, or scripts/cups-test-env.sh swift test)"

    /// Sets the ippeveprinter's trays to `level` percent through its /media web form.
    func setPaper(level: Int) async throws {
        let query =
            "size1=na_letter_8.5x11in&type1=stationery&level1=\(level)"
            + "&size3=na_number-10_4.125x9.5in&type3=envelope&level3=\(level)"
        let url = try #require(URL(string: "\(ippeveURL)/media?\(query)"))
        let (_, response) = try await URLSession.shared.data(from: url)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
    }

    /// A PDF shipped with cups itself, to print without depending on the renderer.
    static let samplePDF = "/usr/share/cups/data/form_english.pdf"
}

@Suite(
    "CUPS through libcups against a private cupsd", .serialized,
    .enabled(if: CUPSTestEnvironment.current != nil, CUPSTestEnvironment.skipReason))
struct CUPSTests {
    let environment: CUPSTestEnvironment
    let client: CUPSClient

    init() throws {
        environment = try #require(CUPSTestEnvironment.current)
        client = CUPSClient(server: environment.server)
    }

    @Test("destinations list the kiosk's queues, provisioned with the retry-job error policy")
    func destinations() async throws {
        let destinations = try await client.destinations()
        let names = destinations.map(\.name)
        #expect(names.contains(environment.pdfQueue))
        #expect(names.contains(environment.ippQueue))
        let pdf = try await client.printer(environment.pdfQueue)
        #expect(pdf.errorPolicy == "retry-job")
        #expect(pdf.condition.acceptingJobs)
    }

    @Test("a PDF streamed to the cups-pdf queue is followed to completed and lands as a file")
    func printToPDFQueue() async throws {
        let pdf = try Data(contentsOf: URL(fileURLWithPath: CUPSTestEnvironment.samplePDF))
        let job = try await client.submit(pdf, to: environment.pdfQueue, title: "kiosk-test")
        var seen: [IPPJobState] = []
        let final = try await client.follow(job, queue: environment.pdfQueue, interval: .milliseconds(100)) {
            seen.append($0.job.state)
        }
        #expect(final.state == .completed)
        #expect(seen.last == .completed)
        let files = try FileManager.default.contentsOfDirectory(atPath: environment.pdfDirectory)
        #expect(files.contains { $0.hasPrefix("job_\(job.rawValue)-") && $0.hasSuffix(".pdf") })
    }

    @Test("a queue that does not exist and a server that does not answer are told apart")
    func errors() async throws {
        let missing = await #expect(throws: CUPSError.self) { try await client.printer("no-such-queue") }
        #expect(missing?.code == .queueNotFound)
        let submit = await #expect(throws: CUPSError.self) {
            try await client.submit(Data("%PDF-1.4".utf8), to: "no-such-queue", title: "x")
        }
        #expect(submit?.code == .queueNotFound, "\(String(describing: submit))")
        let down = CUPSClient(server: CUPSServer(host: "127.0.0.1", port: 1), timeout: .seconds(2))
        let unreachable = await #expect(throws: CUPSError.self) { try await down.destinations() }
        #expect(unreachable?.code == .serverUnreachable)
        #expect(throws: CUPSError.self) { _ = try CUPSClient.printerURI("bad/name") }
    }

    @Test("paper out: the job waits, the kiosk reports media-empty with action clear; refilled, the job completes")
    func paperOut() async throws {
        try await withIPPPrinter(environmentDirectory: environment.directory) { try await paperOutScenario() }
    }

    func paperOutScenario() async throws {
        try await environment.setPaper(level: 0)
        do {
            let registry = DeviceRegistry(bus: EventBus(), logger: Logger(label: "test"))
            let driver = CUPSPrinterDriver(
                id: "a4", queue: environment.ippQueue, client: client, pollInterval: .milliseconds(200))
            await registry.register("a4", kind: .printer)
            let pdf = try Data(contentsOf: URL(fileURLWithPath: CUPSTestEnvironment.samplePDF))
            let job = try await client.submit(pdf, to: environment.ippQueue, title: "paper-out")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await driver.run(registry: registry, logger: Logger(label: "test")) }
                defer { group.cancelAll() }
                try await waitFor(seconds: 30) { await registry.status(of: "a4")?.state == .userError }
                let status = await registry.status(of: "a4")
                #expect(["media-empty", "media-needed"].contains(status?.fault?.code))
                #expect(status?.fault?.action == .clear)
                #expect(status?[.paperOuts] == 1)
                // The job is still there, waiting, not failed.
                let waiting = try await client.job(job)
                #expect(!waiting.state.isTerminal)

                try await environment.setPaper(level: 100)
                let final = try await client.follow(job, interval: .milliseconds(200))
                #expect(final.state == .completed)
                try await waitFor(seconds: 60) { await registry.status(of: "a4")?.state == .online }
                #expect(await registry.status(of: "a4")?.fault == nil)
            }
        } catch {
            try? await environment.setPaper(level: 100)
            throw error
        }
    }

    @Test("a waiting job can be cancelled")
    func cancel() async throws {
        try await withIPPPrinter(environmentDirectory: environment.directory) { try await cancelScenario() }
    }

    func cancelScenario() async throws {
        try await environment.setPaper(level: 0)
        do {
            let pdf = try Data(contentsOf: URL(fileURLWithPath: CUPSTestEnvironment.samplePDF))
            let job = try await client.submit(pdf, to: environment.ippQueue, title: "to-cancel")
            try await client.cancel(job)
            let final = try await client.follow(job, interval: .milliseconds(100))
            #expect(final.state == .canceled)
            // Cancelling again is harmless.
            try await client.cancel(job)
        } catch {
            try? await environment.setPaper(level: 100)
            throw error
        }
        try await environment.setPaper(level: 100)
    }
}
