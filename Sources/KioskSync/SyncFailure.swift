/// Why a sync exchange did not count, in words a technician can act on.
public struct SyncFailure: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreachable, untrusted, unauthenticated, overloaded, notThePlatform = "not-the-platform", refused, store
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No answer: network down, address wrong, platform stopped.
        public static let unreachable = Code(.unreachable)
        /// The TLS handshake failed: the platform's certificate is not from the CA this kiosk
        /// enrolled with, or the platform refused this kiosk's certificate.
        public static let untrusted = Code(.untrusted)
        /// The platform does not know this kiosk's credential.
        public static let unauthenticated = Code(.unauthenticated)
        /// The platform asked to come back later (503, Retry-After).
        public static let overloaded = Code(.overloaded)
        /// An answer that is not the contract's (captive portal, proxy page): never an acknowledgement.
        public static let notThePlatform = Code(.notThePlatform)
        /// The platform refused the request.
        public static let refused = Code(.refused)
        /// The kiosk's own store failed.
        public static let store = Code(.store)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    /// The platform's `Retry-After`, when it gave one.
    public var retryAfter: Duration?

    public init(_ code: Code, _ message: String, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}
