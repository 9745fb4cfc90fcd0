import Foundation
import KioskCore
import KioskDevices
import KioskDocuments

/// How a printer's part of a job ended.
public enum PrinterOutcome: Sendable, Hashable {
    case completed
    /// The printer or its queue gave up; the reason is a code and a message.
    case failed(String)
    case canceled
}

/// A printer the print queue can send documents to.
public protocol DocumentPrinter: Sendable {
    /// The configured device.
    var id: DeviceID { get }
    /// Whether the printer keeps jobs of its own across a restart of the daemon (CUPS does;
    /// an ESC/POS printer does not).
    var keepsJobs: Bool { get }
    /// Sends a document; returns the printer's own job id when it keeps jobs.
    func submit(_ document: KioskDocument, paper: PaperSize, title: String, renderer: DocumentRenderer) async throws -> Int?
    /// Waits until the printer's job ends, reporting faults (paper out) while it waits.
    func waitForEnd(of printerJob: Int, onFault: @Sendable (DeviceFault?) async -> Void) async throws -> PrinterOutcome
    /// Cancels the printer's job.
    func cancel(_ printerJob: Int) async throws
    /// Whether a job this printer finished is known printed (CUPS's completed job, an ESC/POS
    /// processed marker), rather than only sent.
    var confirmsPrinting: Bool { get }
}

extension DocumentPrinter {
    public var confirmsPrinting: Bool { true }
}

/// A printer that takes a finished PDF (a certificate the platform rendered) as it is.
public protocol PDFDocumentPrinter: DocumentPrinter {
    /// Sends `pdf` on A4; returns the printer's job id.
    func submit(pdf: Data, title: String) async throws -> Int
}

/// A CUPS queue: documents go as PDF through the streaming API, then each job is followed.
public struct CUPSDocumentPrinter: PDFDocumentPrinter {
    public let id: DeviceID
    public let queue: String
    public let client: CUPSClient
    public let pollInterval: Duration
    public var keepsJobs: Bool { true }

    public init(id: DeviceID, queue: String, client: CUPSClient, pollInterval: Duration = .milliseconds(250)) {
        self.id = id
        self.queue = queue
        self.client = client
        self.pollInterval = pollInterval
    }

    public func submit(_ document: KioskDocument, paper: PaperSize, title: String, renderer: DocumentRenderer) async throws -> Int? {
        let pdf = try renderer.pdf(document, paper: paper)
        var options: [String: String] = [:]
        if paper == .a4 { options["media"] = "iso_a4_210x297mm" }
        let job = try await client.submit(pdf.data, to: queue, title: title, options: options)
        return job.rawValue
    }

    public func submit(pdf: Data, title: String) async throws -> Int {
        try await client.submit(pdf, to: queue, title: title, options: ["media": "iso_a4_210x297mm"]).rawValue
    }

    public func waitForEnd(of printerJob: Int, onFault: @Sendable (DeviceFault?) async -> Void) async throws -> PrinterOutcome {
        let status = try await client.follow(CUPSJobID(rawValue: printerJob), queue: queue, interval: pollInterval) {
            progress in
            guard !progress.job.state.isTerminal else { return }
            await onFault(progress.printer?.device.fault)
        }
        switch status.state {
        case .completed: return .completed
        case .canceled: return .canceled
        default:
            let reasons = status.reasons.filter { $0 != "none" }.joined(separator: ",")
            return .failed("cups-\(status.state): \(reasons.isEmpty ? "the job was aborted" : reasons)")
        }
    }

    public func cancel(_ printerJob: Int) async throws {
        try await client.cancel(CUPSJobID(rawValue: printerJob))
    }
}

/// An ESC/POS receipt printer: documents are rasterised at the head's width and sent as
/// `GS v 0` bands, then cut; the printer's `DLE EOT` status decides success.
public struct ESCPOSDocumentPrinter: DocumentPrinter {
    public let id: DeviceID
    public let printer: ESCPOSPrinter
    public var keepsJobs: Bool { false }
    public var confirmsPrinting: Bool { printer.settings.processedMarker }

    public init(id: DeviceID, printer: ESCPOSPrinter) {
        self.id = id
        self.printer = printer
    }

    /// The complete job bytes for `document`: init, raster bands, feed and cut.
    public static func job(
        for document: KioskDocument, paper: PaperSize, settings: ESCPOSSettings, renderer: DocumentRenderer
    ) throws -> [UInt8] {
        let raster = try renderer.raster(
            document, paper: paper, widthDots: settings.dotsPerLine, dotsPerInch: settings.dotsPerInch)
        var encoder = try settings.encoder()
        encoder.initialize()
        try encoder.raster(
            widthBytes: raster.bytesPerRow, height: raster.height, bits: raster.bits, bandHeight: settings.rasterBandHeight)
        if let cut = settings.cut {
            encoder.cut(cut, feed: settings.feedBeforeCut)
        } else {
            encoder.feed(lines: settings.feedBeforeCut)
        }
        return encoder.bytes
    }

    public func submit(_ document: KioskDocument, paper: PaperSize, title: String, renderer: DocumentRenderer) async throws -> Int? {
        let settings = printer.settings
        let rollPaper: PaperSize = settings.paperWidth == 58 ? .receipt58 : .receipt80
        let bytes = try Self.job(for: document, paper: paper.isRoll ? paper : rollPaper, settings: settings, renderer: renderer)
        try await printer.print(bytes)
        return nil
    }

    public func waitForEnd(of printerJob: Int, onFault: @Sendable (DeviceFault?) async -> Void) async throws -> PrinterOutcome {
        .completed
    }

    public func cancel(_ printerJob: Int) async throws {}
}
