import Yams

/// The keys a YAML file may contain, so that a misspelt key is reported instead of being
/// silently ignored (a typo in `state_dir` must not send the database somewhere else).
public indirect enum YAMLShape: Sendable {
    /// A scalar value; its type is checked when decoding.
    case scalar
    /// A mapping with exactly these keys (each optional unless decoding requires it).
    case mapping([String: YAMLShape])
    /// A list whose items all have the given shape.
    case list(YAMLShape)
    /// A mapping with free keys (names chosen by the site) whose values have the given shape.
    case dictionary(YAMLShape)
    /// Anything: a part of the file owned by someone else (a device profile's quirks, say).
    case any
}

extension YAMLFile {
    /// Every key in the file that `shape` does not allow, each at its line and column.
    public func unknownKeys(_ shape: YAMLShape) -> [FileProblem] {
        guard let root else { return [] }
        var problems: [FileProblem] = []
        check(root, against: shape, path: "", into: &problems)
        return problems
    }

    private func check(_ node: Node, against shape: YAMLShape, path: String, into problems: inout [FileProblem]) {
        switch (shape, node) {
        case let (.mapping(fields), .mapping(mapping)):
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? "\(keyNode)"
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                if let fieldShape = fields[key] {
                    check(value, against: fieldShape, path: keyPath, into: &problems)
                } else {
                    var message = "unknown key '\(keyPath)'"
                    if let suggestion = Self.closest(to: key, in: fields.keys) {
                        message += " (did you mean '\(suggestion)'?)"
                    }
                    problems.append(FileProblem(location(of: keyNode), message))
                }
            }
        case let (.dictionary(valueShape), .mapping(mapping)):
            for (keyNode, value) in mapping {
                let key = keyNode.string ?? "\(keyNode)"
                check(value, against: valueShape, path: path.isEmpty ? key : "\(path).\(key)", into: &problems)
            }
        case let (.list(itemShape), .sequence(items)):
            for (index, item) in items.enumerated() {
                check(item, against: itemShape, path: "\(path)[\(index)]", into: &problems)
            }
        default:
            // Shape mismatches (a list where a mapping belongs) are reported by decoding.
            break
        }
    }

    /// The allowed key nearest to a misspelt one, if it is near enough to be a typo.
    static func closest(to key: String, in candidates: some Sequence<String>) -> String? {
        let best = candidates.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
        guard let best, best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
