import Foundation
import KioskFiles
import Testing

@testable import KioskDocuments

/// The repository's root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func exampleDocument(_ kind: DocumentKind) throws -> KioskDocument {
    let url = repositoryRoot.appendingPathComponent("Provisioning/examples/\(kind.rawValue).json")
    return try KioskDocument.decode(kind, json: Data(contentsOf: url))
}

let sharedRenderer: DocumentRenderer? = {
    try? DocumentRenderer(
        templates: TemplateCatalog.load(directory: repositoryRoot.appendingPathComponent("Provisioning/templates").path))
}()

func renderer() throws -> DocumentRenderer {
    try #require(sharedRenderer, "the templates in Provisioning/templates must load")
}

/// Runs a tool from the Debian packages the tests install, returning its standard output.
func run(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

func temporaryFile(_ name: String, _ data: Data) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-doc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try data.write(to: url)
    return url
}

/// pdftotext's output with the spaces and line breaks pango and poppler put between CJK
/// characters removed, so phrases can be searched.
func pdfText(_ pdf: Data, page: Int? = nil) throws -> String {
    let file = try temporaryFile("doc.pdf", pdf)
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    let pages = page.map { ["-f", "\($0)", "-l", "\($0)"] } ?? []
    return try run("/usr/bin/pdftotext", ["-enc", "UTF-8"] + pages + [file.path, "-"]).filter { !$0.isWhitespace }
}

@Suite("Documents rendered to PDF")
struct DocumentRenderingTests {
    @Test(
        "each document prints its Chinese wording, case number and bundle on each paper",
        arguments: DocumentKind.allCases, PaperSize.allCases)
    func pdfCarriesTheText(kind: DocumentKind, paper: PaperSize) throws {
        let document = try exampleDocument(kind)
        let pdf = try renderer().pdf(document, paper: paper)
        #expect(pdf.data.starts(with: Data("%PDF-".utf8)))
        #expect(pdf.missingGlyphs == 0, "a CJK font must be installed (fonts-wqy-microhei or fonts-noto-cjk)")
        let text = try pdfText(pdf.data)
        #expect(text.contains(document.header.caseNumber))
        #expect(text.contains(document.header.bundle.name))
        let title = ["receipt": "收件回执", "notice": "一次告知书", "pledge": "告知承诺书", "certificate": "核验真伪"][kind.rawValue] ?? ""
        #expect(text.contains(title))
    }

