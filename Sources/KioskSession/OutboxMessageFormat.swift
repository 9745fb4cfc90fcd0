import Foundation
import KioskCore

/// What a submitted case tells the platform, before the sync layer puts it in its message
/// format. No personal data in the clear: that is in `sealedApplication`.
public struct SubmittedApplication: Sendable, Hashable {
    public var caseID: String
    public var receiptNumber: String
    public var bundle: BundleID
    public var bundleVersion: String
    public var kioskID: String
    public var receivedAt: Date
    public var materials: [MaterialID: MaterialChoice]
    /// The personal part, sealed.
    public var sealedApplication: Data

    public init(
        caseID: String, receiptNumber: String, bundle: BundleID, bundleVersion: String, kioskID: String, receivedAt: Date,
        materials: [MaterialID: MaterialChoice], sealedApplication: Data
    ) {
        self.caseID = caseID
        self.receiptNumber = receiptNumber
        self.bundle = bundle
        self.bundleVersion = bundleVersion
        self.kioskID = kioskID
        self.receivedAt = receivedAt
        self.materials = materials
        self.sealedApplication = sealedApplication
    }
}

/// How a case is written into the outbox, inside the transaction that commits it. The format
/// belongs to sync (`KioskSync.CaseMessageFormat`); the session only hands over the facts.
public protocol OutboxMessageFormat: Sendable {
    func message(for application: SubmittedApplication) throws -> Data
}
