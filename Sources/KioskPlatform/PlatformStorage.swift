import Foundation
import KioskCore

/// What the platform keeps, behind one protocol so that SQLite (embedded, the default) and
/// PostgreSQL (several instances over one database) answer the same suite. Every method is
/// one transaction; correctness under concurrent instances comes from constraints and
/// transactions, never from locks held in one process.
public protocol PlatformStorage: AttachmentStorage, ReportStorage, FollowUpStorage, EnrolmentStorage, BundleStorage, AuditStorage,
    CertificateStorage, DeliveryStorage
{
    /// Registers a kiosk and its credential's SHA-256 (the credential itself is never stored).
    func addKiosk(id: String, name: String, credentialSHA256: String, at: Date) async throws(PlatformError) -> KioskRecord
    /// The kiosk whose credential has this SHA-256, unless revoked.
    func kiosk(credentialSHA256: String) async throws(PlatformError) -> KioskRecord?
    /// Every kiosk, by name.
    func kiosks() async throws(PlatformError) -> [KioskRecord]
    /// Every kiosk with its last heartbeat, by name.
    func fleet() async throws(PlatformError) -> [(kiosk: KioskRecord, heartbeat: HeartbeatRecord?)]

    /// Stores a batch of delivered cases with their work items in one transaction, answering
    /// each (in order) as stored, or as its first delivery was answered.
    func store(_ batch: [PlannedCase], kiosk: KioskRecord, at: Date) async throws(PlatformError) -> [CaseOutcome]
    /// Changes for a kiosk after `cursor`, oldest first; `more` when the page was full.
    func changes(kiosk: String, after cursor: Int64, limit: Int) async throws(PlatformError) -> (changes: [ChangeRecord], more: Bool)
    /// Moves a work item through the procedure, recording the change for its kiosk in the same transaction.
    /// `promise` gives the item's promised date once moved (the kiosk shows it to the citizen).
    func advance(
        _ move: ItemMove, check: @escaping @Sendable (BundleCase) throws(PlatformError) -> Void,
        promise: @escaping @Sendable (BundleCase) -> String?
    ) async throws(PlatformError) -> CaseSummary
    /// Every case, newest first.
    func cases() async throws(PlatformError) -> [CaseSummary]
    /// A case's sealed application as the kiosk sent it (nil: no such case). Opened only by
    /// whoever holds the sealing keys, where a department needs it.
    func sealedApplication(caseID: String) async throws(PlatformError) -> Data?

    /// Records the kiosk's heartbeat (the last one is kept).
    func recordHeartbeat(_ heartbeat: HeartbeatRecord) async throws(PlatformError)
    /// Stores a rating (a replay of the same id answers the same); `followUp` opens a 整改 record.
    func recordRating(
        id: String, caseID: String, kiosk: String, level: Int, givenAt: Date, followUpDue: Date?
    ) async throws(PlatformError)
        -> Bool
}

/// A delivered case with what it fans out to.
public struct PlannedCase: Sendable {
    public var incoming: IncomingCase
    /// The platform's own hash of what it received (with the kiosk's, the idempotency check).
    public var digest: String
    public var detail: BundleCase
    public var leadDepartment: String
    public var items: [PlannedItem]
    /// A 差评 given with the case opens a follow-up (整改) for the lead department, due then.
    public var followUpDue: Date?
}

/// A work item a new case fans out to: one per catalog item, in the department the catalog names.
public struct PlannedItem: Sendable, Hashable {
    public var item: String
    public var department: String
}

/// A department's move of one item.
public struct ItemMove: Sendable, Hashable {
    public var caseID: String
    public var item: String
    public var stage: ItemState
    public var reason: String?
    /// The result document (PDF) on 办结, for delivery at the kiosk.
    public var result: Data?
    public var actor: String
    public var at: Date
    public var day: CivilDate

    public init(caseID: String, item: String, stage: ItemState, reason: String?, result: Data?, actor: String, at: Date, day: CivilDate) {
        self.caseID = caseID
        self.item = item
        self.stage = stage
        self.reason = reason
        self.result = result
        self.actor = actor
        self.at = at
        self.day = day
    }
}

/// Resumable uploads of the attachments a case declares (like tus), and results going back.
public protocol AttachmentStorage: Sendable {
    /// Starts the upload of a declared attachment, or answers where it stands; an expired upload starts again at 0.
    func createUpload(
        caseID: String, attachmentID: String, kiosk: String, length: Int64, sha256: String, at: Date, expiresAt: Date
    ) async throws(PlatformError) -> UploadState
    /// Where the upload stands (`expired` once it expired unfinished).
    func upload(caseID: String, attachmentID: String, kiosk: String, at: Date) async throws(PlatformError) -> UploadState
    /// Writes `bytes` at `offset` if that is the stored offset. When the last byte arrives the
    /// whole attachment is checked: on a mismatch it is dropped and `checksumFailed` is true.
    func append(
        caseID: String, attachmentID: String, kiosk: String, offset: Int64, bytes: Data, at: Date, expiresAt: Date
    ) async throws(PlatformError) -> (state: UploadState, checksumFailed: Bool)
    /// A verified attachment's bytes.
    func attachment(caseID: String, attachmentID: String) async throws(PlatformError) -> Data?
    /// Drops the bytes of uploads that expired unfinished; returns how many.
    func purgeExpiredUploads(at: Date) async throws(PlatformError) -> Int
    /// The result document of an item of one of this kiosk's cases.
    func result(caseID: String, item: String, kiosk: String) async throws(PlatformError) -> Data?
}

