import Foundation
import KioskSyncAPI

/// One kiosk as the fleet view shows it: its last heartbeat, queue, faults, versions and clock.
public struct FleetEntry: Sendable, Hashable, Codable {
    public struct Fault: Sendable, Hashable, Codable {
        public var device: String
        public var state: String
        public var fault: String?
        /// The recommended action (`clear`, `reset`, `maintenance`…).
        public var action: String?

        public init(device: String, state: String, fault: String?, action: String?) {
            self.device = device
            self.state = state
            self.fault = fault
            self.action = action
        }
    }

    public var name: String
    public var id: String
    public var revoked: Bool
    public var lastHeartbeat: Date?
    public var queueDepth: Int?
    public var oldestUnsentAt: Date?
    /// The kiosk's clock minus the platform's, at the last heartbeat.
    public var clockSkewSeconds: Double?
    public var software: String?
    /// Audit entries the platform holds for the kiosk, and why its trail did not check (nil: it did).
    public var auditHeld: Int64 = 0
    /// The platform key the kiosk seals new cases to (from its last heartbeat).
    public var sealingKey: String?
    public var auditProblem: String?
    public var catalog: String?
    public var calendar: String?
    /// Devices not working, with what to do.
    public var faults: [Fault]
    /// Signed bundles the kiosk refused, in its words ("catalog 8: tampered: …").
    public var refusedBundles: [String] = []

    /// Builds the fleet from storage.
    public static func fleet(_ storage: any PlatformStorage) async throws(PlatformError) -> [FleetEntry] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var entries: [FleetEntry] = []
        for (kiosk, heartbeat) in try await storage.fleet() {
            var entry = FleetEntry(name: kiosk.name, id: kiosk.id, revoked: kiosk.revokedAt != nil, faults: [])
            (entry.auditHeld, entry.auditProblem) = try await storage.auditState(kiosk: kiosk.id)
            guard let heartbeat else {
                entries.append(entry)
                continue
            }
            entry.lastHeartbeat = heartbeat.receivedAt
            entry.queueDepth = heartbeat.queueDepth
            entry.clockSkewSeconds = heartbeat.sentAt.timeIntervalSince(heartbeat.receivedAt)
            if let body = try? decoder.decode(Components.Schemas.Heartbeat.self, from: heartbeat.body) {
                entry.oldestUnsentAt = body.oldestUnsentAt
                entry.software = body.versions.software
                entry.catalog = body.versions.catalog
                entry.calendar = body.versions.calendar
                entry.sealingKey = body.versions.sealingKey
                entry.refusedBundles = (body.versions.refused ?? []).map { "\($0.kind) \($0.version): \($0.code): \($0.reason)" }
                entry.faults = body.devices.filter { !["online", "busy"].contains($0.state) }.map {
                    Fault(device: $0.id, state: $0.state, fault: $0.fault, action: $0.action)
                }
            }
            entries.append(entry)
        }
        return entries
    }
}
