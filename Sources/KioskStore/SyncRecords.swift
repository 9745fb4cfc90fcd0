import Foundation

/// A case waiting in the outbox for the platform's "stored".
public struct PendingCase: Sendable, Hashable {
    public var seq: Int64
    public var caseID: String
    /// What goes to the platform, exactly as committed with the case.
    public var payload: Data
    public var attempts: Int
    public var createdAt: Date
}

/// A rating waiting in the outbox (好差评 given after the case went).
public struct PendingRating: Sendable, Hashable {
    public var seq: Int64
    public var caseID: String
    public var payload: Data
}

/// An attachment the platform has not verified yet.
public struct PendingAttachment: Sendable, Hashable {
    public var caseID: String
    public var attachmentID: String
    public var kind: String
    public var length: Int64
    public var sha256: String
}

/// The platform's answer for one case that counts as delivered.
public struct CaseAcknowledgement: Sendable, Hashable {
    public var caseID: String
    public var platformReceipt: String?
    /// Declared attachments the platform does not hold yet.
    public var missingAttachments: [String]

    public init(caseID: String, platformReceipt: String?, missingAttachments: [String]) {
        self.caseID = caseID
        self.platformReceipt = platformReceipt
        self.missingAttachments = missingAttachments
    }
}

/// One change from the platform's feed, as the kiosk applies it.
public struct PlatformChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case itemStage = "item-stage"
        case resultReady = "result-ready"
        case catalogVersion = "catalog-version"
        case calendarVersion = "calendar-version"
        case configurationVersion = "configuration-version"
        case sealingVersion = "sealing-version"
        case maintenanceVersion = "maintenance-version"
        case servicesVersion = "services-version"
        case revocation
    }
    public var cursor: Int64
    public var kind: Kind
    public var at: Date
    public var caseID: String?
    public var item: String?
    public var stage: String?
    public var reason: String?
    public var promisedBy: String?
    public var resultSHA256: String?
    public var resultLength: Int64?
    public var version: String?

    public init(
        cursor: Int64, kind: Kind, at: Date, caseID: String? = nil, item: String? = nil, stage: String? = nil, reason: String? = nil,
        promisedBy: String? = nil, resultSHA256: String? = nil, resultLength: Int64? = nil, version: String? = nil
    ) {
        self.cursor = cursor
        self.kind = kind
        self.at = at
        self.caseID = caseID
        self.item = item
        self.stage = stage
        self.reason = reason
        self.promisedBy = promisedBy
        self.resultSHA256 = resultSHA256
        self.resultLength = resultLength
        self.version = version
    }
}

/// An item as the platform last reported it.
public struct PlatformItemStatus: Sendable, Hashable {
    public var item: String
    public var stage: String
    public var reason: String?
    public var promisedBy: String?
    public var at: Date
    /// A result document is ready for delivery at the kiosk.
    public var resultReady: Bool
    /// The result document's SHA-256 and length, as the `result-ready` change gave them: the
    /// download is checked against both.
    public var resultSHA256: String? = nil
    public var resultLength: Int64? = nil
}

/// Where sync stands, for `kioskctl sync status`, the doctor, metrics and heartbeats.
public struct SyncFigures: Sendable, Hashable, Codable {
    /// Cases not yet stored by the platform, or with attachments it has not verified.
    public var queueDepth: Int
    public var oldestUnsentAt: Date?
    public var unsentAttachments: Int
    public var unsentRatings: Int
    /// Results printed here (统一出件) whose delivery the platform has not acknowledged yet.
    public var unsentDeliveries: Int = 0
    public var lastSuccessAt: Date?
    public var lastAttemptAt: Date?
    public var lastError: String?
    public var cursor: Int64
    /// The kiosk's clock minus the platform's, at the last exchange.
    public var skewSeconds: Double?
    /// Catalog, calendar or configuration versions announced by the platform and not yet installed.
    public var staged: [String: String]
    /// When each staged version was first announced, on the platform's clock.
    public var stagedAt: [String: Date] = [:]

    /// Signed bundles installed, by kind, and when each expires.
    public var installed: [String: Int] = [:]
    public var installedExpires: [String: Date] = [:]

    /// Since when this kiosk's catalogue is out of date, on the kiosk's clock (the offline
    /// policy's catalogue limit counts from it): the first announcement of a newer one, or the
    /// installed one's expiry, whichever came first.
    public var catalogSupersededAt: Date? {
        let announced = stagedAt["catalog-version"].map { $0.addingTimeInterval(skewSeconds ?? 0) }
        return [announced, installedExpires["catalog-version"]].compactMap { $0 }.min()
    }
}

/// A rating as the outbox keeps it (the contract's `Rating`).
public struct RatingMessage: Codable, Sendable, Hashable {
    public var ratingID: String
    public var caseID: String
    public var level: Int
    public var givenAt: Date
}

/// A result printed at the kiosk (统一出件) as the outbox keeps its report (the contract's `Delivery`).
public struct DeliveryMessage: Codable, Sendable, Hashable {
    public var deliveryID: String
    public var caseID: String
    public var item: String
    /// When CUPS reported the job completed.
    public var at: Date
    /// The item was printed here before (补打).
    public var reprint: Bool
    public var resultSHA256: String?
}

/// A delivery report the platform has not stored yet.
public struct PendingDelivery: Sendable, Hashable {
    public var seq: Int64
    public var caseID: String
    public var payload: Data
}
