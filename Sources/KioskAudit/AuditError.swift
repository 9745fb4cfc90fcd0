/// Why the audit trail could not be written or read. A struct with a growable code.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable { case io, damaged }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The file cannot be opened, locked or written (permissions, disk full).
        public static let io = Code(.io)
        /// A line is not an entry (cut off by a power loss, or altered).
        public static let damaged = Code(.damaged)

        public var description: String { value.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
