import CCairo
import CPango
import CQREncode
import Foundation

/// The pango font map and context a renderer keeps for its lifetime.
///
/// Layout is done at 72 "dpi" (one unit is one point) with hinting and glyph-position rounding
/// off, so that the same layout is exact on a PDF page and on a 203 dpi raster.
final class FontContext {
    let fontMap: UnsafeMutablePointer<PangoFontMap>?
    let context: OpaquePointer?

    init() {
        fontMap = pango_cairo_font_map_new()
        context = fontMap.flatMap { pango_font_map_create_context($0) }
        if let context {
            pango_cairo_context_set_resolution(context, 72)
            let options = cairo_font_options_create()
            cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
            cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
            pango_cairo_context_set_font_options(context, options)
            cairo_font_options_destroy(options)
            pango_context_set_round_glyph_positions(context, 0)
        }
    }

    deinit {
        if let context { g_object_unref(UnsafeMutableRawPointer(context)) }
        if let fontMap { g_object_unref(UnsafeMutableRawPointer(fontMap)) }
    }
}

/// A laid-out piece of a page: knows its height and draws itself at a position.
struct Piece {
    let height: Double
    /// Blank space or a rule: dropped at the top of a new page.
    let isSpacing: Bool
    let draw: (OpaquePointer?, Double, Double) -> Void
}

/// A pango layout, released when no piece needs it any more.
final class TextLayout {
    let layout: OpaquePointer
    let height: Double
    let width: Double

    init(layout: OpaquePointer) {
        self.layout = layout
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        height = Double(logical.height) / Double(PANGO_SCALE)
        width = Double(logical.width) / Double(PANGO_SCALE)
    }

    func draw(_ cr: OpaquePointer?, _ x: Double, _ y: Double) {
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, layout)
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }
}

/// Turns a template and a document's data into pieces, measuring text with pango.
final class Composer {
    private let fonts: FontContext
    private let template: DocumentTemplate
    private let paper: PaperSize
    private let expander: PlaceholderExpander
    private let contentWidth: Double
    /// Dots per point when rendering a raster: QR modules are snapped to whole dots.
    private let dotsPerPoint: Double?
    private(set) var missingGlyphs = 0

    init(
        fonts: FontContext, template: DocumentTemplate, paper: PaperSize, root: FieldValue, contentWidth: Double,
        dotsPerPoint: Double?
    ) {
        self.fonts = fonts
        self.template = template
        self.paper = paper
        self.expander = PlaceholderExpander(root: root, timeZone: template.timeZone)
        self.contentWidth = contentWidth
        self.dotsPerPoint = dotsPerPoint
    }

    private var millimetre: Double { 72 / 25.4 }

    /// Text sizes are written for A4; rolls are read at arm's length and narrower.
    private var textScale: Double {
        switch paper {
        case .a4: 1
        case .receipt80: 0.8
        case .receipt58: 0.72
        }
    }

    func compose() throws(DocumentError) -> [Piece] {
        guard fonts.context != nil else { throw DocumentError(.font, "pango could not create a font context") }
        var pieces: [Piece] = []
        for (index, block) in template.blocks.enumerated() where block.appears(on: paper) {
            if let when = block.when {
                guard expander.lookup(when, row: nil)?.isPresent == true else { continue }
            }
            do {
                pieces += try compose(block)
            } catch {
                var located = error
                located.message = "\(template.file): block \(index + 1): \(error.message)"
                throw located
            }
        }
        return pieces
    }

