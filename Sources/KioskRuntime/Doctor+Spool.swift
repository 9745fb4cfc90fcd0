import Foundation
import KioskAPI
import KioskConfig

extension Doctor {
    /// The system's cupsd keeps each printed document in its spool for a day unless told not to
    /// (`PreserveJobFiles`, default 86400 s since CUPS 2.3): a certificate or a result printed
    /// for a citizen would stay on the kiosk's disk long after the paper was taken.
    func spoolCheck() -> DoctorCheck? {
        let usesCUPS = configuration.devices.contains { !configuration.isSimulated($0) && $0.queue != nil }
        // A private cupsd (the tests', the demo's) keeps its own configuration elsewhere.
        let server = ProcessInfo.processInfo.environment["CUPS_SERVER"] ?? ""
        guard usesCUPS, server.isEmpty || server.hasPrefix("/") || server.hasPrefix("localhost:631") else { return nil }
        let text = try? String(contentsOfFile: "/etc/cups/cupsd.conf", encoding: .utf8)
        return Self.spoolCheck(cupsdConf: text)
    }

    /// The verdict on a cupsd.conf's `PreserveJobFiles` (nil text: the file cannot be read).
    static func spoolCheck(cupsdConf text: String?) -> DoctorCheck {
        let name = "print spool"
        guard let text else {
            return DoctorCheck(
                area: "privacy", name: name, result: .warn,
                detail: "/etc/cups/cupsd.conf cannot be read: whether CUPS keeps printed documents is unknown",
                hint: "check that it says PreserveJobFiles No")
        }
        var value: String?
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0].lowercased() == "preservejobfiles" else { continue }
            value = words[1].lowercased()
        }
        if value == "no" || value == "off" || value == "false" || value == "0" {
            return DoctorCheck(
                area: "privacy", name: name, result: .ok, detail: "CUPS erases each document once its job ends (PreserveJobFiles No)")
        }
        return DoctorCheck(
            area: "privacy", name: name, result: .warn,
            detail:
                "CUPS keeps printed documents in its spool (PreserveJobFiles \(value ?? "not set: 1 day")): certificates and results printed for citizens stay on disk",
            hint: "cupsctl PreserveJobFiles=No (Provisioning/install.sh sets it)")
    }
}
