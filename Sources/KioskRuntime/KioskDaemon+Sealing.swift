import Foundation
import KioskConfig
import KioskSeal
import KioskTrust
import Logging

extension KioskDaemon {
    /// The platform key cases are sealed to, in order of trust:
    /// 1. the newest signed `sealing` bundle, else the enrolment's key;
    /// 2. not enrolled: `sync.sealing_key_file` (a lab, the tests), never once enrolled;
    /// 3. `kioskd demo` with neither: a throwaway key whose private half is never kept, so
    ///    demo cases are sealed for nobody (nothing opens them; nothing is weakened).
    /// Without one, no application is taken (the attract screen says why).
    static func sealingKey(_ configuration: KioskConfiguration, logger: Logger) -> (key: SealingKey, origin: String)? {
        let identity = IdentityFolder(stateDirectory: configuration.paths.stateDir)
        do {
            if let key = try identity.sealingKey() {
                logger.info("Sealing cases to the platform's key", metadata: ["key": "\(key.id)"])
                return (
                    key, BundleShelf(stateDirectory: configuration.paths.stateDir).current(.sealing) == nil ? "enrolment" : "signed bundle"
                )
            }
        } catch {
            logger.error("The platform's sealing key cannot be read: no application is taken", metadata: ["error": "\(error.message)"])
            return nil
        }
        if let path = configuration.sync.sealingKeyFile {
            do {
                let wire = try EnrolmentJSON.decoder.decode(
                    EnrolmentAnswer.SealingKey.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                let key = try SealingKey(id: wire.id, base64: wire.publicKey)
                logger.warning(
                    "Not enrolled: sealing cases to the key of sync.sealing_key_file", metadata: ["key": "\(key.id)", "file": "\(path)"])
                return (key, "sync.sealing_key_file, not enrolled")
            } catch {
                logger.error(
                    "sync.sealing_key_file cannot be used: no application is taken", metadata: ["file": "\(path)", "error": "\(error)"])
                return nil
            }
        }
        if configuration.demoMode {
            logger.warning("Demo without enrolment: cases are sealed to a throwaway key that nobody holds")
            return (SealingKey.throwaway(), "demo: a throwaway key nobody holds")
        }
        logger.error(
            "Not enrolled: no key to seal applications to, so none is taken",
            metadata: ["hint": "kioskctl enroll --platform URL --token TOKEN, then restart kioskd"])
        return nil
    }
}