/// What the live KPI report reads of each case (counts and dates, nothing personal).
public struct CaseFacts: Sendable, Hashable {
    public var caseID: String
    public var bundle: String
    public var kioskName: String
    public var receivedAt: Date
    /// Material id → how it came (`provided`, `electronic`, `deferred`).
    public var materials: [String: String]
    public var prefill: PrefillCounts?
    public var steps: Int?
    /// The latest rating, 1–5.
    public var rating: Int?
    /// When the last item was decided, if every item is.
    public var finishedAt: Date?
    /// The items the case applies for (its situation's), each with its work at a department.
    public var items: [String] = []
}

/// The live figures the reform's report needs.
public protocol ReportStorage: Sendable {
    /// The facts of every case received since `since` (all when nil).
    func caseFacts(since: Date?) async throws(PlatformError) -> [CaseFacts]
}

/// A 差评's follow-up (整改) for the lead department.
public struct FollowUp: Sendable, Hashable, Codable {
    public var ratingID: String
    public var caseID: String
    public var receiptNumber: String
    public var department: String
    public var level: Int
    public var openedAt: Date
    public var dueBy: Date
    public var closedAt: Date?
    /// What the department did, written when it closes the follow-up.
    public var note: String?
}

/// The 整改 records the workbench shows and closes.
public protocol FollowUpStorage: Sendable {
    /// Follow-ups, open ones first, by due date.
    func followUps() async throws(PlatformError) -> [FollowUp]
    /// Closes a follow-up with what was done; closing twice is refused.
    func closeFollowUp(ratingID: String, note: String, at: Date) async throws(PlatformError)
}

/// Enrolment tokens and the keys kiosks are known by (the identity of mutual TLS).
public protocol EnrolmentStorage: Sendable {
    /// Stores a new single-use token (only its secret's SHA-256).
    func createToken(_ token: EnrolmentTokenRecord) async throws(PlatformError)
    /// Uses a token once, in one transaction: the kiosk it names (re-enrolment), or a new
    /// kiosk `newKioskID` named as the token says; the kiosk is known by `keySHA256` from now
    /// on. Unknown, used and expired tokens are refused with their own codes.
    func redeem(tokenSHA256: String, keySHA256: String, newKioskID: String, at: Date) async throws(PlatformError) -> KioskRecord
    /// The kiosk with this id and the key it is known by.
    func kiosk(id: String) async throws(PlatformError) -> (kiosk: KioskRecord, keySHA256: String?)?
    /// Notes the end of the kiosk's newest certificate.
    func recordCertificate(kioskID: String, notAfter: Date) async throws(PlatformError)
    /// Revokes a kiosk by name or id; its certificates and credential stop working at once.
    func revoke(kiosk nameOrID: String, at: Date) async throws(PlatformError) -> KioskRecord
}

/// Signed catalogues and calendars, kept as signed and announced to every kiosk.
public protocol BundleStorage: Sendable {
    /// Publishes the next version of `kind`: `sign` makes the envelope for that version; the
    /// bundle and a version change for every kiosk not revoked commit in one transaction.
    func publishBundle(kind: String, at: Date, sign: @escaping @Sendable (Int) throws -> Data) async throws(PlatformError) -> Int
    /// The envelope of a published bundle.
    func bundle(kind: String, version: Int) async throws(PlatformError) -> Data?
    /// Announces the newest bundle of each kind to one kiosk (a kiosk enrolled after it was published).
    func announceLatestBundles(kioskID: String, at: Date) async throws(PlatformError)
}

/// Results printed at kiosks (统一出件), reported through each kiosk's outbox.
public protocol DeliveryStorage: Sendable {
    /// Records a kiosk's delivery in one transaction, idempotently per (kiosk, delivery id): the
    /// first delivery of an approved item moves it to `delivered` with an `item-stage` change for
    /// the kiosk; a reprint moves nothing. Answers the item's stage. Refuses an unknown case or
    /// item of this kiosk (`unknownCase`, `unknownItem`), an item without a result and a replay
    /// that says something else (`conflict`).
    func recordDelivery(
        _ delivery: DeliveryRecord, kioskName: String, recordedAt: Date, day: CivilDate
    ) async throws(PlatformError)
        -> ItemState
    /// A case's deliveries, oldest first, with the kiosks' names.
    func deliveries(caseID: String) async throws(PlatformError) -> [DeliveryRecord]
}
