/// One finding of `kioskctl doctor`.
public struct DoctorCheck: Codable, Sendable, Hashable {
    public enum Result: String, Codable, Sendable, Comparable {
        case ok = "OK", warn = "WARN", fail = "FAIL"
        private var rank: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }
        public static func < (lhs: Result, rhs: Result) -> Bool { lhs.rank < rhs.rank }
    }
    /// The area checked: configuration, database, disk, clock, device.
    public var area: String
    public var name: String
    public var result: Result
    public var detail: String
    /// What to do about a WARN or FAIL.
    public var hint: String?

    public init(area: String, name: String, result: Result, detail: String, hint: String? = nil) {
        self.area = area
        self.name = name
        self.result = result
        self.detail = detail
        self.hint = hint
    }
}

/// The answer of `GET /admin/v1/doctor`.
public struct DoctorReport: Codable, Sendable {
    public var checks: [DoctorCheck]
    /// The worst result of all checks.
    public var result: DoctorCheck.Result { checks.map(\.result).max() ?? .ok }
    public init(checks: [DoctorCheck]) { self.checks = checks }

    enum CodingKeys: String, CodingKey { case checks, result }
    public init(from decoder: any Decoder) throws {
        checks = try decoder.container(keyedBy: CodingKeys.self).decode([DoctorCheck].self, forKey: .checks)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(result, forKey: .result)
    }
}
