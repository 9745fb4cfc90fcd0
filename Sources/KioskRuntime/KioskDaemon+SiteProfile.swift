import Foundation
import KioskAudit
import KioskConfig
import KioskFiles
import KioskTrust
import Logging

/// Site profiles the platform signs (`kiosk-platform site publish`): a `configuration` bundle
/// holds `sites/<kiosk id>.yaml` for the kiosks it names. Verified like every bundle (signature,
/// version, expiry) and installed by the relay; read over kiosk.yaml at kioskd's next start, in
/// place of a site.yaml applied by hand (the platform's signed word wins).
extension KioskDaemon {
    /// The installed signed site profile for this kiosk, and its bundle version.
    static func signedSiteProfile(stateDirectory: String) -> (file: String, version: Int)? {
        let shelf = BundleShelf(stateDirectory: stateDirectory)
        guard let folder = shelf.current(.configuration), let version = shelf.state().versions["configuration"],
            let kioskID = try? IdentityFolder(stateDirectory: stateDirectory).enrolled()?.answer.kioskID
        else { return nil }
        let file = folder.appendingPathComponent("sites/\(kioskID).yaml").path
        return FileManager.default.fileExists(atPath: file) ? (file, version) : nil
    }

    /// `configuration` with the signed site profile read over kiosk.yaml, when one is installed
    /// and loads; otherwise `configuration` as it is (a profile that does not load is logged
    /// and shown by the doctor, never half applied).
    static func applyingSignedSiteProfile(
        _ configuration: KioskConfiguration, path: String?, logger: Logger
    ) -> (configuration: KioskConfiguration, version: Int?) {
        // `kioskd demo` keeps its own settings (its platform and timings come from the command line).
        guard let path, !configuration.demoMode, let signed = signedSiteProfile(stateDirectory: configuration.paths.stateDir) else {
            return (configuration, nil)
        }
        do {
            let loaded = try ConfigurationLoader.load(path: path, siteProfile: try YAMLFile.load(path: signed.file))
            logger.notice("Signed site profile in use", metadata: ["version": "\(signed.version)"])
            return (loaded, signed.version)
        } catch {
            logger.error(
                "Signed site profile does not load here; kiosk.yaml and site.yaml stay in use",
                metadata: ["version": "\(signed.version)", "problem": "\(error)"])
            return (configuration, nil)
        }
    }

    /// A signed configuration bundle the relay just installed: checked against kiosk.yaml now,
    /// recorded, and used from kioskd's next start.
    static func installSiteProfile(
        version: Int, configuration: KioskConfiguration, configurationPath: String?, audit: AuditTrail, logger: Logger
    ) {
        guard let signed = signedSiteProfile(stateDirectory: configuration.paths.stateDir), signed.version == version else { return }
        let problem: String?
        if let path = configurationPath {
            do {
                _ = try ConfigurationLoader.load(path: path, siteProfile: try YAMLFile.load(path: signed.file))
                problem = nil
            } catch {
                problem = "\(error)"
            }
        } else {
            problem = "kioskd runs on embedded defaults (no kiosk.yaml to read it over)"
        }
        do {
            try audit.record(
                .siteProfile, actor: "kioskd",
                detail: problem.map { "signed site profile version \(version) does not load here: \($0)" }
                    ?? "signed site profile version \(version) installed; used from kioskd's next start")
        } catch {
            logger.error("Audit trail not written", metadata: ["error": "\(error.message)"])
        }
        if let problem {
            logger.error("Signed site profile does not load here", metadata: ["version": "\(version)", "problem": "\(problem)"])
        } else {
            logger.notice("Signed site profile installed; restart kioskd to use it", metadata: ["version": "\(version)"])
        }
    }
}
