import ArgumentParser
import Foundation
import KioskAudit

/// `kioskctl audit verify|show`: the kiosk's hash-chained audit trail, read from its file (so
/// it works with kioskd stopped, and after a factory reset, which keeps it).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check and list the kiosk's audit trail (security events; nothing personal).",
        subcommands: [Verify.self, Show.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain: name every altered, removed or reordered entry (exit 1 if any).")
        @OptionGroup var state: StateFolderOptions

        func run() async throws {
            try await reportingFailures {
                let trail = AuditTrail(stateDirectory: try state.stateFolder())
                let entries: [AuditEntry]
                do { entries = try trail.entries() } catch { throw CLIFailure("\(error)", exitCode: 1) }
                let findings = AuditTrail.verify(entries)
                guard findings.isEmpty else {
                    for finding in findings { print("FAIL \(finding)") }
                    throw CLIFailure(
                        "the audit trail \(trail.file.path) was tampered with (\(findings.count) finding(s)); the platform holds the entries it received: compare with it",
                        exitCode: 1)
                }
                print(
                    "OK: \(entries.count) entries, chain intact\(entries.last.map { " (last: seq \($0.seq), \(AuditCommand.time($0.at)))" } ?? "")"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the entries, oldest first.")
        @OptionGroup var state: StateFolderOptions
        @Option(help: "Only entries from this day on (YYYY-MM-DD) or this many hours back (e.g. 24h).") var since: String?
        @Flag var json = false

        func run() async throws {
            try await reportingFailures {
                let trail = AuditTrail(stateDirectory: try state.stateFolder())
                var entries: [AuditEntry]
                do { entries = try trail.entries() } catch { throw CLIFailure("\(error)", exitCode: 1) }
                if let since {
                    let from = try AuditCommand.start(since)
                    entries = entries.filter { $0.at >= from }
                }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                    encoder.dateEncodingStrategy = .iso8601
                    print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                    return
                }
                if entries.isEmpty { print("no entries\(since.map { " since \($0)" } ?? "") in \(trail.file.path)") }
                for entry in entries {
                    print("\(entry.seq)\t\(AuditCommand.time(entry.at))\t\(entry.kind)\t\(entry.actor)\t\(entry.detail)")
                }
            }
        }
    }

    static func start(_ since: String) throws -> Date {
        if since.hasSuffix("h"), let hours = Double(since.dropLast()) { return Date().addingTimeInterval(-hours * 3600) }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        guard let day = formatter.date(from: since) else {
            throw CLIFailure("--since is a day (2026-11-30) or hours back (24h), not '\(since)'", exitCode: 2)
        }
        return day
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        return formatter.string(from: date)
    }
}
