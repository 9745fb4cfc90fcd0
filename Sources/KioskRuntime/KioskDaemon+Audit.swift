import Foundation
import KioskAudit
import KioskConfig
import KioskStore
import Logging

extension KioskDaemon {
    /// What kioskd records at start: a changed configuration file, and a store it found damaged
    /// (quarantined: waiting for a technician's recover or reset).
    static func auditStart(
        _ configuration: KioskConfiguration, configurationPath: String?, store: CaseStore, logger: Logger
    ) async -> AuditTrail {
        let trail = AuditTrail(stateDirectory: configuration.paths.stateDir)
        do {
            if let path = configurationPath, let data = FileManager.default.contents(atPath: path) {
                try trail.recordIfChanged(.configuration, subject: path, digest: AuditTrail.digest(data), actor: "kioskd")
            }
            if await !store.acceptsCases {
                try trail.record(
                    .storeQuarantine, actor: "kioskd",
                    detail: "the store \(configuration.paths.databasePath) failed its check at start and was quarantined")
            }
        } catch {
            logger.error("Audit trail not written", metadata: ["error": "\(error.message)"])
        }
        return trail
    }
}
