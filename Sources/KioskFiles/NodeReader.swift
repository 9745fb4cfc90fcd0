import KioskCore
import Yams

/// Reads values out of a YAML file's nodes, collecting every problem at its line and column
/// instead of stopping at the first, so that `catalog lint` lists all of them at once.
public struct NodeReader {
    public let file: YAMLFile
    public var problems: [FileProblem] = []

    public init(_ file: YAMLFile) {
        self.file = file
    }

    public mutating func report(_ node: Node?, _ message: String) {
        problems.append(FileProblem(file.location(of: node), message))
    }

    /// The node's mapping, or a problem saying a mapping was expected.
    public mutating func mapping(_ node: Node?, _ what: String) -> Node.Mapping? {
        guard let node else { return nil }
        guard let mapping = node.mapping else {
            report(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        return mapping
    }

    /// The value of `key`, reporting it missing at the mapping when `required`.
    public mutating func value(_ mapping: Node.Mapping, _ key: String, in what: String, required: Bool) -> Node? {
        if let node = mapping[key] { return node }
        if required { report(.mapping(mapping), "missing required key '\(key)' in \(what)") }
        return nil
    }

    /// A non-empty string.
    public mutating func string(_ mapping: Node.Mapping, _ key: String, in what: String, required: Bool = true) -> String? {
        guard let node = value(mapping, key, in: what, required: required) else { return nil }
        guard case let .scalar(scalar) = node, !scalar.string.isEmpty else {
            report(node, "'\(key)' must be a non-empty text")
            return nil
        }
        return scalar.string
    }

    /// A whole number.
    public mutating func integer(_ mapping: Node.Mapping, _ key: String, in what: String, required: Bool = true) -> Int? {
        guard let node = value(mapping, key, in: what, required: required) else { return nil }
        guard let text = node.scalar?.string, let number = Int(text) else {
            report(node, "'\(key)' must be a whole number")
            return nil
        }
        return number
    }

    /// `true` or `false`; `defaultValue` when absent.
    public mutating func bool(_ mapping: Node.Mapping, _ key: String, default defaultValue: Bool) -> Bool {
        guard let node = mapping[key] else { return defaultValue }
        switch node.scalar?.string {
        case "true": return true
        case "false": return false
        default:
            report(node, "'\(key)' must be true or false")
            return defaultValue
        }
    }

    /// A date written `YYYY-MM-DD`.
    public mutating func date(_ node: Node, _ what: String) -> CivilDate? {
        guard let text = node.scalar?.string, let date = CivilDate(iso: text) else {
            report(node, "\(what) must be a date written YYYY-MM-DD")
            return nil
        }
        return date
    }

    /// A date under `key`.
    public mutating func date(_ mapping: Node.Mapping, _ key: String, in what: String, required: Bool = true) -> CivilDate? {
        guard let node = value(mapping, key, in: what, required: required) else { return nil }
        if required == false, ["null", "~", ""].contains(node.scalar?.string ?? "") { return nil }
        return date(node, "'\(key)'")
    }

    /// A list of nodes.
    public mutating func list(_ mapping: Node.Mapping, _ key: String, in what: String, required: Bool = true) -> [Node]? {
        guard let node = value(mapping, key, in: what, required: required) else { return nil }
        guard let sequence = node.sequence else {
            report(node, "'\(key)' must be a list")
            return nil
        }
        return Array(sequence)
    }

    /// A list of non-empty strings with each one's node.
    public mutating func strings(_ mapping: Node.Mapping, _ key: String, in what: String) -> [(String, Node)] {
        guard let nodes = list(mapping, key, in: what, required: false) else { return [] }
        var result: [(String, Node)] = []
        for node in nodes {
            guard case let .scalar(scalar) = node, !scalar.string.isEmpty else {
                report(node, "entries of '\(key)' must be non-empty texts")
                continue
            }
            result.append((scalar.string, node))
        }
        return result
    }

    /// Reports keys `shape` does not allow.
    public mutating func checkKeys(_ shape: YAMLShape) {
        problems += file.unknownKeys(shape)
    }
}
