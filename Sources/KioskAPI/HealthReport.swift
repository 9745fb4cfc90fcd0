/// The daemon's own health: what the systemd watchdog is fed on.
public struct HealthReport: Codable, Sendable, Hashable {
    public struct Check: Codable, Sendable, Hashable {
        public var name: String
        public var ok: Bool
        public var detail: String
        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }
    public var checks: [Check]
    public var healthy: Bool { checks.allSatisfy(\.ok) }
    public init(checks: [Check]) { self.checks = checks }

    enum CodingKeys: String, CodingKey { case checks, healthy }
    public init(from decoder: any Decoder) throws {
        checks = try decoder.container(keyedBy: CodingKeys.self).decode([Check].self, forKey: .checks)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(healthy, forKey: .healthy)
    }
}
