import Foundation
import KioskCore
import KioskDevices
import KioskDocuments

/// A printer that takes a ready PDF from memory (a result document collected at the kiosk):
/// nothing of it is written to the kiosk's own disk.
public protocol PDFPrinter: Sendable {
    /// The configured device.
    var id: DeviceID { get }
    /// Sends the PDF; returns the printer's job id.
    func submit(pdf: Data, paper: PaperSize, title: String) async throws -> Int
    /// Waits until the job ends, reporting faults (paper out) while it waits.
    func waitForEnd(of printerJob: Int, onFault: @Sendable (DeviceFault?) async -> Void) async throws -> PrinterOutcome
    /// Cancels the job.
    func cancel(_ printerJob: Int) async throws
    /// How the job ended, or nil while it is still pending or printing. A job of that number
    /// under another title is not the one submitted (the spooler's numbers were reset and
    /// reused): ``PrinterOutcome/anotherJob``, never to be cancelled or taken as printed.
    func outcome(of printerJob: Int, title: String) async throws -> PrinterOutcome?
}

extension CUPSDocumentPrinter: PDFPrinter {
    public func outcome(of printerJob: Int, title: String) async throws -> PrinterOutcome? {
        let status = try await client.job(CUPSJobID(rawValue: printerJob))
        if let name = status.name, name != title { return .anotherJob }
        switch status.state {
        case .completed: return .completed
        case .canceled: return .canceled
        case .aborted: return .failed("cups-aborted")
        default: return nil
        }
    }

    public func submit(pdf: Data, paper: PaperSize, title: String) async throws -> Int {
        var options: [String: String] = [:]
        if paper == .a4 { options["media"] = "iso_a4_210x297mm" }
        return try await client.submit(pdf, to: queue, title: title, options: options).rawValue
    }
}

extension PrinterOutcome {
    /// The job number asked about belongs to a job under another title.
    public static let anotherJob = PrinterOutcome.failed("another-job")
}
