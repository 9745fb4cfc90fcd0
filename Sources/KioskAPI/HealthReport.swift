/// The daemon's health, in two kinds:
///
/// - **liveness** (`healthy`): the process works; the systemd watchdog is fed on it, and a
///   restart would be the cure if it failed;
/// - **readiness** (`ready`): the kiosk can take citizens' applications now. A quarantined
///   store, a full disk or a missing catalogue make it not ready; a restart cures none of
///   them, so the process stays up, says why, and the watchdog goes on.
public struct HealthReport: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case liveness, readiness
    }

    public struct Check: Codable, Sendable, Hashable {
        public var name: String
        public var kind: Kind
        public var ok: Bool
        public var detail: String
        public init(name: String, kind: Kind = .liveness, ok: Bool, detail: String) {
            self.name = name
            self.kind = kind
            self.ok = ok
            self.detail = detail
        }
    }
    public var checks: [Check]
    /// Alive: every liveness check passes.
    public var healthy: Bool { checks.allSatisfy { $0.kind != .liveness || $0.ok } }
    /// Ready for citizens: alive, and every readiness check passes.
    public var ready: Bool { checks.allSatisfy(\.ok) }
    /// What keeps the kiosk from being ready, in words.
    public var degradations: [String] { checks.filter { !$0.ok }.map { "\($0.name): \($0.detail)" } }
    public init(checks: [Check]) { self.checks = checks }

    enum CodingKeys: String, CodingKey { case checks, healthy, ready }
    public init(from decoder: any Decoder) throws {
        checks = try decoder.container(keyedBy: CodingKeys.self).decode([Check].self, forKey: .checks)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(healthy, forKey: .healthy)
        try container.encode(ready, forKey: .ready)
    }
}
