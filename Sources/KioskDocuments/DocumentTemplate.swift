import Foundation
import KioskFiles

/// The paper a document is laid out for.
public enum PaperSize: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// ISO A4 sheets (210 × 297 mm), paginated.
    case a4
    /// An 80 mm receipt roll (72 mm printable, 576 dots at 203 dpi): one page as long as needed.
    case receipt80 = "80mm"
    /// A 58 mm receipt roll (48 mm printable, 384 dots at 203 dpi).
    case receipt58 = "58mm"

    /// Page width in millimetres (the roll's width for receipts).
    public var widthMillimetres: Double {
        switch self {
        case .a4: 210
        case .receipt80: 80
        case .receipt58: 58
        }
    }

    /// The printable width of a receipt printer head, in millimetres.
    public var printableWidthMillimetres: Double {
        switch self {
        case .a4: 210
        case .receipt80: 72
        case .receipt58: 48
        }
    }

    /// Page height in millimetres for paginated paper; `nil` for rolls.
    public var heightMillimetres: Double? { self == .a4 ? 297 : nil }

    /// Whether this is a roll (one page, narrow layout).
    public var isRoll: Bool { self != .a4 }

    public var description: String { rawValue }
}

/// One template: the wording and layout of a document, read from a YAML file so that a
/// province can change them without a rebuild. See `Provisioning/templates/README.md`.
public struct DocumentTemplate: Sendable, Hashable {
    /// Which document this template renders.
    public var document: DocumentKind
    /// The title stored in the PDF's metadata.
    public var title: String
    /// A Pango font family list, first match wins (`Noto Sans CJK SC, WenQuanYi Micro Hei`).
    public var font: String
    /// The zone times are printed in.
    public var timeZone: TimeZone
    /// Margins in millimetres, for sheets and for rolls.
    public var margins: Margins
    /// Named text styles; blocks refer to them by name.
    public var styles: [String: TextStyle]
    /// What is printed, top to bottom.
    public var blocks: [TemplateBlock]
    /// Where the template came from (for messages).
    public var file: String

    /// Margins in millimetres.
    public struct Margins: Sendable, Hashable, Codable {
        public var a4: Double
        public var roll: Double

        public init(a4: Double = 18, roll: Double = 2) {
            self.a4 = a4
            self.roll = roll
        }

        func value(for paper: PaperSize) -> Double { paper.isRoll ? roll : a4 }
    }

    /// A text style: size in points on A4 (rolls scale it down), weight, alignment.
    public struct TextStyle: Sendable, Hashable, Codable {
        public var size: Double
        public var bold: Bool
        public var align: Alignment

        public init(size: Double, bold: Bool = false, align: Alignment = .left) {
            self.size = size
            self.bold = bold
            self.align = align
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            size = try container.decode(Double.self, forKey: .size)
            bold = try container.decodeIfPresent(Bool.self, forKey: .bold) ?? false
            align = try container.decodeIfPresent(Alignment.self, forKey: .align) ?? .left
        }
    }

    /// Horizontal alignment of text.
    public enum Alignment: String, Sendable, Hashable, Codable {
        case left, center, right
    }

    /// The styles every template has unless it overrides them.
    public static let defaultStyles: [String: TextStyle] = [
        "title": TextStyle(size: 18, bold: true, align: .center),
        "heading": TextStyle(size: 12, bold: true),
        "body": TextStyle(size: 10.5),
        "small": TextStyle(size: 8.5),
        "number": TextStyle(size: 14, bold: true, align: .center),
    ]

    /// The style named `name`, or `body`.
    func style(_ name: String?) -> TextStyle {
        styles[name ?? "body"] ?? styles["body"] ?? TextStyle(size: 10.5)
    }
}

/// One block of a template. Exactly one of the content keys is set.
public struct TemplateBlock: Sendable, Hashable {
    /// What the block shows.
    public enum Content: Sendable, Hashable {
        /// A paragraph; the text may contain `{{field}}` placeholders.
        case text(String)
        /// Label / value rows.
        case fields([FieldRow])
        /// A table over a list in the data (columns on A4, stacked on rolls).
        case table(Table)
        /// A bulleted list over a list in the data.
        case list(ListSpec)
        /// A QR code of the expanded text, with an optional caption under it.
        case qr(text: String, sizeMillimetres: Double, caption: String?)
        /// A PNG image from a data field (base64), scaled to a width.
        case image(field: String, widthMillimetres: Double)
        /// A horizontal line.
        case rule(dashed: Bool)
        /// Vertical space in millimetres.
        case space(Double)
    }

