import CCairo
import CPango
import Foundation
import Synchronization

/// A document rendered to PDF.
public struct RenderedPDF: Sendable {
    /// The PDF file's bytes.
    public var data: Data
    /// The number of pages (always 1 on rolls).
    public var pageCount: Int
    /// The paper it was laid out for.
    public var paper: PaperSize
    /// Characters the fonts could not show (printed as boxes); 0 on a correctly provisioned kiosk.
    public var missingGlyphs: Int
}

/// Renders kiosk documents from templates with pango (text layout, CJK fonts through
/// fontconfig), cairo (PDF and raster surfaces) and libqrencode.
///
/// One renderer lives for the daemon's lifetime so fontconfig is loaded once; pango objects
/// are not thread-safe, so renders are serialised by a lock (each takes a few milliseconds).
public final class DocumentRenderer: Sendable {
    /// The templates in use.
    public let templates: TemplateCatalog
    // The mutex guards the pango font map and context, which pango does not allow to be
    // used from two threads at once.
    private let fonts: Mutex<FontContext>

    /// Creates a renderer over `templates`.
    public init(templates: TemplateCatalog) {
        self.templates = templates
        self.fonts = Mutex(FontContext())
    }

    /// Renders `document` to PDF for `paper`.
    public func pdf(_ document: KioskDocument, paper: PaperSize) throws(DocumentError) -> RenderedPDF {
        let template = try templates.template(for: document.kind)
        let root = try FieldValue(json: document.encoded())
        return try fonts.withLock { fonts throws(DocumentError) -> RenderedPDF in
            let geometry = PageGeometry(paper: paper, template: template)
            let composer = Composer(
                fonts: fonts, template: template, paper: paper, root: root, contentWidth: geometry.contentWidth,
                dotsPerPoint: nil)
            let pieces = try composer.compose()
            let pages = geometry.paginate(pieces)
            let sink = PDFSink()
            let pageHeight =
                geometry.pageHeight
                ?? (geometry.top + pieces.reduce(0) { $0 + $1.height } + geometry.bottom)
            guard
                let surface = cairo_pdf_surface_create_for_stream(
                    pdfWrite, Unmanaged.passUnretained(sink).toOpaque(), geometry.pageWidth, pageHeight)
            else { throw DocumentError(.render, "cairo could not create a PDF surface") }
            defer { cairo_surface_destroy(surface) }
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, template.title)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "kioskd")
            let cr = cairo_create(surface)
            defer { cairo_destroy(cr) }
            cairo_set_source_rgb(cr, 0, 0, 0)
            for page in pages {
                var y = geometry.top
                for piece in page {
                    piece.draw(cr, geometry.left, y)
                    y += piece.height
                }
                cairo_show_page(cr)
            }
            cairo_surface_finish(surface)
            let status = cairo_surface_status(surface)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw DocumentError(.render, "cairo failed writing the PDF: \(String(cString: cairo_status_to_string(status)))")
            }
            return RenderedPDF(data: sink.data, pageCount: pages.count, paper: paper, missingGlyphs: composer.missingGlyphs)
        }
    }

    /// Renders `document` as a 1-bit raster for an ESC/POS printer head `widthDots` wide.
    ///
    /// - Parameters:
    ///   - paper: a roll (`80mm` or `58mm`); sheets are not rasterised.
    ///   - widthDots: the head's width in dots (576 for 80 mm, 384 for 58 mm at 203 dpi);
    ///     the paper's printable width when `nil`.
    ///   - dotsPerInch: the head's resolution.
    public func raster(
        _ document: KioskDocument, paper: PaperSize, widthDots: Int? = nil, dotsPerInch: Double = 203
    ) throws(DocumentError) -> MonochromeRaster {
        guard paper.isRoll else { throw DocumentError(.render, "raster output is for receipt rolls, not \(paper)") }
        guard (100...600).contains(dotsPerInch) else { throw DocumentError(.render, "dots per inch must be 100–600") }
        let template = try templates.template(for: document.kind)
        let root = try FieldValue(json: document.encoded())
        let width = widthDots ?? Int((paper.printableWidthMillimetres * dotsPerInch / 25.4 / 8).rounded()) * 8
        guard (64...2048).contains(width), width % 8 == 0 else {
            throw DocumentError(.render, "the head width must be a multiple of 8 dots between 64 and 2048")
        }
        return try fonts.withLock { fonts throws(DocumentError) -> MonochromeRaster in
            let dotsPerPoint = dotsPerInch / 72
            let margin = template.margins.roll * 72 / 25.4
            let contentWidth = Double(width) / dotsPerPoint - 2 * margin
            let composer = Composer(
                fonts: fonts, template: template, paper: paper, root: root, contentWidth: contentWidth,
                dotsPerPoint: dotsPerPoint)
            let pieces = try composer.compose()
            let heightPoints = 2 * margin + pieces.reduce(0) { $0 + $1.height }
            let height = Int((heightPoints * dotsPerPoint).rounded(.up))
            guard height < 60_000 else { throw DocumentError(.render, "the receipt would be longer than 7 metres") }
            // RGB on white, not an alpha mask: an opaque image (the signature on its white
            // background) must stay white where it is white.
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)) else {
                throw DocumentError(.render, "cairo could not create a raster surface")
            }
            defer { cairo_surface_destroy(surface) }
            let cr = cairo_create(surface)
            defer { cairo_destroy(cr) }
            cairo_set_source_rgb(cr, 1, 1, 1)
            cairo_paint(cr)
            cairo_scale(cr, dotsPerPoint, dotsPerPoint)
            cairo_set_source_rgb(cr, 0, 0, 0)
            var y = margin
            for piece in pieces {
                piece.draw(cr, margin, y)
                y += piece.height
            }
            cairo_surface_flush(surface)
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let pixels = cairo_image_surface_get_data(surface)
            else { throw DocumentError(.render, "cairo failed drawing the raster") }
            let stride = Int(cairo_image_surface_get_stride(surface))
            // Pixels are native-endian 32-bit xRGB; a dot is black when its luminance is below half.
            return MonochromeRaster(width: width, height: height) { x, y in
                let pixel = UnsafeRawPointer(pixels + y * stride + x * 4).loadUnaligned(as: UInt32.self)
                let red = Int(pixel >> 16 & 0xFF), green = Int(pixel >> 8 & 0xFF), blue = Int(pixel & 0xFF)
                return red * 299 + green * 587 + blue * 114 < 128_000
            }
        }
    }
}

