import Foundation
import Yams

/// A YAML file parsed with the position of every node kept, so that a value that does not
/// decode is reported as `file:line:column: message` instead of a coding path.
public struct YAMLFile {
    /// The path the file was read from (or a name for text that came from elsewhere).
    public let file: String
    /// The document's root node; `nil` for an empty document.
    public let root: Node?

    /// Parses `text`, reporting syntax errors at their line and column. With `plainScalars`,
    /// scalars get no implicit type (int, bool, null…): parsing and key lookups are several
    /// times faster, for readers that check every scalar themselves (the catalog).
    public init(text: String, file: String, plainScalars: Bool = false) throws(FileProblem) {
        self.file = file
        do {
            self.root = try Yams.compose(yaml: text, plainScalars ? .basic : .default)
        } catch let error as YamlError {
            throw Self.problem(from: error, file: file)
        } catch {
            throw FileProblem(SourceLocation(file: file, line: 1), "cannot be read as YAML: \(error)")
        }
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String, plainScalars: Bool = false) throws(FileProblem) -> YAMLFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "it cannot be read"
            throw FileProblem(SourceLocation(file: path, line: 1), "cannot open file: \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FileProblem(SourceLocation(file: path, line: 1), "is not UTF-8 text")
        }
        return try YAMLFile(text: text, file: path, plainScalars: plainScalars)
    }

    /// The location of `node`, or of the file's first line when the node carries no mark.
    public func location(of node: Node?) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(file: file, line: 1) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    /// Decodes the whole document as `T`; a value of the wrong shape is reported at its node.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws(FileProblem) -> T {
        guard let root else {
            throw FileProblem(SourceLocation(file: file, line: 1), "the file is empty")
        }
        return try decode(type, from: root)
    }

    /// Decodes `node` as `T`; errors are located at the failing node inside it.
    public func decode<T: Decodable>(_ type: T.Type = T.self, from node: Node) throws(FileProblem) -> T {
        do {
            return try YAMLDecoder().decode(type, from: node)
        } catch let error as DecodingError {
            throw problem(from: error, under: node)
        } catch let error as FileProblem {
            throw error
        } catch {
            throw FileProblem(location(of: node), "\(error)")
        }
    }

    /// The node reached by following `path` from `node`; stops at the deepest node that exists.
    public func deepestNode(at path: [any CodingKey], from node: Node) -> (node: Node, matched: Int) {
        var current = node
        var matched = 0
        for key in path {
            if let index = key.intValue, let sequence = current.sequence, index < sequence.count {
                current = sequence[index]
            } else if let mapping = current.mapping, let value = mapping[key.stringValue] {
                current = value
            } else {
                break
            }
            matched += 1
        }
        return (current, matched)
    }

    private func problem(from error: DecodingError, under node: Node) -> FileProblem {
        func describe(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case let .keyNotFound(key, context):
            let (parent, _) = deepestNode(at: context.codingPath, from: node)
            let at = context.codingPath.isEmpty ? "" : " in '\(describe(context.codingPath))'"
            return FileProblem(location(of: parent), "missing required key '\(key.stringValue)'\(at)")
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            let (found, _) = deepestNode(at: context.codingPath, from: node)
            return FileProblem(
                location(of: found),
                "'\(describe(context.codingPath))' must be \(Self.describe(type)), found \(Self.describe(found))"
            )
        case let .dataCorrupted(context):
            let (found, _) = deepestNode(at: context.codingPath, from: node)
            return FileProblem(
                location(of: found),
                "'\(describe(context.codingPath))': \(context.debugDescription)"
            )
        @unknown default:
            return FileProblem(location(of: node), "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is UInt16.Type, is Int64.Type, is UInt32.Type, is UInt8.Type: return "a whole number"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "a mapping" }
            return "a \(name)"
        }
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): scalar.string.isEmpty ? "nothing" : "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private static func problem(from error: YamlError, file: String) -> FileProblem {
        switch error {
        case let .scanner(context, problem, mark, _),
            let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return FileProblem(
                SourceLocation(file: file, line: mark.line, column: mark.column),
                "not valid YAML: \(prefix)\(problem)"
            )
        case let .duplicatedKeysInMapping(duplicates, context):
            return FileProblem(
                SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))"
            )
        default:
            return FileProblem(SourceLocation(file: file, line: 1), "not valid YAML: \(error)")
        }
    }
}

/// A node of a parsed YAML document. Yams stays behind this module: the rest of the code names
/// nodes through these aliases and reads them through ``YAMLFile`` and ``NodeReader``.
public typealias YAMLNode = Node
/// A YAML mapping node's pairs.
public typealias YAMLMapping = Node.Mapping

extension YAMLFile {
    /// The value under `key` when `node` is a mapping.
    public func child(_ key: String, of node: YAMLNode?) -> YAMLNode? { node?.mapping?[key] }

    /// The entries when `node` is a sequence.
    public func items(of node: YAMLNode?) -> [YAMLNode]? { node?.sequence.map { Array($0) } }
}

extension YAMLMapping {
    /// The value under `key`, for readers outside this module (which do not import Yams).
    public func node(_ key: String) -> YAMLNode? { self[key] }
}

extension YAMLMapping {
    /// The pairs in file order, each key as text with its node (for mappings whose keys are
    /// names the file chooses, such as a rule's questions).
    public var entries: [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        map { (key: $0.key.string ?? "\($0.key)", keyNode: $0.key, value: $0.value) }
    }
}

extension YAMLFile {
    /// The text when `node` is a scalar.
    public func text(of node: YAMLNode?) -> String? { node?.scalar?.string }
}