    /// A label and a value template.
    public struct FieldRow: Sendable, Hashable, Codable {
        public var label: String
        public var value: String
    }

    /// A table: `rows` is the path of a list; each column's `value` is expanded per row.
    public struct Table: Sendable, Hashable, Codable {
        public var rows: String
        public var columns: [Column]
        /// Printed instead of the table when the list is empty.
        public var empty: String?

        public struct Column: Sendable, Hashable, Codable {
            public var header: String
            public var value: String
            /// Fraction of the width (the rest is shared by columns without one).
            public var width: Double?
        }
    }

    /// A list: `item` is expanded for each element of `rows`.
    public struct ListSpec: Sendable, Hashable, Codable {
        public var rows: String
        public var item: String
        public var empty: String?
    }

    public var content: Content
    /// The text style's name (`body` when absent).
    public var style: String?
    /// Overrides the style's alignment.
    public var align: DocumentTemplate.Alignment?
    /// A field path: the block is left out when it is absent, empty or an empty list.
    public var when: String?
    /// The papers this block appears on (`a4`, `roll`); all when absent.
    public var paper: [String]?

    func appears(on paper: PaperSize) -> Bool {
        guard let papers = self.paper else { return true }
        return papers.contains(paper.rawValue) || (paper.isRoll && papers.contains("roll"))
    }
}

extension DocumentTemplate {
    private struct RawTemplate: Decodable {
        var document: DocumentKind
        var title: String
        var font: String?
        var timeZone: String?
        var margins: Margins?
        var styles: [String: TextStyle]?
    }

    private struct RawBlock: Decodable {
        var text: String?
        var fields: [FieldRowValue]?
        var table: TemplateBlock.Table?
        var list: TemplateBlock.ListSpec?
        var qr: String?
        var size: Double?
        var caption: String?
        var image: String?
        var width: Double?
        var rule: String?
        var space: Double?
        var style: String?
        var align: Alignment?
        var when: String?
        var paper: [String]?
    }

    private typealias FieldRowValue = TemplateBlock.FieldRow

    static let shape: YAMLShape = .mapping([
        "document": .scalar, "title": .scalar, "font": .scalar, "timeZone": .scalar,
        "margins": .mapping(["a4": .scalar, "roll": .scalar]),
        "styles": .dictionary(.mapping(["size": .scalar, "bold": .scalar, "align": .scalar])),
        "blocks": .list(
            .mapping([
                "text": .scalar,
                "fields": .list(.mapping(["label": .scalar, "value": .scalar])),
                "table": .mapping([
                    "rows": .scalar, "empty": .scalar,
                    "columns": .list(.mapping(["header": .scalar, "value": .scalar, "width": .scalar])),
                ]),
                "list": .mapping(["rows": .scalar, "item": .scalar, "empty": .scalar]),
                "qr": .scalar, "size": .scalar, "caption": .scalar,
                "image": .scalar, "width": .scalar,
                "rule": .scalar, "space": .scalar,
                "style": .scalar, "align": .scalar, "when": .scalar, "paper": .list(.scalar),
            ])),
    ])

