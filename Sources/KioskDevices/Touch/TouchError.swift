import KioskFiles

/// Everything that can go wrong in the touch layer, with a stable code, words a technician can
/// act on, where (for files) and the underlying cause.
public struct TouchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code; a struct wrapping a private enum so that codes can grow without breaking
    /// `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformedRecording = "malformed-recording"
            case badSettings = "bad-settings"
            case deviceIO = "device-io"
            case notATouchScreen = "not-a-touch-screen"
            case deviceGone = "device-gone"
            case calibration
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An evemu recording that cannot be read.
        public static let malformedRecording = Code(.malformedRecording)
        /// A touch profile or touch configuration with a wrong value.
        public static let badSettings = Code(.badSettings)
        /// The device node could not be opened, read or queried.
        public static let deviceIO = Code(.deviceIO)
        /// The device is not a touch screen, or its axes are unknown.
        public static let notATouchScreen = Code(.notATouchScreen)
        /// The device went away (unplugged, re-enumerated).
        public static let deviceGone = Code(.deviceGone)
        /// A calibration could not be computed or stored.
        public static let calibration = Code(.calibration)

        /// The code as it appears in device faults and logs.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a technician can act on.
    public var message: String
    /// The file and line, for recordings and settings.
    public var location: SourceLocation?
    /// The underlying cause (an `errno` value, a file system error), for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, location: SourceLocation? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.cause = cause
    }

    /// `file:line: message (cause)`.
    public var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        if let cause { text += " (\(cause))" }
        return text
    }

    /// Errors are equal when their code, message and location are; the cause is for logs only.
    public static func == (lhs: TouchError, rhs: TouchError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.location == rhs.location
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(location)
    }
}