    @Test("the receipt lists every item with its department and promised date, and every material")
    func receiptFields() throws {
        let document = try exampleDocument(.receipt)
        guard case let .receipt(receipt) = document else { throw CancellationError() }
        let text = try pdfText(try renderer().pdf(document, paper: .a4).data)
        for item in receipt.items {
            #expect(text.contains(item.name))
            #expect(text.contains(item.department))
            if let day = item.promisedBy { #expect(text.contains("\(day.year)年\(day.month)月\(day.day)日")) }
        }
        for material in receipt.materials.received { #expect(text.contains(material.name)) }
        for material in receipt.materials.electronic { #expect(text.contains(material.name)) }
        for material in receipt.materials.deferred {
            #expect(text.contains(material.name))
            #expect(text.contains("请于\(material.deadline.year)年\(material.deadline.month)月\(material.deadline.day)日前补交"))
        }
        // 15:04:05+08:00 is printed in the template's zone, Asia/Shanghai.
        #expect(text.contains("2026年11月23日15:04"))
    }

    @Test("an item waiting for shared data says so on the receipt, with the field it waits for; the rest keep their dates")
    func receiptWaitingItem() throws {
        guard case var .receipt(receipt) = try exampleDocument(.receipt) else { throw CancellationError() }
        let waiting = receipt.items[0].name
        receipt.items[0].promisedBy = nil
        receipt.waitingItems = [WaitingItem(name: waiting, fields: "车辆识别代号")]
        let text = try pdfText(try renderer().pdf(.receipt(receipt), paper: .a4).data)
        #expect(text.contains("待共享数据到位后继续办理的事项"))
        #expect(text.contains("\(waiting)：待车辆识别代号可用后继续办理，办结时间另行告知"), "\(text)")
        let plain = try pdfText(try renderer().pdf(try exampleDocument(.receipt), paper: .a4).data)
        #expect(!plain.contains("待共享数据"), "a receipt with nothing waiting says nothing of it")
    }

    @Test("a receipt for a guardian's application names the applicant and the guardian who applied")
    func receiptNamesTheAgent() throws {
        guard case var .receipt(receipt) = try exampleDocument(.receipt) else { throw CancellationError() }
        receipt.header.applicant = "林*军"
        receipt.header.agent = "林*明"
        let text = try pdfText(try renderer().pdf(.receipt(receipt), paper: .a4).data)
        #expect(text.contains("申请人") && text.contains("林*军"), "\(text)")
        #expect(text.contains("代办人（监护人）") && text.contains("林*明"), "\(text)")
        let plain = try pdfText(try renderer().pdf(try exampleDocument(.receipt), paper: .a4).data)
        #expect(!plain.contains("代办人"), "a receipt of an application in person names no agent")
    }

    /// 生僻字 of names: levels 2 and 3 of the 通用规范汉字表, most beyond the BMP's common block
    /// (CJK extensions A, B, C, E, F) and beyond what WenQuanYi Micro Hei draws.
    static let rareNameCharacters = "堃喆玥䶮𬌗𫓧𬬮𬬱𬬭𪾢𬳵鿍𬣙𨙸㑇𣲘𬘓𫭟"

    @Test("a masked name of rare standard characters prints on every paper and reads back from the PDF", arguments: PaperSize.allCases)
    func rareCharactersPrint(paper: PaperSize) throws {
        let url = repositoryRoot.appendingPathComponent("Provisioning/examples/receipt.json")
        let json = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(
            of: "\"applicant\": \"张*明\"", with: "\"applicant\": \"\(Self.rareNameCharacters)*\"")
        let document = try KioskDocument.decode(.receipt, json: Data(json.utf8))
        let pdf = try renderer().pdf(document, paper: paper)
        #expect(pdf.missingGlyphs == 0, "every standard character needs a glyph: fonts-noto-cjk")
        let text = try pdfText(pdf.data)
        for character in Self.rareNameCharacters {
            #expect(text.contains(character), "\(character) is printed")
        }
    }

    @Test("a receipt roll is one page as long as its content; A4 paginates long lists")
    func pagination() throws {
        let renderer = try renderer()
        guard case var .receipt(receipt) = try exampleDocument(.receipt) else { throw CancellationError() }
        let short = try renderer.pdf(.receipt(receipt), paper: .a4)
        #expect(short.pageCount == 1)
        receipt.items = (1...80).map { DocumentItem(name: "测试事项\($0)", department: "测试部门", promisedBy: DocumentDate("2026-12-01")) }
        let long = try renderer.pdf(.receipt(receipt), paper: .a4)
        let pages = long.pageCount
        #expect(pages >= 3)
        let roll = try renderer.pdf(.receipt(receipt), paper: .receipt80)
        #expect(roll.pageCount == 1)
        let firstPage = try pdfText(long.data, page: 1)
        let secondPage = try pdfText(long.data, page: 2)
        let lastPage = try pdfText(long.data, page: pages)
        let onFirst = firstPage.contains("测试事项1"), lastOnFirst = firstPage.contains("测试事项80")
        // Where the table ends depends on the font's line height (Noto Sans CJK's is taller than
        // WenQuanYi's): the second page continues it, and the last item is on a later page.
        let continues = secondPage.contains("测试事项"), qrCaptionLast = lastPage.contains("扫码查询办理进度")
        let lastLater = try (2...pages).contains { try pdfText(long.data, page: $0).contains("测试事项80") }
        #expect(onFirst, "the first item is on the first page")
        #expect(!lastOnFirst, "the last item is not squeezed onto the first page")
        #expect(continues && lastLater, "the table continues on the following pages")
        #expect(qrCaptionLast, "the QR code ends the document")
    }

    @Test("the status QR code in the PDF scans to the case's status address", arguments: [PaperSize.a4, .receipt58])
    func pdfQRScans(paper: PaperSize) throws {
        let document = try exampleDocument(.receipt)
        let pdf = try renderer().pdf(document, paper: paper)
        let file = try temporaryFile("qr.pdf", pdf.data)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let prefix = file.deletingPathExtension().path
        _ = try run("/usr/bin/pdftoppm", ["-r", "200", "-gray", "-singlefile", file.path, prefix])
        let scanned = try run("/usr/bin/zbarimg", ["--quiet", "--raw", prefix + ".pgm"])
        #expect(scanned.trimmingCharacters(in: .whitespacesAndNewlines) == document.header.statusURL)
    }

    @Test("the pledge prints the citizen's signature; a broken image is refused")
    func pledgeSignature() throws {
        let document = try exampleDocument(.pledge)
        let signed = try renderer().raster(document, paper: .receipt80)
        guard case var .pledge(pledge) = document else { throw CancellationError() }
        // A white image of the same proportions (240×80 vs 24×8): same layout, no stroke.
        let blank = "iVBORw0KGgoAAAANSUhEUgAAABgAAAAICAAAAADGymC/AAAAD0lEQVR4nGP4jwMwDC0JALoev0Ewkwr8AAAAAElFTkSuQmCC"
        pledge.signaturePNG = try #require(Data(base64Encoded: blank))
        let unsigned = try renderer().raster(.pledge(pledge), paper: .receipt80)
        #expect(unsigned.height == signed.height)
        #expect(signed.blackDots > unsigned.blackDots + 500)
        pledge.signaturePNG = Data("not a png".utf8)
        let error = #expect(throws: DocumentError.self) { try renderer().raster(.pledge(pledge), paper: .receipt80) }
        #expect(error?.code == .image)
    }
}

@Suite("Documents rendered to raster for ESC/POS")
struct RasterTests {
    @Test("roll rasters are as wide as the printer head", arguments: [(PaperSize.receipt80, 576), (.receipt58, 384)])
    func rasterWidth(paper: PaperSize, dots: Int) throws {
        let raster = try renderer().raster(try exampleDocument(.receipt), paper: paper)
        #expect(raster.width == dots)
        #expect(raster.height > raster.width)
        #expect(raster.bits.count == raster.bytesPerRow * raster.height)
        #expect(raster.blackDots > 1000)
        #expect(throws: DocumentError.self) { try renderer().raster(try exampleDocument(.receipt), paper: .a4) }
    }

    @Test("the raster's QR code scans to the status address", arguments: [PaperSize.receipt80, .receipt58])
    func rasterQRScans(paper: PaperSize) throws {
        let document = try exampleDocument(.receipt)
        let raster = try renderer().raster(document, paper: paper)
        let file = try temporaryFile("receipt.pbm", raster.pbm())
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let scanned = try run("/usr/bin/zbarimg", ["--quiet", "--raw", file.path])
        #expect(scanned.trimmingCharacters(in: .whitespacesAndNewlines) == document.header.statusURL)
    }
}

@Suite("Document data and templates reject bad input with clear errors")
struct DocumentInputTests {
    @Test("a wrong date names the field")
    func badDate() throws {
        var json = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Provisioning/examples/receipt.json"), encoding: .utf8)
        json = json.replacingOccurrences(of: "\"2026-11-30\"", with: "\"30/11/2026\"")
        let error = #expect(throws: DocumentError.self) { try KioskDocument.decode(.receipt, json: Data(json.utf8)) }
        #expect(error?.code == .invalidData)
        #expect(error?.message.contains("items[0].promisedBy") == true)
    }

    @Test("a missing field is named by its path")
    func missingField() {
        let error = #expect(throws: DocumentError.self) {
            try KioskDocument.decode(.receipt, json: Data(#"{"header": {"kioskID": "k"}, "items": []}"#.utf8))
        }
        #expect(error?.message.contains("header.caseNumber") == true)
    }

    @Test("a misspelt template key is reported at its line")
    func templateTypo() {
        let yaml = "document: receipt\ntitle: 收件回执\nblocks:\n  - text: hello\n    stlye: title\n"
        let problem = #expect(throws: FileProblem.self) { try DocumentTemplate(yaml: yaml, file: "receipt.yaml") }
        #expect(problem?.location.line == 5)
        #expect(problem?.message.contains("did you mean 'style'") == true)
    }

    @Test("a template field the data does not have fails the render, naming the field and block")
    func unknownTemplateField() throws {
        let yaml = "document: receipt\ntitle: t\nblocks:\n  - text: ok\n  - text: \"{{header.caseNumbr}}\"\n"
        let template = try DocumentTemplate(yaml: yaml, file: "receipt.yaml")
        let renderer = DocumentRenderer(templates: TemplateCatalog(templates: [.receipt: template]))
        let error = #expect(throws: DocumentError.self) { try renderer.pdf(try exampleDocument(.receipt), paper: .a4) }
        #expect(error?.code == .template)
        #expect(error?.message.contains("block 2") == true)
        #expect(error?.message.contains("header.caseNumbr") == true)
    }

    @Test("wording changes with the template file, without a rebuild")
    func wordingIsData() throws {
        let yaml = "document: receipt\ntitle: t\nblocks:\n  - text: 受理凭证 {{header.caseNumber}}\n"
        let template = try DocumentTemplate(yaml: yaml, file: "receipt.yaml")
        let renderer = DocumentRenderer(templates: TemplateCatalog(templates: [.receipt: template]))
        let text = try pdfText(try renderer.pdf(try exampleDocument(.receipt), paper: .receipt80).data)
        #expect(text.contains("受理凭证SD370102-20261123-000042"))
        #expect(!text.contains("收件回执"))
    }
}
