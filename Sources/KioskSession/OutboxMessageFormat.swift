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
    /// The bundle's items applied for, as the situation chose them (nil: every item).
    public var items: [ItemID]?
    /// The personal part, sealed.
    public var sealedApplication: Data
    /// How many fields came from each source (counts only, for the platform's KPI report).
    public var prefill: [PrefillSource: Int]
    /// The identity came from a simulated card reader.
    public var simulatedIdentity: Bool
    /// The files that follow the case (already sealed where personal).
    public var attachments: [SubmittedAttachment]
    /// How the citizen will collect the results (not personal, outside the seal).
    public var resultCollection: ResultCollection?

    public init(
        caseID: String, receiptNumber: String, bundle: BundleID, bundleVersion: String, kioskID: String, receivedAt: Date,
        materials: [MaterialID: MaterialChoice], sealedApplication: Data, prefill: [PrefillSource: Int] = [:],
        simulatedIdentity: Bool = false, attachments: [SubmittedAttachment] = [], resultCollection: ResultCollection? = nil,
        items: [ItemID]? = nil
    ) {
        self.items = items
        self.resultCollection = resultCollection
        self.prefill = prefill
        self.simulatedIdentity = simulatedIdentity
        self.attachments = attachments
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

/// A file that follows its case, as the platform will be told of it.
public struct SubmittedAttachment: Sendable, Hashable {
    public var id: String
    public var kind: String
    public var length: Int
    public var sha256: String

    public init(id: String, kind: String, length: Int, sha256: String) {
        self.id = id
        self.kind = kind
        self.length = length
        self.sha256 = sha256
    }
}

/// How a case is written into the outbox, inside the transaction that commits it. The format
/// belongs to sync (`KioskSync.CaseMessageFormat`); the session only hands over the facts.
public protocol OutboxMessageFormat: Sendable {
    func message(for application: SubmittedApplication) throws -> Data
}
