import Foundation

/// What the status API and `kioskctl status` show about the store.
public struct StoreSummary: Codable, Sendable, Hashable {
    /// `open` or `quarantined`.
    public var condition: String
    public var path: String
    public var acceptsCases: Bool
    public var sizeBytes: Int64
    public var cases: Int
    /// Outbox rows not yet acknowledged by the platform.
    public var syncQueueDepth: Int
    /// When the oldest unacknowledged row was queued.
    public var oldestUnsentAt: Date?
    public var migrations: [String]
    public var quarantine: Quarantine?

    public init(
        condition: String, path: String, acceptsCases: Bool, sizeBytes: Int64, cases: Int, syncQueueDepth: Int, oldestUnsentAt: Date?,
        migrations: [String], quarantine: Quarantine?
    ) {
        self.condition = condition
        self.path = path
        self.acceptsCases = acceptsCases
        self.sizeBytes = sizeBytes
        self.cases = cases
        self.syncQueueDepth = syncQueueDepth
        self.oldestUnsentAt = oldestUnsentAt
        self.migrations = migrations
        self.quarantine = quarantine
    }
}
