import Foundation

/// A damaged database moved aside, waiting for a technician's decision.
///
/// The file is never deleted: it may hold cases that exist nowhere else. It is moved with its
/// WAL into `quarantine/` under the state folder, and this record (saved next to it as
/// `pending.json`) keeps the kiosk from accepting new cases until `kioskctl store recover` or
/// `kioskctl store reset` decides.
public struct Quarantine: Codable, Sendable, Hashable {
    /// Where the damaged database now is.
    public var movedTo: String
    /// Where it was.
    public var originalPath: String
    /// When it was moved (UTC).
    public var at: Date
    /// What was wrong with it.
    public var reason: String

    public init(movedTo: String, originalPath: String, at: Date, reason: String) {
        self.movedTo = movedTo
        self.originalPath = originalPath
        self.at = at
        self.reason = reason
    }
}

/// What a technician's decision on a quarantined database did.
public struct StoreDecision: Codable, Sendable, Hashable {
    /// `recover` or `reset`.
    public var action: String
    /// The quarantined file the decision was about (kept in place either way).
    public var quarantined: String
    /// Rows copied into the new database, per table (recover only).
    public var recoveredRows: [String: Int]
    /// Rows that could not be read, per table (recover only).
    public var lostRows: [String: Int]

    public init(action: String, quarantined: String, recoveredRows: [String: Int] = [:], lostRows: [String: Int] = [:]) {
        self.action = action
        self.quarantined = quarantined
        self.recoveredRows = recoveredRows
        self.lostRows = lostRows
    }
}