    private func compose(_ block: TemplateBlock) throws(DocumentError) -> [Piece] {
        let style = template.style(block.style)
        let align = block.align ?? style.align
        let gap = 1.2 * millimetre * textScale
        switch block.content {
        case let .text(text):
            let layout = try self.layout(expander.expand(text), style: style, align: align, width: contentWidth)
            // Headings stand apart from what precedes them.
            let above = block.style == "heading" ? gap : 0
            return [
                Piece(height: above + layout.height + gap, isSpacing: false) { cr, x, y in layout.draw(cr, x, y + above) }
            ]

        case let .fields(rows):
            let labelWidth = contentWidth * (paper.isRoll ? 0.32 : 0.22)
            let bold = DocumentTemplate.TextStyle(size: style.size, bold: true, align: .left)
            return try rows.map { row throws(DocumentError) -> Piece in
                let label = try self.layout(row.label, style: bold, align: .left, width: labelWidth - gap)
                let value = try self.layout(
                    expander.expand(row.value), style: style, align: .left, width: contentWidth - labelWidth)
                return Piece(height: max(label.height, value.height) + gap / 2, isSpacing: false) { cr, x, y in
                    label.draw(cr, x, y)
                    value.draw(cr, x + labelWidth, y)
                }
            }

        case let .table(table):
            let rows = try self.rows(table.rows)
            if rows.isEmpty {
                guard let empty = table.empty else { return [] }
                let layout = try self.layout(expander.expand(empty), style: style, align: align, width: contentWidth)
                return [Piece(height: layout.height + gap, isSpacing: false) { cr, x, y in layout.draw(cr, x, y) }]
            }
            return paper.isRoll
                ? try stackedTable(table, rows: rows, style: style, gap: gap)
                : try columnTable(table, rows: rows, style: style, gap: gap)

        case let .list(list):
            let rows = try self.rows(list.rows)
            if rows.isEmpty {
                guard let empty = list.empty else { return [] }
                let layout = try self.layout(expander.expand(empty), style: style, align: align, width: contentWidth)
                return [Piece(height: layout.height + gap / 2, isSpacing: false) { cr, x, y in layout.draw(cr, x, y) }]
            }
            let indent = style.size * textScale * 1.2
            return try rows.map { row throws(DocumentError) -> Piece in
                let bullet = try self.layout("•", style: style, align: .left, width: indent)
                let text = try self.layout(
                    expander.expand(list.item, row: row), style: style, align: .left, width: contentWidth - indent)
                return Piece(height: text.height + gap / 3, isSpacing: false) { cr, x, y in
                    bullet.draw(cr, x, y)
                    text.draw(cr, x + indent, y)
                }
            }

        case let .qr(text, size, caption):
            return [try qrPiece(expander.expand(text), size: size, caption: caption, style: style, gap: gap)]

        case let .image(field, width):
            return [try imagePiece(field: field, width: width, align: align, gap: gap)]

        case let .rule(dashed):
            let lineWidth = paper.isRoll ? 0.8 : 0.6
            return [
                Piece(height: gap * 2, isSpacing: true) { [contentWidth] cr, x, y in
                    cairo_save(cr)
                    cairo_set_line_width(cr, lineWidth)
                    if dashed {
                        var pattern: [Double] = [3, 2]
                        cairo_set_dash(cr, &pattern, 2, 0)
                    }
                    cairo_move_to(cr, x, y + gap)
                    cairo_line_to(cr, x + contentWidth, y + gap)
                    cairo_stroke(cr)
                    cairo_restore(cr)
                }
            ]

        case let .space(millimetres):
            return [Piece(height: millimetres * millimetre, isSpacing: true) { _, _, _ in }]
        }
    }

    // MARK: Tables

    private func columnWidths(_ table: TemplateBlock.Table) -> [Double] {
        let fixed = table.columns.compactMap(\.width).reduce(0, +)
        let free = table.columns.filter { $0.width == nil }.count
        let share = free > 0 ? max(0, 1 - fixed) / Double(free) : 0
        return table.columns.map { ($0.width ?? share) * contentWidth }
    }

    private func columnTable(
        _ table: TemplateBlock.Table, rows: [FieldValue], style: DocumentTemplate.TextStyle, gap: Double
    ) throws(DocumentError) -> [Piece] {
        let widths = columnWidths(table)
        let offsets = widths.indices.map { widths[..<$0].reduce(0, +) }
        let headerStyle = DocumentTemplate.TextStyle(size: style.size, bold: true)
        let padding = gap / 2
        func row(_ texts: [String], style: DocumentTemplate.TextStyle, line: Bool) throws(DocumentError) -> Piece {
            var cells: [TextLayout] = []
            for (index, text) in texts.enumerated() {
                cells.append(try layout(text, style: style, align: .left, width: widths[index] - padding * 2))
            }
            let height = (cells.map(\.height).max() ?? 0) + padding * 2
            return Piece(height: height, isSpacing: false) { [contentWidth] cr, x, y in
                for (index, cell) in cells.enumerated() { cell.draw(cr, x + offsets[index] + padding, y + padding) }
                cairo_save(cr)
                cairo_set_line_width(cr, line ? 0.8 : 0.3)
                cairo_move_to(cr, x, y + height)
                cairo_line_to(cr, x + contentWidth, y + height)
                cairo_stroke(cr)
                cairo_restore(cr)
            }
        }
        var pieces = [try row(table.columns.map(\.header), style: headerStyle, line: true)]
        for value in rows {
            var texts: [String] = []
            for column in table.columns { texts.append(try expander.expand(column.value, row: value)) }
            pieces.append(try row(texts, style: style, line: false))
        }
        return pieces
    }

