import Foundation

/// What a heartbeat tells the platform besides the queue: devices and versions.
public struct HeartbeatFacts: Sendable {
    public struct Device: Sendable {
        public var id: String
        public var kind: String
        public var state: String
        public var fault: String?
        public var action: String?
        public var counters: [String: Int64]

        public init(id: String, kind: String, state: String, fault: String?, action: String?, counters: [String: Int64]) {
            self.id = id
            self.kind = kind
            self.state = state
            self.fault = fault
            self.action = action
            self.counters = counters
        }
    }
    public var devices: [Device]
    public var software: String
    public var catalog: String?
    public var calendar: String?
    public var uptimeSeconds: Double
    /// The id of the platform key new cases are sealed to.
    public var sealingKey: String?

    public init(devices: [Device], software: String, catalog: String?, calendar: String?, uptimeSeconds: Double, sealingKey: String? = nil)
    {
        self.sealingKey = sealingKey
        self.devices = devices
        self.software = software
        self.catalog = catalog
        self.calendar = calendar
        self.uptimeSeconds = uptimeSeconds
    }
}

/// What one sync pass did.
public struct SyncReport: Sendable, Hashable, Codable {
    public var casesStored = 0
    public var casesRefused = 0
    public var attachmentsVerified = 0
    public var ratingsStored = 0
    /// Results printed here (统一出件) whose report the platform stored.
    public var deliveriesStored = 0
    public var changesApplied = 0
    /// Cases whose sealed part was erased (acknowledged, and past the retention).
    public var purged = 0
    /// Why the pass stopped early, in words; nil when everything went.
    public var error: String?

    public init() {}
}
