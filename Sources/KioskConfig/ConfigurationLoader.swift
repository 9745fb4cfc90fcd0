import Foundation
import KioskAPI
import KioskCore
import KioskDevices
import KioskFiles

/// Reads `kiosk.yaml`, reporting every problem as `file:line: what is wrong`.
public enum ConfigurationLoader {
    /// The keys `kiosk.yaml` may contain; anything else is a typo to report.
    static let shape: YAMLShape = .mapping([
        "kiosk": .mapping([
            "id": .scalar, "site": .scalar, "location": .scalar, "division_code": .scalar, "number": .scalar, "time_zone": .scalar,
        ]),
        "opening_hours": openingHoursShape,
        "paths": .mapping([
            "state_dir": .scalar, "admin_socket": .scalar, "admin_group": .scalar, "profiles_dir": .scalar,
            "database": .scalar, "catalog_dir": .scalar, "calendar_dir": .scalar, "templates_dir": .scalar,
            "screen_dir": .scalar, "shared_data": .scalar,
        ]),
        "session": .mapping([
            "idle_timeout_seconds": .scalar, "countdown_seconds": .scalar, "print_wait_seconds": .scalar,
            "receipt_printer": .scalar, "status_url": .scalar, "material_capture": .scalar, "maintenance_minutes": .scalar,
            "query_services": .list(.mapping(["id": .scalar, "name": .scalar])),
        ]),
        "api": .mapping(["host": .scalar, "port": .scalar, "read_timeout_seconds": .scalar, "max_connections": .scalar]),
        "sync": .mapping([
            "platform": .scalar, "credential_file": .scalar, "interval_seconds": .scalar, "heartbeat_seconds": .scalar,
            "batch_size": .scalar, "request_timeout_seconds": .scalar, "sealing_key_file": .scalar, "retention_hours": .scalar,
            "offline": .mapping(["max_hours_since_sync": .scalar, "max_unsent_cases": .scalar, "max_catalog_days_behind": .scalar]),
        ]),
        "logging": .mapping(["level": .scalar]),
        "lifecycle": .mapping(["shutdown_timeout_seconds": .scalar, "min_free_megabytes": .scalar]),
        "touch": TouchSiteSettings.shape,
        "devices": .list(
            .mapping(["id": .scalar, "kind": .scalar, "profile": .scalar, "path": .scalar, "queue": .scalar, "simulate": .scalar])
        ),
    ])

    struct File: Decodable {
        struct Kiosk: Decodable {
            var id: String?
            var site: String?
            var location: String?
            var division_code: Int?
            var number: Int?
            var time_zone: String?
        }
        struct Session: Decodable {
            var idle_timeout_seconds: Double?
            var countdown_seconds: Double?
            var print_wait_seconds: Double?
            var maintenance_minutes: Double?
            var receipt_printer: String?
            var status_url: String?
            var material_capture: Bool?
            var query_services: [QueryServiceEntry]?
        }
        struct QueryServiceEntry: Decodable {
            var id: String
            var name: String
        }
        struct Paths: Decodable {
            var state_dir: String?
            var admin_socket: String?
            var admin_group: String?
            var profiles_dir: String?
            var database: String?
            var catalog_dir: String?
            var calendar_dir: String?
            var templates_dir: String?
            var screen_dir: String?
            var shared_data: String?
        }
        struct API: Decodable {
            var host: String?
            var port: Int?
            var read_timeout_seconds: Double?
            var max_connections: Int?
        }
        struct Sync: Decodable {
            struct Offline: Decodable {
                var max_hours_since_sync: Double?
                var max_unsent_cases: Int?
                var max_catalog_days_behind: Double?
            }
            var platform: String?
            var credential_file: String?
            var interval_seconds: Double?
            var heartbeat_seconds: Double?
            var batch_size: Int?
            var request_timeout_seconds: Double?
            var sealing_key_file: String?
            var retention_hours: Double?
            var offline: Offline?
        }
        struct Logging: Decodable { var level: String? }
        struct Lifecycle: Decodable {
            var shutdown_timeout_seconds: Double?
            var min_free_megabytes: Double?
        }
        struct Device: Decodable {
            var id: String
            /// Read as text and checked here, so that a wrong kind lists the right ones.
            var kind: String
            var profile: String?
            var path: String?
            var queue: String?
            var simulate: Bool?
        }
        var kiosk: Kiosk?
        var paths: Paths?
        var api: API?
        var sync: Sync?
        var logging: Logging?
        var lifecycle: Lifecycle?
        var session: Session?
        var devices: [Device]?
        var touch: TouchSiteSettings?
    }