    /// On a roll a table becomes one small stanza per row: the first column in bold, the
    /// others as `header：value` lines.
    private func stackedTable(
        _ table: TemplateBlock.Table, rows: [FieldValue], style: DocumentTemplate.TextStyle, gap: Double
    ) throws(DocumentError) -> [Piece] {
        let boldStyle = DocumentTemplate.TextStyle(size: style.size, bold: true)
        var pieces: [Piece] = []
        for value in rows {
            var lines: [TextLayout] = []
            for (index, column) in table.columns.enumerated() {
                let text = try expander.expand(column.value, row: value)
                if index == 0 {
                    lines.append(try layout(text, style: boldStyle, align: .left, width: contentWidth))
                } else if !text.isEmpty {
                    lines.append(try layout("\(column.header)：\(text)", style: style, align: .left, width: contentWidth))
                }
            }
            let height = lines.reduce(0) { $0 + $1.height } + gap
            pieces.append(
                Piece(height: height, isSpacing: false) { cr, x, y in
                    var top = y
                    for line in lines {
                        line.draw(cr, x, top)
                        top += line.height
                    }
                })
        }
        return pieces
    }

    private func rows(_ path: String) throws(DocumentError) -> [FieldValue] {
        guard let value = expander.lookup(path, row: nil) else {
            throw DocumentError(.template, "the template lists '\(path)', which the document data does not have")
        }
        switch value {
        case let .list(items): return items
        case .null: return []
        default: throw DocumentError(.template, "'\(path)' is not a list")
        }
    }

    // MARK: Text

    func layout(
        _ text: String, style: DocumentTemplate.TextStyle, align: DocumentTemplate.Alignment, width: Double
    ) throws(DocumentError) -> TextLayout {
        guard let layout = pango_layout_new(fonts.context) else {
            throw DocumentError(.font, "pango could not create a layout")
        }
        let description = pango_font_description_new()
        pango_font_description_set_family(description, template.font)
        pango_font_description_set_absolute_size(description, style.size * textScale * Double(PANGO_SCALE))
        pango_font_description_set_weight(description, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(layout, description)
        pango_font_description_free(description)
        pango_layout_set_width(layout, Int32(max(1, width) * Double(PANGO_SCALE)))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        switch align {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
        pango_layout_set_text(layout, text, -1)
        missingGlyphs += Int(pango_layout_get_unknown_glyphs_count(layout))
        return TextLayout(layout: layout)
    }

    // MARK: QR codes and images

    private func qrPiece(
        _ text: String, size: Double, caption: String?, style: DocumentTemplate.TextStyle, gap: Double
    ) throws(DocumentError) -> Piece {
        let code = try QRMatrix(text: text)
        let quiet = 4
        let modules = Double(code.size + 2 * quiet)
        var side = min(size * millimetre * (paper.isRoll ? 0.9 : 1), contentWidth)
        var module = side / modules
        if let dotsPerPoint {
            // Whole dots per module, or the printed code has uneven modules that scanners reject.
            let dots = max(2, (side * dotsPerPoint / modules).rounded(.down))
            module = dots / dotsPerPoint
            side = module * modules
        }
        let captionLayout = try caption.map { text throws(DocumentError) in
            try layout(expander.expand(text), style: template.style("small"), align: .center, width: contentWidth)
        }
        let height = side + (captionLayout?.height ?? 0) + gap
        return Piece(height: height, isSpacing: false) { [contentWidth, dotsPerPoint] cr, x, y in
            var left = x + (contentWidth - side) / 2
            var top = y
            if let dotsPerPoint {
                left = (left * dotsPerPoint).rounded() / dotsPerPoint
                top = (top * dotsPerPoint).rounded() / dotsPerPoint
            }
            cairo_save(cr)
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE)
            // One rectangle per horizontal run of dark modules: fewer seams in PDF viewers.
            for row in 0..<code.size {
                var column = 0
                while column < code.size {
                    guard code[column, row] else {
                        column += 1
                        continue
                    }
                    let start = column
                    while column < code.size, code[column, row] { column += 1 }
                    cairo_rectangle(
                        cr, left + Double(start + quiet) * module, top + Double(row + quiet) * module,
                        Double(column - start) * module, module)
                }
            }
            cairo_fill(cr)
            cairo_restore(cr)
            captionLayout?.draw(cr, x, top + side)
        }
    }

    private func imagePiece(
        field: String, width: Double, align: DocumentTemplate.Alignment, gap: Double
    ) throws(DocumentError) -> Piece {
        guard case let .text(base64)? = expander.lookup(field, row: nil) else {
            throw DocumentError(.template, "the template shows image '\(field)', which the document data does not have")
        }
        guard let png = Data(base64Encoded: base64) else {
            throw DocumentError(.image, "'\(field)' is not base64")
        }
        let image = try PNGImage(png)
        let targetWidth = min(width * millimetre * textScale, contentWidth)
        let scale = targetWidth / Double(image.width)
        let targetHeight = Double(image.height) * scale
        return Piece(height: targetHeight + gap, isSpacing: false) { [contentWidth] cr, x, y in
            let left: Double =
                switch align {
                case .left: x
                case .center: x + (contentWidth - targetWidth) / 2
                case .right: x + contentWidth - targetWidth
                }
            cairo_save(cr)
            cairo_translate(cr, left, y)
            cairo_scale(cr, scale, scale)
            cairo_set_source_surface(cr, image.surface, 0, 0)
            cairo_paint(cr)
            cairo_restore(cr)
        }
    }
}

/// A QR code's modules from libqrencode (error correction level M, byte mode).
public struct QRMatrix: Sendable, Hashable {
    /// Modules per side.
    public let size: Int
    private let dark: [Bool]

