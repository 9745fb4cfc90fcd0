import Crypto
import Foundation

/// One security-relevant event, chained to the one before it by its hash: changing, removing or
/// reordering any entry breaks every hash after it. Nothing personal is ever written here.
public struct AuditEntry: Codable, Sendable, Hashable {
    /// 1, 2, 3… with no gap.
    public var seq: Int64
    public var at: Date
    /// What happened, from a fixed vocabulary (``AuditEntry/Kind``).
    public var kind: String
    /// Who: `kioskd`, `kioskctl (uid 0)`, `platform`…
    public var actor: String
    /// What exactly, in words (versions, ids, reasons; never a citizen's data).
    public var detail: String
    /// The hash of the entry before (64 zeros for the first).
    public var prev: String
    /// SHA-256 (hex) of this entry's fields, `prev` included.
    public var hash: String

    public static let genesis = String(repeating: "0", count: 64)

    /// The event vocabulary; a struct so that kinds can grow without breaking readers.
    public struct Kind: Sendable, Hashable {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }

        public static let enrolment = Kind("enrolment")
        public static let renewal = Kind("renewal")
        public static let configuration = Kind("configuration")
        public static let siteProfile = Kind("site-profile")
        public static let bundleInstalled = Kind("bundle-installed")
        public static let bundleRefused = Kind("bundle-refused")
        public static let maintenance = Kind("maintenance")
        public static let technicianLogin = Kind("technician-login")
        public static let storeQuarantine = Kind("store-quarantine")
        public static let storeRecover = Kind("store-recover")
        public static let storeReset = Kind("store-reset")
        public static let purge = Kind("purge")
        public static let factoryReset = Kind("factory-reset")
    }

    public init(seq: Int64, at: Date, kind: String, actor: String, detail: String, prev: String) {
        self.seq = seq
        // Whole seconds: the hash is over the text an ISO 8601 reader gets back.
        self.at = Date(timeIntervalSince1970: at.timeIntervalSince1970.rounded(.down))
        self.kind = kind
        self.actor = actor
        self.detail = detail
        self.prev = prev
        hash = ""
        hash = computedHash
    }

    /// The hash the fields give: over a fixed, unambiguous layout (length-prefixed fields), not
    /// a JSON encoding that could differ between writers.
    public var computedHash: String {
        var hasher = SHA256()
        for field in ["kiosk-audit-v1", String(seq), Self.time(at), kind, actor, detail, prev] {
            let bytes = Data(field.utf8)
            hasher.update(data: Data(String(bytes.count).utf8) + Data(":".utf8) + bytes)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
