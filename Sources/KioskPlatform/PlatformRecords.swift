import Foundation
import KioskCore

/// A kiosk the platform knows.
public struct KioskRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var revokedAt: Date?
    /// Where an enrolled kiosk stands (its token's site).
    public var site: String? = nil
}

/// A single-use enrolment token as stored: the SHA-256 of its secret, never the secret.
public struct EnrolmentTokenRecord: Sendable, Hashable {
    public var secretSHA256: String
    public var site: String
    /// The name the enrolled kiosk gets (a new kiosk).
    public var kioskName: String
    /// Set for re-enrolment of an existing kiosk (after its certificate expired offline).
    public var kioskID: String?
    public var createdAt: Date
    public var expiresAt: Date

    public init(secretSHA256: String, site: String, kioskName: String, kioskID: String?, createdAt: Date, expiresAt: Date) {
        self.secretSHA256 = secretSHA256
        self.site = site
        self.kioskName = kioskName
        self.kioskID = kioskID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
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
    /// The attachments that follow the case: it is complete when each has arrived and matched.
    public var attachments: [AttachmentDeclaration]
    public var sealedApplication: Data
    /// How the citizen will collect the result (`window`, `kiosk`, `post`), not personal.
    public var resultCollection: String? = nil
    /// The items applied for, as the kiosk declared them (nil: every item of the bundle).
    public var items: [String]? = nil

    public init(
        caseID: String, contentSHA256: String, receiptNumber: String, bundle: String, bundleVersion: String, receivedAt: Date,
        materials: [String: String], prefill: PrefillCounts? = nil, steps: Int? = nil, simulatedIdentity: Bool = false,
        rating: Int? = nil, attachments: [AttachmentDeclaration] = [], sealedApplication: Data,
        resultCollection: String? = nil, items: [String]? = nil
    ) {
        self.items = items
        self.resultCollection = resultCollection
        self.attachments = attachments
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
    /// Declared attachments not yet verified.
    public var missingAttachments: [String] = []
    public var message: String?
}

/// An attachment a case declares: its bytes follow in a resumable upload.
public struct AttachmentDeclaration: Sendable, Hashable, Codable {
    public var id: String
    public var kind: String
    public var length: Int64
    public var sha256: String

    public init(id: String, kind: String, length: Int64, sha256: String) {
        self.id = id
        self.kind = kind
        self.length = length
        self.sha256 = sha256
    }
}

/// Where an attachment's upload stands.
public struct UploadState: Sendable, Hashable {
    public var caseID: String
    public var attachmentID: String
    public var length: Int64
    public var offset: Int64
    /// Every byte arrived and matched the declared SHA-256.
    public var verified: Bool
    /// When the unfinished upload expires (nil once verified, or before it was created).
    public var expiresAt: Date?
}

/// One change for a kiosk's feed, after a cursor.
public struct ChangeRecord: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case itemStage = "item-stage", resultReady = "result-ready", catalogVersion = "catalog-version"
        case calendarVersion = "calendar-version", sealingVersion = "sealing-version", configurationVersion = "configuration-version"
        case maintenanceVersion = "maintenance-version"
        case servicesVersion = "services-version"
    }
    public var cursor: Int64
    public var kind: Kind
    public var at: Date
    /// For item changes: the case, the item and its stage (empty for a version change).
    public var caseID: String
    public var item: String
    public var stage: ItemState?
    public var reason: String?
    /// For `item-stage`: the date promised for the item (YYYY-MM-DD), once accepted.
    public var promisedBy: String?
    /// For `result-ready`: the document's SHA-256 and length, to verify the download.
    public var resultSHA256: String?
    public var resultLength: Int64?
    /// For `catalog-version` and `calendar-version`: the signed bundle's version.
    public var version: String? = nil
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
    /// Declared attachments not verified yet: the case is incomplete while any is missing.
    public var missingAttachments: [String]
}

/// The kiosk's last heartbeat, for the fleet view.
public struct HeartbeatRecord: Sendable, Hashable, Codable {
    public var kioskID: String
    public var receivedAt: Date
    public var sentAt: Date
    public var queueDepth: Int
    public var body: Data
}