    /// Encodes `text`; throws when it is empty or too long for any QR version.
    public init(text: String) throws(DocumentError) {
        guard !text.isEmpty else { throw DocumentError(.qr, "the QR code's text is empty") }
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw DocumentError(.qr, "the text is too long for a QR code (\(text.utf8.count) bytes)")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        size = width
        // Bit 0 of each byte is the module's colour; the other bits describe its role.
        dark = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
    }

    /// Whether the module at (x, y) is dark.
    public subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < size, y < size else { return false }
        return dark[y * size + x]
    }
}

/// A PNG decoded by cairo into an image surface.
final class PNGImage {
    let surface: OpaquePointer
    let width: Int
    let height: Int

    private final class Reader {
        let data: Data
        var offset = 0
        init(_ data: Data) { self.data = data }
    }

    init(_ png: Data) throws(DocumentError) {
        guard png.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { throw DocumentError(.image, "the image is not a PNG") }
        let reader = Reader(png)
        let read: cairo_read_func_t = { closure, buffer, length in
            guard let closure, let buffer else { return CAIRO_STATUS_READ_ERROR }
            let reader = Unmanaged<Reader>.fromOpaque(closure).takeUnretainedValue()
            let count = Int(length)
            guard reader.offset + count <= reader.data.count else { return CAIRO_STATUS_READ_ERROR }
            reader.data.copyBytes(to: buffer, from: reader.offset..<(reader.offset + count))
            reader.offset += count
            return CAIRO_STATUS_SUCCESS
        }
        let surface = withExtendedLifetime(reader) {
            cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(reader).toOpaque())
        }
        guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            if let surface { cairo_surface_destroy(surface) }
            throw DocumentError(.image, "the PNG image could not be decoded")
        }
        self.surface = surface
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
        guard width > 0, height > 0 else { throw DocumentError(.image, "the PNG image is empty") }
    }

    deinit { cairo_surface_destroy(surface) }
}

extension QRMatrix {
    /// The code as an SVG image with a four-module quiet zone, one path of dark modules, for
    /// showing on screen when a receipt cannot be printed.
    public func svg() -> String {
        let side = size + 8
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else {
                    x += 1
                    continue
                }
                let start = x
                while x < size, self[x, y] { x += 1 }
                path += "M\(start + 4) \(y + 4)h\(x - start)v1h-\(x - start)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }
}