    /// Loads and validates the file at `path`, with the site profile beside it (`site.yaml`)
    /// read over it when there is one. All problems found are returned together, so a
    /// technician fixes them in one pass.
    public static func load(path: String) throws(ConfigurationError) -> KioskConfiguration {
        let site = siteProfilePath(beside: path)
        guard FileManager.default.fileExists(atPath: site) else { return try load(path: path, siteProfile: nil) }
        let profile: YAMLFile
        do {
            profile = try YAMLFile.load(path: site)
        } catch {
            throw ConfigurationError(problems: [error])
        }
        return try load(path: path, siteProfile: profile)
    }

    /// Loads the file at `path` with `siteProfile` read over it instead of the one beside it
    /// (`kioskctl provision apply` checks a profile this way before it replaces the applied one).
    public static func load(path: String, siteProfile: YAMLFile?) throws(ConfigurationError) -> KioskConfiguration {
        let file: YAMLFile
        do {
            file = try YAMLFile.load(path: path)
        } catch {
            throw ConfigurationError(problems: [error])
        }
        return try load(file, siteProfile: siteProfile)
    }

    /// Loads and validates configuration text (for tests and `kioskctl config validate -`).
    public static func load(text: String, file name: String) throws(ConfigurationError) -> KioskConfiguration {
        let file: YAMLFile
        do {
            file = try YAMLFile(text: text, file: name)
        } catch {
            throw ConfigurationError(problems: [error])
        }
        return try load(file)
    }

    static func load(_ file: YAMLFile, siteProfile: YAMLFile? = nil) throws(ConfigurationError) -> KioskConfiguration {
        var configuration = KioskConfiguration()
        var problems = read(file, as: .configuration, into: &configuration)
        if let siteProfile {
            problems += read(siteProfile, as: .siteProfile, into: &configuration)
            configuration.siteProfilePath = siteProfile.file
        }
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return configuration
    }

    /// Which file is read: kiosk.yaml, or the site profile read over it.
    enum Part { case configuration, siteProfile }

