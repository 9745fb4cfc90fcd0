import Foundation
import KioskAPI
import KioskConfig
import KioskDevices
import KioskFiles
import KioskServer
import KioskSession
import KioskStore

#if canImport(Glibc)
    import KioskCore
    import Glibc
#endif

/// The checks behind `kioskctl doctor`: each says OK, WARN or FAIL, what was seen, and what
/// to do. They run inside the daemon, which sees exactly what the service sees.
struct Doctor: Sendable {
    let configuration: KioskConfiguration
    let configurationPath: String?
    let store: CaseStore
    let registry: DeviceRegistry
    let profileProblems: [FileProblem]
    let catalog: CatalogStatus
    /// The key cases are sealed to now (it changes with a signed key bundle), and where it came from.
    var sealing: @Sendable () async -> (id: String, origin: String)? = { nil }
    /// cupsd, for the queues' error policy (`nil`: not checked).
    var cups: CUPSClient? = nil
    /// The signed site profile version kioskd started with (nil: none).
    var signedSiteVersion: Int? = nil

    /// Free space below which nothing should be accepted (a case and its receipt need room).
    static let failBelowBytes: Int64 = 100 * 1024 * 1024
    static let warnBelowBytes: Int64 = 1024 * 1024 * 1024

    func run(now: Date = Date()) async -> DoctorReport {
        var checks: [DoctorCheck] = []
        checks.append(configurationCheck())
        checks.append(siteCheck(now: now))
        checks += profileProblems.map {
            DoctorCheck(
                area: "configuration", name: "device profile", result: .warn, detail: $0.description,
                hint: "fix the profile file; it was skipped")
        }
        checks += await databaseChecks()
        checks += catalogChecks(now: now)
        checks.append(diskCheck())
        checks.append(await clockCheck(now: now))
        checks += await syncChecks(now: now)
        checks += await privacyChecks(now: now)
        if let check = siteProfileCheck() { checks.append(check) }
        checks += await deviceChecks()
        checks += await printerPolicyChecks()
        if let spool = spoolCheck() { checks.append(spool) }
        return DoctorReport(checks: checks)
    }

    private func configurationCheck() -> DoctorCheck {
        let source = configurationPath ?? "embedded defaults"
        if configuration.simulateAll || configuration.demoMode {
            return DoctorCheck(
                area: "configuration", name: "configuration", result: .warn,
                detail: configuration.simulateAll
                    ? "\(source): every device is simulated (demo mode)"
                    : "\(source): demo mode (kioskd demo): sample cards may be placed from the demo panel",
                hint: "run kioskd without --simulate or demo on a production kiosk")
        }
        if configuration.kiosk.id == "unenrolled" {
            return DoctorCheck(
                area: "configuration", name: "configuration", result: .warn, detail: "\(source): this kiosk is not enrolled",
                hint: "enrol the kiosk (kiosk.id in the configuration)")
        }
        return DoctorCheck(area: "configuration", name: "configuration", result: .ok, detail: "\(source) is valid")
    }

    private func databaseChecks() async -> [DoctorCheck] {
        switch await store.condition {
        case let .quarantined(record):
            return [
                DoctorCheck(
                    area: "database", name: "database", result: .fail,
                    detail: "damaged database moved to \(record.movedTo) (\(record.reason)); new cases are refused",
                    hint: "run 'kioskctl store recover' to keep every readable case, or 'kioskctl store reset' to start empty")
            ]
        case .open:
            do {
                try await store.quickCheck()
                let summary = await store.summary()
                return [
                    DoctorCheck(
                        area: "database", name: "database", result: .ok,
                        detail: "\(summary.path): integrity ok, \(summary.cases) cases, \(summary.migrations.count) migrations")
                ]
            } catch {
                return [
                    DoctorCheck(
                        area: "database", name: "database", result: .fail, detail: error.message,
                        hint: "restart kioskd: a damaged database is quarantined at start")
                ]
            }
        }
    }

