import Foundation

/// Whether a technician is in maintenance mode (`GET /api/v1/maintenance`, `kioskctl status`),
/// and whether the way in is locked after failed attempts.
public struct MaintenanceStatus: Codable, Sendable, Equatable {
    /// A technician is in maintenance now (new applications are closed).
    public var on: Bool
    public var technician: String?
    public var since: Date?
    /// When maintenance ends by itself.
    public var until: Date?
    public var secondsLeft: Int?
    /// Failed attempts lock the way in until then.
    public var lockedUntil: Date?
    /// The maintenance screen's bearer token: only in the answer to a successful entry.
    public var token: String?

    public init(
        on: Bool, technician: String? = nil, since: Date? = nil, until: Date? = nil, secondsLeft: Int? = nil, lockedUntil: Date? = nil,
        token: String? = nil
    ) {
        self.on = on
        self.technician = technician
        self.since = since
        self.until = until
        self.secondsLeft = secondsLeft
        self.lockedUntil = lockedUntil
        self.token = token
    }

    /// One line for `kioskctl status`.
    public var summary: String {
        guard on, let technician else { return lockedUntil == nil ? "off" : "off (way in locked after failed attempts)" }
        let minutes = ((secondsLeft ?? 0) + 59) / 60
        return "on (technician \(technician), \(minutes) min left)"
    }
}
