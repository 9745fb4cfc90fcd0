/// The paths of the sync contract and the methods each takes, read from the served document
/// itself, so that the answer to a wrong method cannot drift from the contract.
struct ContractPaths: Sendable {
    private let methods: [String: Set<String>]

    /// Reads `paths:` of the contract: a path at two spaces' indentation, its methods at four.
    init(document: String, prefix: String = "/sync/v1") {
        var methods: [String: Set<String>] = [:]
        var inPaths = false
        var path: String?
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line == "paths:"; path = nil; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = prefix + line.dropFirst(2).dropLast()
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(String(key)) {
                    methods[path, default: []].insert(key.uppercased())
                    if key == "get" { methods[path, default: []].insert("HEAD") }
                }
            }
        }
        self.methods = methods
    }

    /// The methods the contract has for `path`, or nil when the contract has no such path. A
    /// templated segment (`{caseID}`) matches any one segment.
    func allowed(path: String) -> Set<String>? {
        if let exact = methods[path] { return exact }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return methods.first { template, _ in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == segments.count
                && zip(parts, segments).allSatisfy { part, segment in
                    part.hasPrefix("{") ? !segment.isEmpty : part == segment
                }
        }?.value
    }
}