    private func catalogChecks(now: Date) -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        let folder = configuration.paths.catalogDir
        if !catalog.problems.isEmpty {
            let first = catalog.problems.prefix(3).joined(separator: "; ")
            checks.append(
                DoctorCheck(
                    area: "catalog", name: "bundles", result: .fail,
                    detail: "\(catalog.problems.count) problems, no bundle is offered: \(first)",
                    hint: "run 'kioskctl catalog lint \(folder)' and correct the files"))
        } else if catalog.bundles == 0 {
            checks.append(
                DoctorCheck(
                    area: "catalog", name: "bundles", result: .fail, detail: "no bundle found in \(folder)",
                    hint: "install the catalog (Provisioning/catalog) into \(folder)"))
        } else {
            checks.append(DoctorCheck(area: "catalog", name: "bundles", result: .ok, detail: "\(catalog.bundles) bundles from \(folder)"))
        }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .current
        let year = utc.component(.year, from: now)
        if !catalog.calendarProblems.isEmpty {
            checks.append(
                DoctorCheck(
                    area: "catalog", name: "calendar", result: .fail, detail: catalog.calendarProblems.prefix(3).joined(separator: "; "),
                    hint: "correct the calendar files in \(configuration.paths.calendarDir)"))
        } else if !catalog.calendarYears.contains(year) {
            checks.append(
                DoctorCheck(
                    area: "catalog", name: "calendar", result: .warn,
                    detail: "no official holiday arrangement for \(year): deadlines are provisional (weekend rule only)",
                    hint: "install the State Council's \(year) arrangement into \(configuration.paths.calendarDir)"))
        } else if !catalog.calendarYears.contains(year + 1), utc.component(.month, from: now) == 12 {
            checks.append(
                DoctorCheck(
                    area: "catalog", name: "calendar", result: .warn, detail: "next year's holiday arrangement is not installed",
                    hint: "install the \(year + 1) arrangement once published"))
        } else {
            let years = catalog.calendarYears.map(String.init).joined(separator: ", ")
            checks.append(DoctorCheck(area: "catalog", name: "calendar", result: .ok, detail: "official data for \(years)"))
        }
        return checks
    }

    private func diskCheck() -> DoctorCheck {
        var stats = statvfs()
        guard statvfs(configuration.paths.stateDir, &stats) == 0 else {
            return DoctorCheck(
                area: "disk", name: "free space", result: .fail, detail: "cannot examine \(configuration.paths.stateDir)",
                hint: "check that the state folder exists")
        }
        let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        let text = ByteCountFormatter.string(fromByteCount: free, countStyle: .binary)
        if free < Self.failBelowBytes {
            return DoctorCheck(
                area: "disk", name: "free space", result: .fail, detail: "\(text) free under \(configuration.paths.stateDir)",
                hint: "free disk space: cases cannot be saved safely")
        }
        if free < Self.warnBelowBytes {
            return DoctorCheck(
                area: "disk", name: "free space", result: .warn, detail: "\(text) free under \(configuration.paths.stateDir)",
                hint: "free disk space soon")
        }
        return DoctorCheck(area: "disk", name: "free space", result: .ok, detail: "\(text) free")
    }

    private func clockCheck(now: Date) async -> DoctorCheck {
        // Nothing this software stores can predate its own writing.
        let earliest = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        if now < earliest {
            return DoctorCheck(
                area: "clock", name: "clock", result: .fail, detail: "the system clock says \(ISO8601DateFormatter().string(from: now))",
                hint: "set the time (timedatectl) and check the RTC battery: deadlines and receipts use it")
        }
        if let last = await store.lastWallClock(), now.addingTimeInterval(300) < last {
            return DoctorCheck(
                area: "clock", name: "clock", result: .fail,
                detail:
                    "the clock went back: it says \(ISO8601DateFormatter().string(from: now)) but this kiosk has seen \(ISO8601DateFormatter().string(from: last))",
                hint: "set the time (timedatectl) and check the RTC battery")
        }
        return DoctorCheck(area: "clock", name: "clock", result: .ok, detail: ISO8601DateFormatter().string(from: now))
    }

    private func deviceChecks() async -> [DoctorCheck] {
        await registry.all().map { device in
            let name = "\(device.id) (\(device.kind))"
            let simulated = device.simulated ? ", simulated" : ""
            switch device.state {
            case .online where device.simulated && !configuration.demoMode, .busy where device.simulated && !configuration.demoMode:
                // A simulator on a kiosk serving citizens: its cases are marked, but it is
                // never what a site means to run.
                return DoctorCheck(
                    area: "device", name: name, result: .warn,
                    detail: "\(device.state.rawValue), SIMULATED on a kiosk run for citizens"
                        + (device.kind == .idCardReader ? ": every case is marked as taken with a simulated identity" : ""),
                    hint: "set simulate: false and connect the real device (kioskd demo is for demonstrations)")
            case .online, .busy:
                return DoctorCheck(area: "device", name: name, result: .ok, detail: "\(device.state.rawValue)\(simulated)")
            case .starting:
                return DoctorCheck(
                    area: "device", name: name, result: .warn, detail: "still starting\(simulated)",
                    hint: "wait a few seconds and run doctor again")
            case .offline, .noDevice, .hardwareError, .userError:
                let fault = device.fault.map { ": \($0.message)" } ?? ""
                return DoctorCheck(
                    area: "device", name: name, result: .fail, detail: "\(device.state.rawValue)\(fault)\(simulated)",
                    hint: Self.hint(for: device.fault?.action))
            }
        }
    }

    static func hint(for action: RecommendedAction?) -> String {
        switch action {
        case .reset: "reset the device (unplug and plug it back, or power-cycle it)"
        case .clear: "someone must act on the device: refill paper, close the cover, remove a stuck card"
        case .maintenance: "the device needs repair or replacement"
        case .suspend: "it should recover by itself; check cables and power if it does not"
        case .configuration: "correct the device's configuration or profile"
        case nil: "check the device's cable and power"
        }
    }
}