    /// Reads one file over `configuration`: the values it sets replace what came before (a
    /// site profile's `devices` replace kiosk.yaml's list as a whole). Returns its problems.
    static func read(_ file: YAMLFile, as part: Part, into configuration: inout KioskConfiguration) -> [FileProblem] {
        var problems = part == .configuration ? file.unknownKeys(shape) : kioskOnlyKeys(file, unknown: file.unknownKeys(siteShape))
        guard let root = file.root else {
            // Defaults alone are no kiosk: an empty file is most likely a copy gone wrong.
            let message =
                part == .configuration
                ? "the file is empty: a kiosk needs at least kiosk.id, and its devices (see Provisioning/config/kiosk.yaml)"
                : "the site profile is empty (see Provisioning/examples/site.yaml)"
            return [FileProblem(SourceLocation(file: file.file, line: 1, column: 1), message)]
        }
        let decoded: File
        do {
            decoded = try file.decode(File.self, from: root)
        } catch {
            return problems + [error]
        }
        let at = { (path: [String]) -> SourceLocation in
            file.location(of: file.deepestNode(at: path.map { Key($0) }, from: root).node)
        }
        if part == .configuration && decoded.kiosk?.id == nil {
            problems.append(FileProblem(at([]), "kiosk.id is missing: every kiosk needs its id (kiosk: {id: ...}), as enrolment gave it"))
        }
        if let hours = file.child("opening_hours", of: root) {
            var reader = NodeReader(file)
            configuration.openingHours = openingHours(hours, reader: &reader)
            problems += reader.problems
        }

        if let kiosk = decoded.kiosk {
            if let id = kiosk.id {
                if id.isEmpty || id.contains(where: { $0.isWhitespace || $0 == "/" }) {
                    problems.append(FileProblem(at(["kiosk", "id"]), "kiosk.id must be a non-empty id without spaces or '/'"))
                }
                configuration.kiosk.id = id
            }
            configuration.kiosk.site = kiosk.site ?? configuration.kiosk.site
            configuration.kiosk.location = kiosk.location ?? configuration.kiosk.location
            if let code = kiosk.division_code {
                if !(100_000...999_999).contains(code) {
                    problems.append(
                        FileProblem(
                            at(["kiosk", "division_code"]),
                            "kiosk.division_code must be the 6-digit administrative division code (e.g. 410721)"))
                }
                configuration.kiosk.divisionCode = code
            }
            if let number = kiosk.number {
                if !(1...9999).contains(number) {
                    problems.append(
                        FileProblem(at(["kiosk", "number"]), "kiosk.number must be between 1 and 9999 (this kiosk's number in the county)"))
                }
                configuration.kiosk.number = number
            }
            if let zone = kiosk.time_zone {
                if TimeZone(identifier: zone) == nil {
                    problems.append(
                        FileProblem(
                            at(["kiosk", "time_zone"]), "kiosk.time_zone must be a time zone name such as Asia/Shanghai, not '\(zone)'"))
                }
                configuration.kiosk.timeZone = zone
            }
        }
        if let session = decoded.session {
            func seconds(_ key: String, _ value: Double?, _ range: ClosedRange<Double>) -> Double? {
                guard let value else { return nil }
                if !range.contains(value) {
                    problems.append(
                        FileProblem(
                            at(["session", key]),
                            "session.\(key) must be between \(Int(range.lowerBound)) and \(Int(range.upperBound)) seconds"))
                }
                return value
            }
            if let value = seconds("idle_timeout_seconds", session.idle_timeout_seconds, 15...1800) {
                configuration.session.idleTimeoutSeconds = value
            }
            if let value = seconds("countdown_seconds", session.countdown_seconds, 5...120) {
                configuration.session.countdownSeconds = value
            }
            if let value = seconds("print_wait_seconds", session.print_wait_seconds, 1...60) {
                configuration.session.printWaitSeconds = value
            }
            if let minutes = session.maintenance_minutes {
                if !(1...240).contains(minutes) {
                    problems.append(
                        FileProblem(
                            at(["session", "maintenance_minutes"]), "session.maintenance_minutes must be between 1 and 240 minutes"))
                }
                configuration.session.maintenanceMinutes = minutes
            }
            if let printer = session.receipt_printer { configuration.session.receiptPrinter = DeviceID(printer) }
            if let capture = session.material_capture { configuration.session.materialCapture = capture }
            if let url = session.status_url {
                if !(url.hasPrefix("https://") && url.contains("{number}")) {
                    problems.append(
                        FileProblem(at(["session", "status_url"]), "session.status_url must be an https:// address containing {number}"))
                }
                configuration.session.statusURL = url
            }
            if let services = session.query_services {
                configuration.session.queryServices = services.map { QueryService(id: $0.id, name: $0.name) }
            }
        }
        if let paths = decoded.paths {
            for (key, value) in [
                ("state_dir", paths.state_dir), ("admin_socket", paths.admin_socket), ("profiles_dir", paths.profiles_dir),
                ("database", paths.database),
                ("catalog_dir", paths.catalog_dir), ("calendar_dir", paths.calendar_dir), ("templates_dir", paths.templates_dir),
                ("screen_dir", paths.screen_dir), ("shared_data", paths.shared_data),
            ] {
                if let value, !value.hasPrefix("/") {
                    problems.append(FileProblem(at(["paths", key]), "paths.\(key) must be an absolute path, not '\(value)'"))
                }
            }
            if let socket = paths.admin_socket, socket.utf8.count > 107 {
                problems.append(
                    FileProblem(at(["paths", "admin_socket"]), "paths.admin_socket is longer than a unix socket path may be (107 bytes)"))
            }
            configuration.paths.stateDir = paths.state_dir ?? configuration.paths.stateDir
            configuration.paths.adminSocket = paths.admin_socket ?? configuration.paths.adminSocket
            if let group = paths.admin_group { configuration.paths.adminGroup = group.isEmpty ? nil : group }
            configuration.paths.profilesDir = paths.profiles_dir ?? configuration.paths.profilesDir
            configuration.paths.database = paths.database
            configuration.paths.catalogDir = paths.catalog_dir ?? configuration.paths.catalogDir
            configuration.paths.calendarDir = paths.calendar_dir ?? configuration.paths.calendarDir
            configuration.paths.templatesDir = paths.templates_dir ?? configuration.paths.templatesDir
            configuration.paths.screenDir = paths.screen_dir ?? configuration.paths.screenDir
            configuration.paths.sharedData = paths.shared_data
        }
        if let api = decoded.api {
            if let host = api.host {
                if !["127.0.0.1", "::1", "localhost"].contains(host) {
                    problems.append(
                        FileProblem(
                            at(["api", "host"]),
                            "api.host must be a loopback address (127.0.0.1 or ::1): the local API is for this machine only"))
                }
                configuration.api.host = host == "localhost" ? "127.0.0.1" : host
            }
            if let port = api.port {
                if !(0...65535).contains(port) {
                    problems.append(FileProblem(at(["api", "port"]), "api.port must be between 0 and 65535, not \(port)"))
                }
                configuration.api.port = port
            }
            if let timeout = api.read_timeout_seconds {
                if !(1...300).contains(timeout) {
                    problems.append(FileProblem(at(["api", "read_timeout_seconds"]), "api.read_timeout_seconds must be between 1 and 300"))
                }
                configuration.api.readTimeoutSeconds = timeout
            }
            if let connections = api.max_connections {
                if !(8...4096).contains(connections) {
                    problems.append(FileProblem(at(["api", "max_connections"]), "api.max_connections must be between 8 and 4096"))
                }
                configuration.api.maxConnections = connections
            }
        }
        if let sync = decoded.sync {
            problems += Self.apply(sync, to: &configuration.sync, at: { at(["sync"] + $0) })
        }
        if let level = decoded.logging?.level {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if !levels.contains(level) {
                problems.append(
                    FileProblem(at(["logging", "level"]), "logging.level must be one of \(levels.joined(separator: ", ")), not '\(level)'"))
            }
            configuration.logging.level = level
        }
        if let timeout = decoded.lifecycle?.shutdown_timeout_seconds {
            if !(timeout > 0 && timeout <= 300) {
                problems.append(
                    FileProblem(
                        at(["lifecycle", "shutdown_timeout_seconds"]), "lifecycle.shutdown_timeout_seconds must be between 0 and 300"))
            }
            configuration.lifecycle.shutdownTimeoutSeconds = timeout
        }
        if let megabytes = decoded.lifecycle?.min_free_megabytes {
            if !(megabytes >= 1 && megabytes <= 1_000_000) {
                problems.append(
                    FileProblem(at(["lifecycle", "min_free_megabytes"]), "lifecycle.min_free_megabytes must be between 1 and 1000000"))
            }
            configuration.lifecycle.minFreeMegabytes = megabytes
        }
        if let touch = decoded.touch { configuration.touch = touch }
        var seen: Set<String> = []
        if decoded.devices != nil { configuration.devices = [] }
        for (index, device) in (decoded.devices ?? []).enumerated() {
            let here = ["devices", "\(index)"]
            if device.id.isEmpty || device.id.contains(where: \.isWhitespace) {
                problems.append(FileProblem(at(here + ["id"]), "devices[\(index)].id must be a non-empty name without spaces"))
            }
            if !seen.insert(device.id).inserted {
                problems.append(FileProblem(at(here + ["id"]), "device id '\(device.id)' is used twice"))
            }
            guard let kind = DeviceKind(rawValue: device.kind) else {
                problems.append(
                    FileProblem(
                        at(here + ["kind"]),
                        "devices[\(index)].kind must be one of \(DeviceKind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(device.kind)'"
                    ))
                continue
            }
            let simulate = device.simulate ?? false
            if !simulate && device.profile == nil && device.path == nil && device.queue == nil {
                problems.append(
                    FileProblem(at(here), "device '\(device.id)' needs a profile, a path or a queue (or simulate: true)"))
            }
            configuration.devices.append(
                KioskConfiguration.Device(
                    id: DeviceID(device.id), kind: kind, profile: device.profile, path: device.path,
                    queue: device.queue, simulate: simulate))
        }
        return problems
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(_ string: String) {
            stringValue = string
            intValue = Int(string)
        }
        init(stringValue: String) { self.init(stringValue) }
        init?(intValue: Int) { self.init("\(intValue)") }
    }
}

/// A configuration that cannot be used: every problem, each at its line.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [FileProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
