import Foundation
import KioskDocuments
import KioskPrinting
import KioskDevices
import KioskStore

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
}

/// What the kiosk can offer citizens: the bundles loaded and the calendar's reach.
public struct CatalogStatus: Codable, Sendable, Hashable {
    /// Bundles a citizen can apply for.
    public var bundles: Int
    /// Problems found in the catalog files (`file:line:column: message`); the bundles of a
    /// broken catalog are not offered.
    public var problems: [String]
    /// The years the working-day calendar has official data for.
    public var calendarYears: [Int]
    /// What went wrong loading the calendar, if anything.
    public var calendarProblems: [String]

    public init(bundles: Int, problems: [String], calendarYears: [Int], calendarProblems: [String]) {
        self.bundles = bundles
        self.problems = problems
        self.calendarYears = calendarYears
        self.calendarProblems = calendarProblems
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
}

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

/// The body of every error answer: something a UI or `kioskctl` can show as it is.
public struct APIErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var code: String
        public var message: String
    }
    public var error: Detail
    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}

/// JSON as every endpoint and `kioskctl --json` writes it: ISO 8601 dates, sorted keys.
public enum KioskJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// A print job as technicians see it (`kioskctl print jobs`): no document content.
public struct PrintJobSummary: Codable, Sendable, Hashable {
    public var id: String
    public var caseNumber: String
    public var document: String
    public var printer: String
    public var state: String
    public var requestedBy: String
    public var reprintOf: String?
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(_ job: PrintJob) {
        id = job.id.rawValue
        caseNumber = job.caseNumber
        document = job.document.rawValue
        printer = job.printer.rawValue
        state = job.state.rawValue
        requestedBy = job.requestedBy.rawValue
        reprintOf = job.reprintOf?.rawValue
        attempts = job.attempts
        lastError = job.lastError
        createdAt = job.createdAt
        updatedAt = job.updatedAt
    }
}
