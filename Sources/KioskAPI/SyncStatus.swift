import Foundation

/// Where the kiosk's sync with the platform stands (`kioskctl sync status`).
public struct SyncStatus: Codable, Sendable, Hashable {
    /// What one pass did.
    public struct Pass: Codable, Sendable, Hashable {
        public var casesStored: Int
        public var casesRefused: Int
        public var attachmentsVerified: Int
        public var ratingsStored: Int
        public var changesApplied: Int
        public var error: String?

        public init(casesStored: Int, casesRefused: Int, attachmentsVerified: Int, ratingsStored: Int, changesApplied: Int, error: String?)
        {
            self.casesStored = casesStored
            self.casesRefused = casesRefused
            self.attachmentsVerified = attachmentsVerified
            self.ratingsStored = ratingsStored
            self.changesApplied = changesApplied
            self.error = error
        }
    }

    public var platform: String
    /// Cases the platform has not stored yet, or whose attachments it has not verified.
    public var queueDepth: Int
    public var oldestUnsentAt: Date?
    public var unsentAttachments: Int
    public var unsentRatings: Int
    /// Results printed here whose delivery (送达) the platform has not acknowledged yet.
    public var unsentDeliveries: Int = 0
    public var lastSuccessAt: Date?
    public var lastAttemptAt: Date?
    /// The last failure, in words; nil after a success.
    public var lastError: String?
    public var cursor: Int64
    /// The kiosk's clock minus the platform's at the last exchange.
    public var skewSeconds: Double?
    /// Versions announced by the platform, waiting for their signature check.
    public var staged: [String: String]
    public var lastPass: Pass?

    public init(
        platform: String, queueDepth: Int, oldestUnsentAt: Date?, unsentAttachments: Int, unsentRatings: Int, lastSuccessAt: Date?,
        lastAttemptAt: Date?, lastError: String?, cursor: Int64, skewSeconds: Double?, staged: [String: String], lastPass: Pass?
    ) {
        self.platform = platform
        self.queueDepth = queueDepth
        self.oldestUnsentAt = oldestUnsentAt
        self.unsentAttachments = unsentAttachments
        self.unsentRatings = unsentRatings
        self.lastSuccessAt = lastSuccessAt
        self.lastAttemptAt = lastAttemptAt
        self.lastError = lastError
        self.cursor = cursor
        self.skewSeconds = skewSeconds
        self.staged = staged
        self.lastPass = lastPass
    }
}

/// The daemon's sync relay as the APIs see it.
public protocol SyncControls: Sendable {
    func status() async -> SyncStatus
    /// Runs one pass now and reports where sync stands after it.
    func syncNow() async -> SyncStatus
}