    /// Reads a template from YAML text; every problem is reported at its line.
    public init(yaml text: String, file: String) throws(FileProblem) {
        let yaml = try YAMLFile(text: text, file: file)
        if let problem = yaml.unknownKeys(Self.shape).first { throw problem }
        let raw = try yaml.decode(RawTemplate.self)
        guard let root = yaml.root, let sequence = yaml.items(of: yaml.child("blocks", of: root)) else {
            throw FileProblem(yaml.location(of: yaml.root), "missing required key 'blocks' (a list of blocks)")
        }
        var blocks: [TemplateBlock] = []
        for node in sequence {
            let rawBlock = try yaml.decode(RawBlock.self, from: node)
            blocks.append(try Self.block(from: rawBlock, at: yaml.location(of: node)))
        }
        let zoneName = raw.timeZone ?? "Asia/Shanghai"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw FileProblem(
                yaml.location(of: yaml.child("timeZone", of: root)), "unknown time zone '\(zoneName)' (e.g. Asia/Shanghai)")
        }
        for (name, style) in raw.styles ?? [:] where !(4...72).contains(style.size) {
            throw FileProblem(
                yaml.location(of: yaml.child("styles", of: root)), "style '\(name)': size must be 4–72 points")
        }
        let styles = Self.defaultStyles.merging(raw.styles ?? [:]) { _, override in override }
        for (index, block) in blocks.enumerated() {
            if let style = block.style, styles[style] == nil {
                throw FileProblem(
                    yaml.location(of: sequence[index]),
                    "unknown style '\(style)' (known: \(styles.keys.sorted().joined(separator: ", ")))")
            }
        }
        self.init(
            document: raw.document, title: raw.title,
            font: raw.font ?? "Noto Sans CJK SC, WenQuanYi Micro Hei, Source Han Sans SC, sans-serif",
            timeZone: zone, margins: raw.margins ?? Margins(), styles: styles, blocks: blocks, file: file)
    }

    /// Reads the template file at `path`.
    public static func load(path: String) throws(FileProblem) -> DocumentTemplate {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileProblem(SourceLocation(file: path, line: 1), "cannot open template file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileProblem(SourceLocation(file: path, line: 1), "is not UTF-8 text")
        }
        return try DocumentTemplate(yaml: text, file: path)
    }

    private static func block(from raw: RawBlock, at location: SourceLocation) throws(FileProblem) -> TemplateBlock {
        var contents: [TemplateBlock.Content] = []
        if let text = raw.text { contents.append(.text(text)) }
        if let fields = raw.fields { contents.append(.fields(fields)) }
        if let table = raw.table {
            guard !table.columns.isEmpty else { throw FileProblem(location, "a table needs at least one column") }
            let fixed = table.columns.compactMap(\.width).reduce(0, +)
            guard fixed <= 1.0001, table.columns.allSatisfy({ ($0.width ?? 0.5) > 0 }) else {
                throw FileProblem(location, "table column widths are fractions of the width and must add up to at most 1")
            }
            contents.append(.table(table))
        }
        if let list = raw.list { contents.append(.list(list)) }
        if let qr = raw.qr {
            let size = raw.size ?? 30
            guard (10...100).contains(size) else { throw FileProblem(location, "qr size must be 10–100 mm") }
            contents.append(.qr(text: qr, sizeMillimetres: size, caption: raw.caption))
        }
        if let image = raw.image {
            let width = raw.width ?? 40
            guard (5...200).contains(width) else { throw FileProblem(location, "image width must be 5–200 mm") }
            contents.append(.image(field: image, widthMillimetres: width))
        }
        if let rule = raw.rule {
            guard rule == "solid" || rule == "dashed" else {
                throw FileProblem(location, "rule is 'solid' or 'dashed', not '\(rule)'")
            }
            contents.append(.rule(dashed: rule == "dashed"))
        }
        if let space = raw.space {
            guard (0...100).contains(space) else { throw FileProblem(location, "space must be 0–100 mm") }
            contents.append(.space(space))
        }
        guard contents.count == 1, let content = contents.first else {
            throw FileProblem(
                location,
                contents.isEmpty
                    ? "a block needs one of: text, fields, table, list, qr, image, rule, space"
                    : "a block has exactly one of: text, fields, table, list, qr, image, rule, space")
        }
        if let papers = raw.paper, let bad = papers.first(where: { !["a4", "roll", "80mm", "58mm"].contains($0) }) {
            throw FileProblem(location, "paper '\(bad)' is not one of a4, roll, 80mm, 58mm")
        }
        return TemplateBlock(content: content, style: raw.style, align: raw.align, when: raw.when, paper: raw.paper)
    }
}

/// The templates of a kiosk, one per document kind, from a folder (`receipt.yaml`, ...).
public struct TemplateCatalog: Sendable {
    public var templates: [DocumentKind: DocumentTemplate]

    public init(templates: [DocumentKind: DocumentTemplate]) {
        self.templates = templates
    }

    /// Loads `<kind>.yaml` for each of `kinds` from `directory`.
    public static func load(directory: String, kinds: [DocumentKind] = DocumentKind.allCases) throws(FileProblem) -> TemplateCatalog {
        var templates: [DocumentKind: DocumentTemplate] = [:]
        for kind in kinds {
            let path = (directory as NSString).appendingPathComponent("\(kind.rawValue).yaml")
            let template = try DocumentTemplate.load(path: path)
            guard template.document == kind else {
                throw FileProblem(
                    SourceLocation(file: path, line: 1),
                    "this file is for '\(kind.rawValue)' but says document: \(template.document.rawValue)")
            }
            templates[kind] = template
        }
        return TemplateCatalog(templates: templates)
    }

    /// The template for `kind`.
    public func template(for kind: DocumentKind) throws(DocumentError) -> DocumentTemplate {
        guard let template = templates[kind] else {
            throw DocumentError(.template, "no template for '\(kind.rawValue)'")
        }
        return template
    }
}
