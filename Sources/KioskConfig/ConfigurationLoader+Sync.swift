import Foundation
import KioskFiles

extension ConfigurationLoader {
    /// The `sync:` section: where the platform is and how to reach it. Plain http is taken
    /// only on loopback (the demo's embedded platform); anything else must be https.
    static func apply(_ file: File.Sync, to sync: inout KioskConfiguration.Sync, at: ([String]) -> SourceLocation) -> [FileProblem] {
        var problems: [FileProblem] = []
        if let platform = file.platform {
            let url = URL(string: platform)
            let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url?.host ?? "")
            if url?.host == nil || !(url?.scheme == "https" || (url?.scheme == "http" && loopback)) {
                problems.append(
                    FileProblem(
                        at(["platform"]),
                        "sync.platform must be an https:// address (http:// only on this machine's loopback), not '\(platform)'"))
            }
            sync.platform = platform
        }
        if let credential = file.credential_file {
            if !credential.hasPrefix("/") {
                problems.append(FileProblem(at(["credential_file"]), "sync.credential_file must be an absolute path, not '\(credential)'"))
            }
            sync.credentialFile = credential
        }
        if let credential = sync.credentialFile, let platform = sync.platform, URL(string: platform)?.scheme != "http" {
            // A bearer credential is for a plain-HTTP test platform on loopback; a real one
            // knows kiosks by their certificate (kioskctl enroll).
            problems.append(
                FileProblem(
                    at(["credential_file"]),
                    "sync.credential_file (\(credential)) is only for a plain-http platform on loopback; enrol this kiosk with 'kioskctl enroll' instead"
                ))
        }
        if let sealing = file.sealing_key_file {
            if !sealing.hasPrefix("/") {
                problems.append(FileProblem(at(["sealing_key_file"]), "sync.sealing_key_file must be an absolute path, not '\(sealing)'"))
            }
            sync.sealingKeyFile = sealing
        }
        func check<T: Comparable>(_ key: String, _ value: T?, _ range: ClosedRange<T>, _ unit: String) -> T? {
            guard let value else { return nil }
            if !range.contains(value) {
                problems.append(FileProblem(at([key]), "sync.\(key) must be between \(range.lowerBound) and \(range.upperBound) \(unit)"))
            }
            return value
        }
        if let value = check("interval_seconds", file.interval_seconds, 1...3600, "seconds") { sync.intervalSeconds = value }
        if let value = check("heartbeat_seconds", file.heartbeat_seconds, 5...3600, "seconds") { sync.heartbeatSeconds = value }
        if let value = check("batch_size", file.batch_size, 1...100, "cases") { sync.batchSize = value }
        if let value = check("request_timeout_seconds", file.request_timeout_seconds, 1...300, "seconds") {
            sync.requestTimeoutSeconds = value
        }
        if let value = check("retention_hours", file.retention_hours, 0...720, "hours") { sync.retentionHours = value }
        if let offline = file.offline {
            if let value = check("offline.max_hours_since_sync", offline.max_hours_since_sync, 1...2160, "hours") {
                sync.maxHoursSinceSync = value
            }
            if let value = check("offline.max_unsent_cases", offline.max_unsent_cases, 1...1_000_000, "cases") {
                sync.maxUnsentCases = value
            }
            if let value = check("offline.max_catalog_days_behind", offline.max_catalog_days_behind, 1...365, "days") {
                sync.maxCatalogDaysBehind = value
            }
        }
        return problems
    }
}
