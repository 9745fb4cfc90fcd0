import Foundation
import KioskAPI
import KioskConfig
import KioskSession
import KioskStore

extension Doctor {
    /// Clock skew beyond which deadlines and certificates go wrong.
    static let skewWarnSeconds: Double = 60

    /// The sync with the platform: the offline policy (WARN as a limit approaches, FAIL past it),
    /// the last error in words, and the clock against the platform's.
    func syncChecks(now: Date) async -> [DoctorCheck] {
        guard let platform = configuration.sync.platform else {
            return [
                DoctorCheck(
                    area: "sync", name: "platform", result: .warn, detail: "no platform configured: cases stay on this kiosk",
                    hint: "set sync.platform and sync.credential_file in kiosk.yaml")
            ]
        }
        guard let figures = try? await store.syncFigures() else {
            return [DoctorCheck(area: "sync", name: "platform", result: .fail, detail: "the store cannot be read for sync figures")]
        }
        var checks: [DoctorCheck] = []
        switch OfflinePolicy(configuration.sync).verdict(
            lastSuccessAt: figures.lastSuccessAt, oldestUnsentAt: figures.oldestUnsentAt, unsentCases: figures.queueDepth,
            catalogSupersededAt: figures.catalogSupersededAt, now: now)
        {
        case .ok:
            checks.append(
                DoctorCheck(
                    area: "sync", name: "offline policy", result: .ok,
                    detail: "\(figures.queueDepth) case(s) waiting; \(platform)"))
        case let .approaching(reason):
            checks.append(
                DoctorCheck(
                    area: "sync", name: "offline policy", result: .warn, detail: reason,
                    hint: "check the network to \(platform) (kioskctl sync status); past the limit no new applications are taken"))
        case let .passed(reason, limit):
            checks.append(
                DoctorCheck(
                    area: "sync", name: "offline policy", result: .fail, detail: "\(reason): new applications are closed",
                    hint: limit == .catalogAge
                        ? "install the platform's new catalogue (kioskctl sync status shows the staged version)"
                        : "restore the network to \(platform), then run kioskctl sync now"))
        }
        if let error = figures.lastError {
            checks.append(
                DoctorCheck(
                    area: "sync", name: "last attempt", result: .warn, detail: error, hint: "kioskctl sync status; kioskctl sync now"))
        }
        if let skew = figures.skewSeconds, abs(skew) > Self.skewWarnSeconds {
            checks.append(
                DoctorCheck(
                    area: "sync", name: "clock skew", result: .warn,
                    detail: String(format: "the kiosk's clock is %+.0f s off the platform's", skew),
                    hint: "enable time synchronisation (timedatectl set-ntp true) and check the RTC battery"))
        }
        return checks
    }
}
