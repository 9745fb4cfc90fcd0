import KioskFiles

/// Everything that can go wrong in the touch layer, with a stable code, words a technician can
/// act on, where (for files) and the underlying cause.
public struct TouchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code; a struct so that codes can be added without breaking `switch`es.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// An evemu recording that cannot be read.
        public static let malformedRecording = Code(rawValue: "malformed-recording")
        /// A touch profile or touch configuration with a wrong value.
        public static let badSettings = Code(rawValue: "bad-settings")
        /// The device node could not be opened, read or queried.
        public static let deviceIO = Code(rawValue: "device-io")
        /// The device is not a touch screen, or its axes are unknown.
        public static let notATouchScreen = Code(rawValue: "not-a-touch-screen")
        /// The device went away (unplugged, re-enumerated).
        public static let deviceGone = Code(rawValue: "device-gone")
        /// A calibration could not be computed or stored.
        public static let calibration = Code(rawValue: "calibration")
    }

    public var code: Code
    public var message: String
    /// The file and line, for recordings and settings.
    public var location: SourceLocation?
    /// The underlying cause (an `errno` name, a parser message), if any.
    public var cause: String?

    public init(_ code: Code, _ message: String, location: SourceLocation? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.cause = cause
    }

    public var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        if let cause { text += " (\(cause))" }
        return text
    }
}