/// A 1-bit image, rows of bytes with the most significant bit leftmost and 1 meaning black:
/// the layout ESC/POS `GS v 0` and PBM (`P4`) both use.
public struct MonochromeRaster: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var bits: [UInt8]

    /// Bytes per row.
    public var bytesPerRow: Int { (width + 7) / 8 }

    /// An all-white raster.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        self.bits = [UInt8](repeating: 0, count: ((width + 7) / 8) * height)
    }

    /// A raster whose dots are given by `isBlack(x, y)`.
    public init(width: Int, height: Int, isBlack: (Int, Int) -> Bool) {
        self.init(width: width, height: height)
        let rowBytes = bytesPerRow
        for y in 0..<height {
            for x in 0..<width where isBlack(x, y) {
                bits[y * rowBytes + x / 8] |= 0x80 >> UInt8(x % 8)
            }
        }
    }

    /// Whether the dot at (x, y) is black.
    public subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < width, y < height else { return false }
        return bits[y * bytesPerRow + x / 8] & (0x80 >> UInt8(x % 8)) != 0
    }

    /// The number of black dots (for tests and ink estimates).
    public var blackDots: Int { bits.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// The raster as a binary PBM file, viewable with any image viewer.
    public func pbm() -> Data {
        var data = Data("P4\n\(width) \(height)\n".utf8)
        data.append(contentsOf: bits)
        return data
    }
}

/// Page size, margins and pagination for one paper.
struct PageGeometry {
    let pageWidth: Double
    let pageHeight: Double?
    let left: Double
    let top: Double
    let bottom: Double
    let contentWidth: Double

    init(paper: PaperSize, template: DocumentTemplate) {
        let points = 72 / 25.4
        let margin = template.margins.value(for: paper) * points
        pageWidth = paper.widthMillimetres * points
        pageHeight = paper.heightMillimetres.map { $0 * points }
        // On rolls the printable area is narrower than the paper and centred on it.
        let unprintable = (paper.widthMillimetres - paper.printableWidthMillimetres) / 2 * points
        left = unprintable + margin
        top = margin
        bottom = paper.isRoll ? margin + 4 * points : margin
        contentWidth = pageWidth - 2 * left
    }

    /// Splits pieces into pages, breaking between pieces; rolls are one page.
    func paginate(_ pieces: [Piece]) -> [[Piece]] {
        guard let pageHeight else { return [pieces] }
        let available = pageHeight - top - bottom
        var pages: [[Piece]] = [[]]
        var used = 0.0
        for piece in pieces {
            if used + piece.height > available, !(pages.last?.isEmpty ?? true) {
                // A page never starts with blank space or a rule.
                if piece.isSpacing { continue }
                pages.append([])
                used = 0
            }
            pages[pages.count - 1].append(piece)
            used += piece.height
        }
        return pages
    }
}

/// Collects the PDF bytes cairo streams out.
private final class PDFSink {
    var data = Data()
}

private let pdfWrite: cairo_write_func_t = { closure, bytes, length in
    guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
    Unmanaged<PDFSink>.fromOpaque(closure).takeUnretainedValue().data.append(bytes, count: Int(length))
    return CAIRO_STATUS_SUCCESS
}
