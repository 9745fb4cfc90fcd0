/// Why a sealed box could not be made or opened. A struct with a growable code (house style).
public struct SealError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case malformed, unknownKey = "unknown-key", altered, badKey = "bad-key"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Not a sealed box of ours (wrong magic, cut short).
        public static let malformed = Code(.malformed)
        /// Sealed to a key this holder does not have (an older platform key not kept, another platform).
        public static let unknownKey = Code(.unknownKey)
        /// The box does not open: altered, or moved to another case.
        public static let altered = Code(.altered)
        /// A key file that is not an X25519 key.
        public static let badKey = Code(.badKey)

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
