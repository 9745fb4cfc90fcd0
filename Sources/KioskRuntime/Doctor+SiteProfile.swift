import Foundation
import KioskAPI
import KioskConfig
import KioskFiles

extension Doctor {
    /// The platform's signed site profile: in use, waiting for a restart, or refused here.
    func siteProfileCheck() -> DoctorCheck? {
        guard let signed = KioskDaemon.signedSiteProfile(stateDirectory: configuration.paths.stateDir) else { return nil }
        if signed.version == signedSiteVersion {
            return DoctorCheck(
                area: "config", name: "site profile", result: .ok,
                detail: "the platform's signed site profile version \(signed.version) is in use")
        }
        if let path = configurationPath {
            do {
                _ = try ConfigurationLoader.load(path: path, siteProfile: try YAMLFile.load(path: signed.file))
            } catch {
                return DoctorCheck(
                    area: "config", name: "site profile", result: .warn,
                    detail: "the platform's signed site profile version \(signed.version) does not load here: \(error)",
                    hint: "correct the profile on the platform and publish it again (kiosk-platform site publish)")
            }
        }
        return DoctorCheck(
            area: "config", name: "site profile", result: .warn,
            detail: "the platform's signed site profile version \(signed.version) is installed but not in use yet",
            hint: "restart kioskd when no citizen is at the kiosk: systemctl restart kioskd")
    }
}
