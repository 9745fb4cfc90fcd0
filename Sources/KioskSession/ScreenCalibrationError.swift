/// Why a calibration on the kiosk's own screen did not give a matrix, in a technician's words.
public struct ScreenCalibrationError: Error, Sendable, CustomStringConvertible {
    /// A stable code; a struct over a private enum so that codes can grow without breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case busy
            case screenInUse = "screen-in-use"
            case currentNotInvertible = "current-not-invertible"
            case timedOut = "timed-out"
            case unusableTouches = "unusable-touches"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Another calibration is running.
        public static let busy = Code(.busy)
        /// A citizen is using the kiosk.
        public static let screenInUse = Code(.screenInUse)
        /// The matrix in use cannot be inverted, so raw touches cannot be recovered.
        public static let currentNotInvertible = Code(.currentNotInvertible)
        /// Not every target was touched in time.
        public static let timedOut = Code(.timedOut)
        /// The touches do not fit a matrix.
        public static let unusableTouches = Code(.unusableTouches)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened and what to do.
    public var message: String
    /// The underlying error, for logs.
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
