import ArgumentParser
import Foundation
import KioskAPI
import KioskCore
import KioskDevices

extension KioskCtl {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the kiosk's devices, store, sync queue and health.")

        @OptionGroup var admin: AdminOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingFailures {
                let status: KioskStatus = try await admin.client().get("/admin/v1/status")
                if output.json {
                    try output.printJSON(status)
                    return
                }
                print(Self.render(status))
            }
        }

        static func render(_ status: KioskStatus) -> String {
            var lines: [String] = []
            let site = status.simulated ? " · SIMULATED DEVICES" : ""
            lines.append(
                "kiosk \(status.kioskID) · kioskd \(status.version) · up \(Duration.seconds(status.uptimeSeconds).humanReadable)\(site)")
            lines.append("accepting cases: \(status.acceptingCases ? "yes" : "NO — run 'kioskctl doctor'")")
            if let site = status.site {
                var line = "site: \(site.name ?? "(no name)")" + (site.location.map { ", \($0)" } ?? "")
                if let hours = site.openingHours {
                    line += " · hall \(site.openNow ? "open" : "CLOSED") now (\(hours.joined(separator: "; ")))"
                }
                lines.append(line)
            }
            if let maintenance = status.maintenance { lines.append("maintenance: \(maintenance.summary)") }
            let store = status.store
            lines.append("store: \(store.condition), \(store.cases) cases, \(store.path)")
            var queue = "sync queue: \(status.syncQueue.depth) waiting"
            if let oldest = status.syncQueue.oldestUnsentAt {
                queue += ", oldest since \(ISO8601DateFormatter().string(from: oldest))"
            }
            lines.append(queue)
            let failing = status.health.degradations.joined(separator: "; ")
            lines.append(
                status.health.ready
                    ? "health: ok, ready for citizens"
                    : status.health.healthy ? "health: alive, NOT READY for citizens: \(failing)" : "health: FAILING: \(failing)")
            lines.append("devices:")
            let idWidth = max(6, status.devices.map(\.id.rawValue.count).max() ?? 0)
            for device in status.devices {
                var line = "  " + device.id.rawValue.padding(toLength: idWidth + 2, withPad: " ", startingAt: 0)
                line += device.kind.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)
                line += device.state.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
                line += device.identity.model ?? "unknown model"
                if let fault = device.fault { line += " — \(fault.message) (action: \(fault.action.rawValue))" }
                lines.append(line)
            }
            if status.devices.isEmpty { lines.append("  (none configured)") }
            return lines.joined(separator: "\n")
        }
    }
}

extension Duration {
    /// `3d 4h`, `2h 5m`, `4m 12s`: what a technician reads at a glance.
    var humanReadable: String {
        let total = Int(components.seconds)
        let (days, hours, minutes, seconds) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60, total % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m \(seconds)s"
    }
}
