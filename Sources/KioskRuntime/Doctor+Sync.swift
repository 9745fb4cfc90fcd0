import Foundation
import KioskAPI
import KioskConfig
import KioskSession
import KioskStore
import KioskTrust

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
                    hint: "enrol this kiosk: kioskctl enroll --platform https://HOST:PORT/ --token TOKEN")
            ]
        }
        var checks: [DoctorCheck] = [identityCheck(now: now)] + bundleChecks(now: now)
        guard let figures = try? await store.syncFigures() else {
            return [DoctorCheck(area: "sync", name: "platform", result: .fail, detail: "the store cannot be read for sync figures")]
        }
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

    /// The kiosk's identity with the platform: enrolled, and its certificate's dates.
    func identityCheck(now: Date) -> DoctorCheck {
        if let file = configuration.sync.credentialFile {
            return DoctorCheck(
                area: "sync", name: "identity", result: .warn,
                detail: "a bearer credential (\(file)): only a plain-http test platform on loopback takes it",
                hint: "enrol this kiosk for mutual TLS: kioskctl enroll --platform https://HOST:PORT/ --token TOKEN")
        }
        let identity = IdentityFolder(stateDirectory: configuration.paths.stateDir)
        let enrolled: IdentityFolder.Enrolled?
        do { enrolled = try identity.enrolled() } catch {
            return DoctorCheck(area: "sync", name: "identity", result: .fail, detail: error.message)
        }
        guard let enrolled else {
            return DoctorCheck(
                area: "sync", name: "identity", result: .fail, detail: "not enrolled: cases stay on this kiosk",
                hint: "on the platform: kiosk-platform token create --site SITE; here: kioskctl enroll --platform URL --token TOKEN")
        }
        let who = "\(enrolled.answer.kioskName) at \(enrolled.answer.site.isEmpty ? "-" : enrolled.answer.site)"
        if enrolled.notAfter <= now {
            return DoctorCheck(
                area: "sync", name: "identity", result: .fail, detail: "\(who): the certificate expired at \(enrolled.notAfter)",
                hint:
                    "on the platform: kiosk-platform token create --site SITE --kiosk \(enrolled.answer.kioskName); here: kioskctl enroll --platform \(enrolled.platform.absoluteString) --token TOKEN (the key is kept)"
            )
        }
        let days = Int(enrolled.notAfter.timeIntervalSince(now) / 86_400)
        if now > enrolled.renewalDue.addingTimeInterval(enrolled.notAfter.timeIntervalSince(enrolled.renewalDue) / 2) {
            // Three quarters of the lifetime gone and not renewed: renewal keeps failing.
            return DoctorCheck(
                area: "sync", name: "identity", result: .warn, detail: "\(who): the certificate ends in \(days) day(s) and has not renewed",
                hint: "check the network to \(enrolled.platform.absoluteString) (kioskctl sync status); kioskd renews it by itself")
        }
        return DoctorCheck(
            area: "sync", name: "identity", result: .ok, detail: "\(who), certificate for \(days) more day(s), renewed by kioskd")
    }

    /// The signed catalogue and calendar: in use and until when, or why the platform's last
    /// one was refused (the kiosk keeps what it has).
    func bundleChecks(now: Date) -> [DoctorCheck] {
        guard configuration.sync.credentialFile == nil else { return [] }
        let state = BundleShelf(stateDirectory: configuration.paths.stateDir).state()
        return [BundleContent.Kind.catalog, .calendar].compactMap { kind -> DoctorCheck? in
            let name = kind == .catalog ? "signed catalogue" : "signed calendar"
            if let refused = state.refused[kind.rawValue] {
                return DoctorCheck(
                    area: "sync", name: name, result: .warn,
                    detail:
                        "version \(refused.version) refused (\(refused.code)): \(refused.reason); version \(state.versions[kind.rawValue].map(String.init) ?? "from the installation") stays in use",
                    hint: "tell the platform's operators: a bundle this kiosk cannot trust was announced")
            }
            guard let version = state.versions[kind.rawValue], let expires = state.expires[kind.rawValue] else { return nil }
            if expires <= now {
                return DoctorCheck(
                    area: "sync", name: name, result: .warn, detail: "version \(version) expired at \(expires)",
                    hint: "the platform must publish a new one; past the offline policy's catalogue limit no applications are taken")
            }
            return DoctorCheck(area: "sync", name: name, result: .ok, detail: "version \(version), verified, until \(expires)")
        }
    }
}
