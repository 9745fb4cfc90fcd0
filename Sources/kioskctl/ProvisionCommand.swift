import ArgumentParser
import Foundation
import KioskConfig
import KioskCore

/// `kioskctl provision`: puts a site profile in place and shows the one applied.
///
/// The profile is kiosk.yaml's site part (name, division code, location, opening hours, idle
/// timeouts, devices and printers, platform) in `site.yaml` beside kiosk.yaml; kioskd reads it
/// over kiosk.yaml. A technician carries one file per site and never edits kiosk.yaml by hand.
struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply a site profile (site.yaml beside kiosk.yaml) and show the one applied.",
        subcommands: [Apply.self, Show.self])
}

/// Which kiosk.yaml a command works on; the site profile is `site.yaml` beside it.
struct ConfigurationFileOption: ParsableArguments {
    @Option(name: .long, help: "The kiosk's configuration; the site profile is site.yaml beside it.")
    var config = ProcessInfo.processInfo.environment["KIOSK_CONFIG"] ?? KioskConfiguration.defaultPath

    var siteProfile: String { ConfigurationLoader.siteProfilePath(beside: config) }
}

/// What `provision show` (and `provision apply --json`) prints: the site's settings in force.
struct SiteReport: Encodable {
    struct Device: Encodable {
        var id: String
        var kind: String
        var profile: String?
        var path: String?
        var queue: String?
        var simulate: Bool
    }
    var configuration: String
    /// The applied profile; `nil`: none, kiosk.yaml alone.
    var siteProfile: String?
    var appliedAt: Date?
    var kioskID: String
    var name: String?
    var divisionCode: Int
    var number: Int
    var location: String?
    var timeZone: String
    /// Day → periods (`08:30-12:00`); `nil`: no hours stated, open around the clock.
    var openingHours: [String: [String]]?
    var openNow: Bool
    var idleTimeoutSeconds: Double
    var countdownSeconds: Double
    var printWaitSeconds: Double
    var receiptPrinter: String?
    var devices: [Device]
    var platform: String?

    init(_ configuration: KioskConfiguration, path: String, now: Date = Date()) {
        self.configuration = path
        siteProfile = configuration.siteProfilePath
        appliedAt = configuration.siteProfilePath.flatMap {
            try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date
        }
        kioskID = configuration.kiosk.id
        name = configuration.kiosk.site
        divisionCode = configuration.kiosk.divisionCode
        number = configuration.kiosk.number
        location = configuration.kiosk.location
        timeZone = configuration.kiosk.timeZone
        openingHours = configuration.openingHours.map { hours in
            Dictionary(uniqueKeysWithValues: OpeningHours.Weekday.allCases.map { ($0.rawValue, (hours.days[$0] ?? []).map(\.description)) })
        }
        openNow = (configuration.openingHours ?? .always).isOpen(
            at: now, in: TimeZone(identifier: configuration.kiosk.timeZone) ?? .current)
        idleTimeoutSeconds = configuration.session.idleTimeoutSeconds
        countdownSeconds = configuration.session.countdownSeconds
        printWaitSeconds = configuration.session.printWaitSeconds
        receiptPrinter = configuration.session.receiptPrinter?.rawValue
        devices = configuration.devices.map {
            Device(id: $0.id.rawValue, kind: $0.kind.rawValue, profile: $0.profile, path: $0.path, queue: $0.queue, simulate: $0.simulate)
        }
        platform = configuration.sync.platform
    }

    /// The report as a technician reads it.
    var text: String {
        var lines: [String] = []
        if let siteProfile {
            let when = appliedAt.map { " (applied \(ISO8601DateFormatter().string(from: $0)))" } ?? ""
            lines.append("site profile: \(siteProfile)\(when), over \(configuration)")
        } else {
            lines.append("site profile: none applied; \(configuration) alone")
        }
        lines.append("kiosk:       \(kioskID) · \(name ?? "(no name)")")
        lines.append("division:    \(divisionCode) · kiosk number \(number) · \(timeZone)")
        lines.append("location:    \(location ?? "(not stated)")")
        if let openingHours {
            lines.append("hours:       \(openNow ? "open now" : "CLOSED now")")
            for day in OpeningHours.Weekday.allCases {
                let periods = openingHours[day.rawValue] ?? []
                lines.append(
                    "  \(day.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))\(periods.isEmpty ? "closed" : periods.joined(separator: ", "))"
                )
            }
        } else {
            lines.append("hours:       not stated (open around the clock)")
        }
        lines.append(
            "session:     idle \(Int(idleTimeoutSeconds)) s, countdown \(Int(countdownSeconds)) s, receipt wait \(Int(printWaitSeconds)) s"
        )
        lines.append("receipts on: \(receiptPrinter ?? "the first receipt printer, else the first A4 printer")")
        lines.append("platform:    \(platform ?? "(the one enrolled with, or none: offline only)")")
        lines.append("devices:")
        for device in devices {
            var line =
                "  \(device.id.padding(toLength: 10, withPad: " ", startingAt: 0)) \(device.kind.padding(toLength: 16, withPad: " ", startingAt: 0))"
            if let profile = device.profile { line += " profile \(profile)" }
            if let queue = device.queue { line += " CUPS queue \(queue)" }
            if let path = device.path { line += " \(path)" }
            if device.simulate { line += " (simulated)" }
            lines.append(line)
        }
        if devices.isEmpty { lines.append("  (none)") }
        return lines.joined(separator: "\n")
    }
}
