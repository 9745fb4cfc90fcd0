import ArgumentParser
import Foundation
import KioskAPI
import NIOCore

/// `kioskctl sync`: where the kiosk's sync with the platform stands, and a drain on demand.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Inspect and drive the sync with the platform.", subcommands: [Status.self, Now.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue depth, oldest unsent case, last success, last error, cursor and clock skew.")
        @OptionGroup var admin: AdminOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingFailures {
                let status: SyncStatus = try await admin.client().get("/admin/v1/sync")
                if output.json { return try output.printJSON(status) }
                print(SyncCommand.render(status, now: Date()))
            }
        }
    }

    struct Now: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send everything waiting now, showing the queue as it drains.")
        @OptionGroup var admin: AdminOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingFailures {
                let client = try admin.client()
                let start: SyncStatus = try await client.get("/admin/v1/sync")
                let total = max(start.queueDepth, 1)
                let interactive = !output.json && isatty(STDOUT_FILENO) == 1
                // The pass runs in kioskd; the bar follows the queue while it drains.
                let watcher = Task {
                    while interactive, !Task.isCancelled {
                        if let status: SyncStatus = try? await client.get("/admin/v1/sync") {
                            SyncCommand.bar(done: total - min(total, status.queueDepth), total: total)
                        }
                        try? await Task.sleep(for: .milliseconds(300))
                    }
                }
                let end: SyncStatus = try await client.post("/admin/v1/sync/now", timeout: .seconds(3600))
                watcher.cancel()
                if interactive { SyncCommand.bar(done: total - min(total, end.queueDepth), total: total); print("") }
                if output.json { return try output.printJSON(end) }
                print(SyncCommand.render(end, now: Date()))
                if end.lastError != nil { throw ExitCode(1) }
            }
        }
    }

    static func bar(done: Int, total: Int) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let line = "\r[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] \(done)/\(total) sent"
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    static func render(_ status: SyncStatus, now: Date) -> String {
        func ago(_ date: Date?) -> String {
            guard let date else { return "never" }
            return "\(Duration.seconds(max(0, now.timeIntervalSince(date))).humanReadable) ago"
        }
        var lines = ["platform: \(status.platform)"]
        var queue = "queue: \(status.queueDepth) case(s) waiting"
        if let oldest = status.oldestUnsentAt { queue += ", the oldest since \(ago(oldest))" }
        if status.unsentAttachments > 0 { queue += ", \(status.unsentAttachments) attachment(s)" }
        if status.unsentRatings > 0 { queue += ", \(status.unsentRatings) rating(s)" }
        if status.unsentDeliveries > 0 { queue += ", \(status.unsentDeliveries) result delivery(ies)" }
        lines.append(queue)
        lines.append("last success: \(ago(status.lastSuccessAt))")
        lines.append("last error: \(status.lastError ?? "none")")
        lines.append("cursor: \(status.cursor)")
        if let skew = status.skewSeconds {
            let warning = abs(skew) > 60 ? " — WARNING: set the kiosk's clock (timedatectl)" : ""
            lines.append(String(format: "clock skew: %+.1f s (kiosk minus platform)", skew) + warning)
        } else {
            lines.append("clock skew: unknown (no exchange yet)")
        }
        for (kind, version) in status.staged.sorted(by: { $0.key < $1.key }) {
            lines.append("staged \(kind): \(version) (waiting for its signature check)")
        }
        if let pass = status.lastPass {
            lines.append(
                "last pass: \(pass.casesStored) stored, \(pass.casesRefused) refused, \(pass.attachmentsVerified) attachment(s), "
                    + "\(pass.ratingsStored) rating(s), \(pass.changesApplied) change(s)")
        }
        return lines.joined(separator: "\n")
    }
}
