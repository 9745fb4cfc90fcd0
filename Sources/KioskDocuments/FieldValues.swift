import Foundation

/// A document's data as a tree of values, so templates can refer to fields by path
/// (`header.caseNumber`, `materials.deferred`) without the renderer knowing every struct.
indirect enum FieldValue: Sendable, Hashable, Decodable {
    case text(String)
    case number(Double)
    case bool(Bool)
    case list([FieldValue])
    case object([String: FieldValue])
    case null

    /// Builds the tree from a document's JSON form.
    init(json: Data) throws(DocumentError) {
        do {
            self = try JSONDecoder().decode(FieldValue.self, from: json)
        } catch {
            throw DocumentError(.invalidData, "the document data is not JSON", cause: error)
        }
    }

    /// The value at a dotted path, or `nil` when a step does not exist.
    func value(at path: String) -> FieldValue? {
        var current = self
        for step in path.split(separator: ".") {
            guard case let .object(members) = current, let next = members[String(step)] else { return nil }
            current = next
        }
        return current
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let items = try? container.decode([FieldValue].self) {
            self = .list(items)
        } else {
            self = .object(try container.decode([String: FieldValue].self))
        }
    }

    /// Whether the value counts as present for a block's `when:`.
    var isPresent: Bool {
        switch self {
        case .null: false
        case let .text(text): !text.isEmpty
        case let .list(items): !items.isEmpty
        case let .object(members): !members.isEmpty
        case .number, .bool: true
        }
    }
}

/// Expands `{{path}}` and `{{path|filter}}` placeholders in template text.
///
/// Lookup tries the current row first (inside tables and lists), then the document's root.
/// A path that exists nowhere is a template error, so a misspelt field is caught by the
/// first render instead of printing an empty line on a citizen's receipt.
struct PlaceholderExpander {
    let root: FieldValue
    let timeZone: TimeZone

    func expand(_ template: String, row: FieldValue? = nil) throws(DocumentError) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw DocumentError(.template, "unclosed '{{' in template text '\(template)'")
            }
            let inside = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            output += try substitute(inside, row: row)
            rest = rest[close.upperBound...]
        }
        output += rest
        return output
    }

    func lookup(_ path: String, row: FieldValue?) -> FieldValue? {
        if let row, let found = row.value(at: path) { return found }
        return root.value(at: path)
    }

    private func substitute(_ placeholder: String, row: FieldValue?) throws(DocumentError) -> String {
        let parts = placeholder.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard var path = parts.first, !path.isEmpty else {
            throw DocumentError(.template, "empty placeholder '{{}}'")
        }
        let filter = parts.count > 1 ? parts[1] : nil
        // `{{field?}}` marks an optional field: absent prints nothing instead of failing.
        let optional = path.hasSuffix("?")
        if optional { path.removeLast() }
        guard let value = lookup(path, row: row) else {
            if optional { return "" }
            throw DocumentError(.template, "the template refers to '\(path)', which the document data does not have")
        }
        let text: String
        switch value {
        case let .text(string): text = string
        case let .number(number):
            text = number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case let .bool(flag): text = flag ? "是" : "否"
        case .null: text = ""
        case let .list(items): text = String(items.count)
        case .object: throw DocumentError(.template, "'\(path)' is a group of fields, not a value to print")
        }
        switch filter {
        case nil: return text
        case "date": return try formatDate(text, path: path)
        case "datetime": return try formatDateTime(text, path: path)
        case "count": return text
        default: throw DocumentError(.template, "unknown filter '\(filter ?? "")' (known: date, datetime)")
        }
    }

    /// `2026-12-07` → `2026年12月7日`.
    private func formatDate(_ text: String, path: String) throws(DocumentError) -> String {
        if text.isEmpty { return "" }
        if let day = DocumentDate(text) { return "\(day.year)年\(day.month)月\(day.day)日" }
        if let time = DocumentJSON.parseTime(text) {
            let parts = components(of: time)
            return "\(parts.year ?? 0)年\(parts.month ?? 0)月\(parts.day ?? 0)日"
        }
        throw DocumentError(.template, "'\(path)' is not a date, so '|date' cannot format it")
    }

    /// An ISO 8601 time → `2026年11月23日 15:04` in the template's zone.
    private func formatDateTime(_ text: String, path: String) throws(DocumentError) -> String {
        guard let time = DocumentJSON.parseTime(text) else {
            throw DocumentError(.template, "'\(path)' is not a time, so '|datetime' cannot format it")
        }
        let parts = components(of: time)
        let two = { (value: Int?) in value.map { $0 < 10 ? "0\($0)" : String($0) } ?? "00" }
        return "\(parts.year ?? 0)年\(parts.month ?? 0)月\(parts.day ?? 0)日 \(two(parts.hour)):\(two(parts.minute))"
    }

    private func components(of time: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute], from: time)
    }
}
