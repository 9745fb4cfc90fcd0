import Foundation
import KioskAPI
import KioskConfig
import KioskStore

extension Doctor {
    /// What the kiosk holds of its citizens: the key it seals to, and how much sealed personal
    /// data is still on disk and since when (erased after acknowledgement plus the retention).
    func privacyChecks(now: Date) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        if let sealing = await sealing() {
            let trusted = sealing.origin == "enrolment" || sealing.origin == "signed bundle"
            checks.append(
                DoctorCheck(
                    area: "privacy", name: "sealing key", result: trusted ? .ok : .warn,
                    detail: "cases are sealed to key \(sealing.id) (\(sealing.origin)); this kiosk cannot open them",
                    hint: trusted ? nil : "enrol this kiosk (kioskctl enroll): then only the platform's keys count"))
        } else {
            checks.append(
                DoctorCheck(
                    area: "privacy", name: "sealing key", result: .fail,
                    detail: "no key from the platform to seal applications to: no application is taken",
                    hint: "enrol this kiosk: kioskctl enroll --platform https://HOST:PORT/ --token TOKEN, then restart kioskd"))
        }
        guard let held = try? await store.personalDataHeld() else { return checks }
        let retention = configuration.sync.retentionHours
        guard let oldest = held.oldestAt, held.cases > 0 else {
            checks.append(
                DoctorCheck(
                    area: "privacy", name: "personal data", result: .ok,
                    detail: "none held (each case's sealed part is erased \(Self.hours(retention)) after the platform acknowledges it)"))
            return checks
        }
        let age = now.timeIntervalSince(oldest)
        let detail =
            "\(held.cases) case(s) hold sealed personal data (\(held.bytes / 1024) KB), the oldest submitted \(Self.hours(age / 3600)) ago; each is erased \(Self.hours(retention)) after the platform acknowledges it"
        // Past the offline limit plus the retention, something keeps cases from the platform.
        let stuck = age > (configuration.sync.maxHoursSinceSync + retention) * 3600
        checks.append(
            DoctorCheck(
                area: "privacy", name: "personal data", result: stuck ? .warn : .ok, detail: detail,
                hint: stuck ? "cases are not reaching the platform: kioskctl sync status" : nil))
        return checks
    }

    static func hours(_ hours: Double) -> String {
        hours < 1 ? "\(Int(hours * 60)) min" : hours < 48 ? "\(Int(hours)) h" : "\(Int(hours / 24)) days"
    }
}
