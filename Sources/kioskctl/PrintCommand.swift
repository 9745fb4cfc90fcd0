import ArgumentParser
import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskDocuments
import KioskFiles

/// Where the document templates are: `--templates`, else `KIOSK_TEMPLATES`, else the
/// installed folders, else the repository's `Provisioning/templates`.
struct TemplateOptions: ParsableArguments {
    @Option(name: .long, help: "Folder with receipt.yaml, notice.yaml and pledge.yaml.")
    var templates: String?

    func catalog() throws -> TemplateCatalog {
        let candidates =
            [templates, ProcessInfo.processInfo.environment["KIOSK_TEMPLATES"]].compactMap { $0 }
            + ["/etc/kiosk/templates", "/usr/share/kiosk/templates", "Provisioning/templates"]
        guard
            let directory = templates
                ?? candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/receipt.yaml") })
        else {
            throw ValidationError("no templates found; pass --templates DIR (e.g. Provisioning/templates)")
        }
        do {
            return try TemplateCatalog.load(directory: directory)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Parses `a4`, `80mm`, `58mm`.
func paperSize(_ text: String) throws -> PaperSize {
    guard let paper = PaperSize(rawValue: text) else { throw ValidationError("--paper is a4, 80mm or 58mm, not '\(text)'") }
    return paper
}

extension KioskCtl {
    struct Print: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render documents, print test pages, follow and reprint the kiosk's print jobs.",
            subcommands: [Render.self, Test.self, Jobs.self, Reprint.self])

        struct Jobs: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "The kiosk's print jobs: those of one case, or every job not yet ended.")

            @Option(name: .customLong("case"), help: "A receipt (case) number.") var caseNumber: String?
            @OptionGroup var admin: AdminOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                try await reportingFailures {
                    let query = caseNumber.map { "?case=" + Print.escaped($0) } ?? ""
                    let jobs: [PrintJobSummary] = try await admin.client().get("/admin/v1/print/jobs\(query)")
                    if output.json { return try output.printJSON(jobs) }
                    if jobs.isEmpty { print(caseNumber == nil ? "no print job is waiting" : "no print job for case \(caseNumber!)") }
                    for job in jobs {
                        let reprint = job.reprintOf.map { ", reprint of \($0.prefix(8))" } ?? ""
                        let error = job.lastError.map { ": \($0)" } ?? ""
                        print(
                            "\(job.id.prefix(8))  \(job.caseNumber)  \(job.document) on \(job.printer)  \(job.state) (by \(job.requestedBy)\(reprint))\(error)"
                        )
                    }
                }
            }
        }

        struct Reprint: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print a case's receipt again (a new job, linked to the first).")

            @Argument(help: "The receipt (case) number.") var caseNumber: String
            @Option(help: "Another printer (device id) than the first job's.") var printer: String?
            @OptionGroup var admin: AdminOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                try await reportingFailures {
                    var query = "?case=" + Print.escaped(caseNumber)
                    if let printer { query += "&printer=" + Print.escaped(printer) }
                    let job: PrintJobSummary = try await admin.client().post("/admin/v1/print/reprint\(query)")
                    if output.json { return try output.printJSON(job) }
                    print(
                        "Reprint queued as job \(job.id) on \(job.printer); follow it with 'kioskctl print jobs --case \(job.caseNumber)'")
                }
            }
        }

        static func escaped(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_."))) ?? text
        }

        struct Render: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Render a receipt, notice or pledge from JSON data to PDF (and a raster for ESC/POS).",
                discussion: "The JSON format is documented in docs/printing.md; examples are in Provisioning/examples/.")

            @Option(name: .long, help: "receipt, notice or pledge.")
            var doc: String

            @Option(name: .long, help: "The document's data (JSON).")
            var data: String

            @Option(name: .long, help: "Where to write the PDF.")
            var out: String

            @Option(name: .long, help: "a4, 80mm or 58mm.")
            var paper: String = "a4"

            @Option(name: .long, help: "Also write the ESC/POS raster as a PBM image (rolls only).")
            var raster: String?

            @OptionGroup var templateOptions: TemplateOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                guard let doc = DocumentKind(rawValue: doc) else {
                    throw ValidationError("--doc is receipt, notice or pledge, not '\(self.doc)'")
                }
                let paper = try paperSize(self.paper)
                guard let json = FileManager.default.contents(atPath: data) else {
                    throw ValidationError("cannot read \(data)")
                }
                let document: KioskDocument
                do {
                    document = try KioskDocument.decode(doc, json: json)
                } catch {
                    throw ValidationError("\(data): \(error.message)")
                }
                let renderer = DocumentRenderer(templates: try templateOptions.catalog())
                let pdf = try renderer.pdf(document, paper: paper)
                do {
                    try pdf.data.write(to: URL(fileURLWithPath: out))
                } catch {
                    throw ValidationError("cannot write \(out): \((error as NSError).localizedDescription)")
                }
                var rasterSize: [Int]?
                if let raster {
                    let image = try renderer.raster(document, paper: paper.isRoll ? paper : .receipt80)
                    try image.pbm().write(to: URL(fileURLWithPath: raster))
                    rasterSize = [image.width, image.height]
                }
                if output.json {
                    try output.printJSON(
                        RenderReport(
                            out: out, pages: pdf.pageCount, bytes: pdf.data.count, missingGlyphs: pdf.missingGlyphs,
                            raster: raster, rasterSize: rasterSize))
                } else {
                    print("\(out): \(pdf.pageCount) page(s), \(pdf.data.count) bytes, paper \(paper)")
                    if let raster, let rasterSize { print("\(raster): \(rasterSize[0])×\(rasterSize[1]) dots") }
                }
                if pdf.missingGlyphs > 0 {
                    FileHandle.standardError.write(
                        Data(
                            "warning: \(pdf.missingGlyphs) characters have no glyph in the installed fonts (install fonts-noto-cjk or fonts-wqy-microhei)\n"
                                .utf8))
                }
            }
        }

        struct Test: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print a test receipt (Chinese text and QR code) and follow it to the end.")

            @Option(name: .long, help: "CUPS queue (default: the default destination).")
            var printer: String?

            @Option(name: .long, help: "a4, 80mm or 58mm (CUPS only).")
            var paper: String = "a4"

            @OptionGroup var cups: CUPSServerOption
            @OptionGroup var escpos: ESCPOSDeviceOptions
            @OptionGroup var templateOptions: TemplateOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let document = Self.testDocument()
                if let device = escpos.device {
                    try await printESCPOS(document, device: device)
                    return
                }
                let client = CUPSClient(server: try cups.resolve())
                let queue: String
                if let printer { queue = printer } else { queue = try await defaultQueue(client) }
                let renderer = DocumentRenderer(templates: try templateOptions.catalog())
                let pdf = try renderer.pdf(document, paper: try paperSize(paper))
                let job = try await client.submit(pdf.data, to: queue, title: "kiosk-test-\(document.header.caseNumber)")
                if !output.json { print("\(queue): job \(job) submitted, following it…") }
                var lastLine = ""
                let final = try await client.follow(job, queue: queue) { progress in
                    guard !output.json else { return }
                    var line = "  job \(progress.job.state)"
                    if let fault = progress.printer?.device.fault {
                        line += "; printer \(fault.code): \(fault.message) (action: \(fault.action.rawValue))"
                    }
                    if line != lastLine { print(line) }
                    lastLine = line
                }
                if output.json {
                    try output.printJSON(["queue": queue, "job": "\(job)", "state": "\(final.state)"])
                }
                if final.state != .completed { throw ExitCode(1) }
            }

            private func printESCPOS(_ document: KioskDocument, device: String) async throws {
                let settings = try escpos.settings()
                var encoder = try settings.encoder()
                encoder.initialize()
                encoder.align(.center)
                encoder.size(width: 2, height: 2)
                try encoder.line("打印测试")
                encoder.size()
                try encoder.line(document.header.bundle.name)
                try encoder.line("编号 \(document.header.caseNumber)")
                try encoder.qrCode(document.header.statusURL, moduleSize: settings.qrModuleSize)
                try encoder.line("")
                if let cut = settings.cut {
                    encoder.cut(cut, feed: settings.feedBeforeCut)
                } else {
                    encoder.feed(lines: settings.feedBeforeCut)
                }
                let printer = ESCPOSPrinter(transport: try CharacterDeviceTransport(path: device), settings: settings)
                let result = try await printer.print(encoder.bytes)
                let (state, fault) = result.status.device
                let outcome = result.confirmed ? "printed" : "sent"
                if output.json {
                    try output.printJSON(ESCPOSReport(device: device, state: state, fault: fault, status: result.status, outcome: outcome))
                } else {
                    let what =
                        result.confirmed
                        ? "printed (the printer confirmed it)"
                        : "sent to the printer (this model cannot confirm printing: check the paper came out)"
                    print("\(device): \(what); now \(state.rawValue)\(fault.map { " (\($0.code): \($0.message))" } ?? "")")
                }
            }

            /// A receipt that says it is a test, with no personal data.
            static func testDocument() -> KioskDocument {
                let now = Date()
                let stamp = Int(now.timeIntervalSince1970)
                let kiosk = ProcessInfo.processInfo.hostName
                let header = DocumentHeader(
                    caseNumber: "TEST-\(stamp)", kioskID: kiosk, issuedAt: now,
                    bundle: DocumentBundle(code: "test", name: "打印测试（非正式回执）"),
                    statusURL: "https://example.gov.cn/kiosk/print-test/\(stamp)")
                let day = DocumentDate("2026-01-01")
                return .receipt(
                    ReceiptDocument(
                        header: header,
                        items: [DocumentItem(name: "中文字体与二维码测试", department: "自助终端运维", promisedBy: day)],
                        materials: DocumentMaterials(received: [ReceivedMaterial(name: "无（测试页）")])))
            }
        }
    }
}

struct RenderReport: Encodable {
    var out: String
    var pages: Int
    var bytes: Int
    var missingGlyphs: Int
    var raster: String?
    var rasterSize: [Int]?
}
