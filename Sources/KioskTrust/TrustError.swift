/// Why enrolment, renewal or the kiosk's identity failed, in words a technician can act on.
public struct TrustError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case badToken = "bad-token", usedToken = "used-token", expiredToken = "expired-token", wrongPlatform = "wrong-platform"
            case unreachable, insecure, clock, refused, notEnrolled = "not-enrolled", files
            case tampered, wrongKey = "wrong-key", rollback, expired
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The token is malformed or unknown to the platform.
        public static let badToken = Code(.badToken)
        /// The token was used already (tokens are single-use).
        public static let usedToken = Code(.usedToken)
        /// The token's time ran out.
        public static let expiredToken = Code(.expiredToken)
        /// The address answers, but not as the platform that made the token.
        public static let wrongPlatform = Code(.wrongPlatform)
        /// Nothing answers at the address.
        public static let unreachable = Code(.unreachable)
        /// The address is not `https://`.
        public static let insecure = Code(.insecure)
        /// The kiosk's clock is too far from the platform's.
        public static let clock = Code(.clock)
        /// The platform refused for another reason (revoked kiosk, key mismatch…).
        public static let refused = Code(.refused)
        /// No identity on this kiosk yet.
        public static let notEnrolled = Code(.notEnrolled)
        /// The identity files cannot be read or written.
        public static let files = Code(.files)
        /// A signed bundle whose bytes or signature do not match.
        public static let tampered = Code(.tampered)
        /// A signed bundle signed by no key the kiosk trusts.
        public static let wrongKey = Code(.wrongKey)
        /// A signed bundle not newer than the last one trusted (a replay).
        public static let rollback = Code(.rollback)
        /// A signed bundle past its expiry.
        public static let expired = Code(.expired)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
