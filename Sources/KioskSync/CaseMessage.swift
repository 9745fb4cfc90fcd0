import Foundation
import KioskCore

/// What the outbox sends to the platform for a new case: no personal data in the clear (the
/// application is sealed). The sync contract's generated types replace this with the platform
/// issue; until then this is the outbox row's format.
public struct CaseMessage: Codable, Sendable, Hashable {
    public var caseID: String
    public var receiptNumber: String
    public var bundle: BundleID
    public var bundleVersion: String
    public var kioskID: String
    public var receivedAt: Date
    public var materials: [MaterialID: MaterialChoice]
    /// The sealed application (base64 in JSON).
    public var sealedApplication: Data
}
