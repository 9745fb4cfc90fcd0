/// Something a card reader's SAM sent (or a captured frame contained) that does not follow
/// the protocol: a bad checksum, an impossible length, a reply too short for its command.
///
/// The message names bytes and lengths only, never card contents, so it can be logged.
public struct SAMProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code for machines; a struct wrapping a private enum so that codes can grow
    /// without breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case checksumMismatch = "checksum-mismatch"
            case lengthTooSmall = "length-too-small"
            case lengthTooLarge = "length-too-large"
            case truncated
            case noFrame = "no-frame"
            case trailingBytes = "trailing-bytes"
            case malformedData = "malformed-data"
            case malformedText = "malformed-text"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The checksum byte does not match the XOR of the frame.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// The length field is smaller than the smallest legal frame.
        public static let lengthTooSmall = Code(.lengthTooSmall)
        /// The length field is larger than any legal frame (line noise or a wrong protocol).
        public static let lengthTooLarge = Code(.lengthTooLarge)
        /// The input ended inside a frame.
        public static let truncated = Code(.truncated)
        /// No preamble was found in the input.
        public static let noFrame = Code(.noFrame)
        /// Bytes follow a complete frame where only one frame was expected.
        public static let trailingBytes = Code(.trailingBytes)
        /// The reply's data does not have the layout its command defines.
        public static let malformedData = Code(.malformedData)
        /// A captured frame given as hex text is not valid hex.
        public static let malformedText = Code(.malformedText)

        /// The code as it appears in logs.
        public var description: String { base.rawValue }
    }

    /// What kind of problem it is.
    public var code: Code
    /// What is wrong, with the offending values (`checksum mismatch: expected 0x22, got 0x21`).
    public var message: String
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `message`.
    public var description: String { message }

    /// Errors are equal when their code and message are; the cause is for logs only.
    public static func == (lhs: SAMProtocolError, rhs: SAMProtocolError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }

    static func checksum(expected: UInt8, got: UInt8) -> SAMProtocolError {
        SAMProtocolError(.checksumMismatch, "checksum mismatch: expected \(hex(expected)), got \(hex(got))")
    }
}

/// `0x2A`: how bytes are written in messages.
@inline(__always)
func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
}
