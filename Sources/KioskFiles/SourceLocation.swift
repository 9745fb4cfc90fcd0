/// A place in a text file that a technician can open: `file:line:column`, 1-based.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The path as the technician gave it (never rewritten, so it matches their shell).
    public var file: String
    /// Line number, starting from 1.
    public var line: Int
    /// Column number, starting from 1; `nil` when only the line is known.
    public var column: Int?

    /// Creates a location.
    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column` (or `file:line`), the form editors and CI annotations understand.
    public var description: String {
        if let column { return "\(file):\(line):\(column)" }
        return "\(file):\(line)"
    }
}

/// One problem found in a file: where it is and what is wrong, in words a technician can act on.
public struct FileProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong and, where it helps, what to write instead.
    public var message: String

    /// Creates a problem report.
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(location): \(message)" }
}
