/// Why the platform refused or failed a request, in words a technician can act on.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    /// A stable code; a struct over a private enum so that codes can grow without breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownKiosk = "unknown-kiosk"
            case duplicateKiosk = "duplicate-kiosk"
            case unknownCase = "unknown-case"
            case unknownItem = "unknown-item"
            case illegalStage = "illegal-stage"
            case reasonRequired = "reason-required"
            case dependencyOpen = "dependency-open"
            case unknownAttachment = "unknown-attachment"
            case offsetMismatch = "offset-mismatch"
            case expired
            case checksumMismatch = "checksum-mismatch"
            case tooLarge = "too-large"
            case incomplete
            case conflict
            case storage
            case unknownToken = "unknown-token"
            case usedToken = "used-token"
            case expiredToken = "expired-token"
            case badRequest = "bad-request"
            case keys
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No kiosk by that name or credential (or it was revoked).
        public static let unknownKiosk = Code(.unknownKiosk)
        /// A kiosk of that name exists already.
        public static let duplicateKiosk = Code(.duplicateKiosk)
        /// No such case (for this kiosk).
        public static let unknownCase = Code(.unknownCase)
        /// The case's bundle has no such item.
        public static let unknownItem = Code(.unknownItem)
        /// The procedure does not allow that move.
        public static let illegalStage = Code(.illegalStage)
        /// The procedure asks for a reason (不予受理, 补正, 特别程序, 不予许可).
        public static let reasonRequired = Code(.reasonRequired)
        /// The item needs another item's result first.
        public static let dependencyOpen = Code(.dependencyOpen)
        /// The case declared no such attachment (or the upload was never created).
        public static let unknownAttachment = Code(.unknownAttachment)
        /// A chunk did not start at the stored offset; nothing was written.
        public static let offsetMismatch = Code(.offsetMismatch)
        /// The upload expired unfinished.
        public static let expired = Code(.expired)
        /// Bytes did not match their SHA-256; they were not kept.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// More bytes than declared or than one request may carry.
        public static let tooLarge = Code(.tooLarge)
        /// The case waits for attachments before a department may accept it.
        public static let incomplete = Code(.incomplete)
        /// Other content under an id already used.
        public static let conflict = Code(.conflict)
        /// The database failed.
        public static let storage = Code(.storage)
        /// No enrolment token with that secret.
        public static let unknownToken = Code(.unknownToken)
        /// The enrolment token was used already.
        public static let usedToken = Code(.usedToken)
        /// The enrolment token's time ran out.
        public static let expiredToken = Code(.expiredToken)
        /// A request the platform cannot read (a malformed signing request).
        public static let badRequest = Code(.badRequest)
        /// The platform's own keys cannot be read or made.
        public static let keys = Code(.keys)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
