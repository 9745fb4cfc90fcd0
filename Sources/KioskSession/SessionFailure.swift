import KioskCore

/// Why the session did not do what the screen asked: a code the routes turn into an HTTP
/// status, the precise reason the page branches on, and words for the citizen.
public struct SessionFailure: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; a struct over a private enum so that codes can grow.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case noSession = "no-session"
            case tokenRequired = "token-required"
            case notYours = "not-yours"
            case refused
            case unavailable
            case unknown
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No session, or another one: the page starts over.
        public static let noSession = Code(.noSession)
        /// A session runs and the request did not present its token.
        public static let tokenRequired = Code(.tokenRequired)
        /// A session runs and the request presented another token: it is someone else's.
        public static let notYours = Code(.notYours)
        /// The action does not fit the session's step or its values are wrong; nothing changed.
        public static let refused = Code(.refused)
        /// What was asked needs something the kiosk lacks right now (the platform, a printer).
        public static let unavailable = Code(.unavailable)
        /// No such thing (a query service that is not offered).
        public static let unknown = Code(.unknown)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The precise reason (`wrong-step`, `platform-offline`, `invalid-value`...), stable for the page.
    public var reason: String
    /// Words for the citizen, Chinese first.
    public var message: String
    /// Problems with particular form fields.
    public var problems: [FieldValueProblem]
    /// The underlying error, for logs.
    public var cause: (any Error & Sendable)?

    public init(
        _ code: Code, reason: String, _ message: String, problems: [FieldValueProblem] = [], cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.problems = problems
        self.cause = cause
    }

    /// A refused action of the session's state machine.
    init(refused error: SessionError) {
        self.init(.refused, reason: error.code.description, error.message, problems: error.problems, cause: error)
    }

    public var description: String { "\(code) (\(reason)): \(message)" }
}
