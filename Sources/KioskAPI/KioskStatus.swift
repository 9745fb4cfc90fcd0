import Foundation
import KioskCore

/// The answer of `GET /api/v1/status` and `kioskctl status`.
public struct KioskStatus: Codable, Sendable {
    public var version: String
    public var kioskID: String
    public var startedAt: Date
    public var uptimeSeconds: Double
    /// Whether a citizen can submit a case right now (store open, not quarantined).
    public var acceptingCases: Bool
    public var devices: [DeviceStatus]
    public var store: StoreSummary
    public var syncQueue: SyncQueueStatus
    public var health: HealthReport
    public var simulated: Bool
    public var catalog: CatalogStatus
    /// Sync with the platform (nil: none configured).
    public var sync: SyncStatus?
    /// The site and its opening hours (nil: not reported).
    public var site: SiteStatus?
    /// Whether a technician is in maintenance mode (nil: not reported).
    public var maintenance: MaintenanceStatus?

    public init(
        version: String, kioskID: String, startedAt: Date, uptimeSeconds: Double, acceptingCases: Bool, devices: [DeviceStatus],
        store: StoreSummary, syncQueue: SyncQueueStatus, health: HealthReport, simulated: Bool, catalog: CatalogStatus
    ) {
        self.version = version
        self.kioskID = kioskID
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.acceptingCases = acceptingCases
        self.devices = devices
        self.store = store
        self.syncQueue = syncQueue
        self.health = health
        self.simulated = simulated
        self.catalog = catalog
    }
}

/// The sync queue as the technician needs to see it (the reference's guarantee 9).
public struct SyncQueueStatus: Codable, Sendable {
    /// Cases and updates waiting for the platform's acknowledgement.
    public var depth: Int
    /// When the oldest of them was queued.
    public var oldestUnsentAt: Date?
    /// The last error sync met, if any (sync arrives with its own issue).
    public var lastError: String?

    public init(depth: Int, oldestUnsentAt: Date?, lastError: String?) {
        self.depth = depth
        self.oldestUnsentAt = oldestUnsentAt
        self.lastError = lastError
    }
}
