/// Why the daemon could not start or had to stop, in words for the technician.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    /// A stable code; a struct over a private enum so that codes can grow without breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case folders
            case store
            case sealKey = "seal-key"
            case alreadyRunning = "already-running"
            case listener
            case sync
            case stopped
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A state or socket folder cannot be created or written.
        public static let folders = Code(.folders)
        /// The database cannot be opened.
        public static let store = Code(.store)
        /// The key that seals personal data cannot be read or made.
        public static let sealKey = Code(.sealKey)
        /// Another kioskd answers on the admin socket.
        public static let alreadyRunning = Code(.alreadyRunning)
        /// An API cannot listen (address in use, no permission).
        public static let listener = Code(.listener)
        /// The platform's address or this kiosk's credential cannot be used.
        public static let sync = Code(.sync)
        /// A service failed while running.
        public static let stopped = Code(.stopped)

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
