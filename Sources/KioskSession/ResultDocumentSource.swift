import Foundation

/// Where the result documents collected at the kiosk come from (统一出件): the platform, over
/// the kiosk's authenticated channel. The document is personal: it is held in memory only, for
/// as long as its print job needs it.
public protocol ResultDocumentSource: Sendable {
    /// The result of one item of a case, checked against the SHA-256 and length the platform
    /// announced; bounded in time, since a citizen waits for it.
    func document(caseID: String, item: String, sha256: String, length: Int64) async throws(ResultDocumentError) -> Data
}

/// Why a result document could not be had.
public struct ResultDocumentError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; a struct over a private enum so that codes can grow.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreachable
            case refused
            case mismatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No answer within the bound (offline, a partition, the platform down).
        public static let unreachable = Code(.unreachable)
        /// The platform answered, but not with the document (404, 401, 5xx).
        public static let refused = Code(.refused)
        /// The bytes are not the document announced (SHA-256 or length differ).
        public static let mismatch = Code(.mismatch)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened, for the log (never the document or anything of the person).
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
