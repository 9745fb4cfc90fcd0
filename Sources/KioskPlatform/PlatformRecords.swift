import Foundation
import KioskCore

/// A kiosk the platform knows.
public struct KioskRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var revokedAt: Date?
}

/// A case as the kiosk delivered it: no personal data in the clear (the application is sealed).
public struct IncomingCase: Sendable, Hashable {
    public var caseID: String
    public var contentSHA256: String
    public var receiptNumber: String
    public var bundle: String
    public var bundleVersion: String
    public var receivedAt: Date
    public var materials: [String: String]
    public var prefill: PrefillCounts?
    public var steps: Int?
    public var simulatedIdentity: Bool
    public var rating: Int?
    public var sealedApplication: Data

    public init(
        caseID: String, contentSHA256: String, receiptNumber: String, bundle: String, bundleVersion: String, receivedAt: Date,
        materials: [String: String], prefill: PrefillCounts? = nil, steps: Int? = nil, simulatedIdentity: Bool = false,
        rating: Int? = nil, sealedApplication: Data
    ) {
        self.caseID = caseID
        self.contentSHA256 = contentSHA256
        self.receiptNumber = receiptNumber
        self.bundle = bundle
        self.bundleVersion = bundleVersion
        self.receivedAt = receivedAt
        self.materials = materials
        self.prefill = prefill
        self.steps = steps
        self.simulatedIdentity = simulatedIdentity
        self.rating = rating
        self.sealedApplication = sealedApplication
    }
}

/// How many of a form's fields came from each source (counts, never values).
public struct PrefillCounts: Sendable, Hashable, Codable {
    public var idCard: Int
    public var sharedData: Int
    public var earlierApplication: Int
    public var citizen: Int

    public init(idCard: Int, sharedData: Int, earlierApplication: Int, citizen: Int) {
        self.idCard = idCard
        self.sharedData = sharedData
        self.earlierApplication = earlierApplication
        self.citizen = citizen
    }
}

/// What became of one delivered case.
public struct CaseOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable { case stored, conflict, rejected }
    public var caseID: String
    public var status: Status
    public var platformReceipt: String?
    public var storedAt: Date?
    public var message: String?
}

/// One change for a kiosk's feed, after a cursor.
public struct ChangeRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case itemStage = "item-stage", resultReady = "result-ready" }
    public var cursor: Int64
    public var kind: Kind
    public var at: Date
    public var caseID: String
    public var item: String
    public var stage: ItemState
    public var reason: String?
}

/// A case as `kiosk-platform cases` lists it.
public struct CaseSummary: Sendable, Hashable, Codable {
    public struct Item: Sendable, Hashable, Codable {
        public var id: String
        public var department: String
        public var stage: ItemState
    }
    public var caseID: String
    public var kioskName: String
    public var platformReceipt: String
    public var receiptNumber: String
    public var bundle: String
    public var receivedAt: Date
    public var items: [Item]
}

/// The kiosk's last heartbeat, for the fleet view.
public struct HeartbeatRecord: Sendable, Hashable, Codable {
    public var kioskID: String
    public var receivedAt: Date
    public var sentAt: Date
    public var queueDepth: Int
    public var body: Data
}
