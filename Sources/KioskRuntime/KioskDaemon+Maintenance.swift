import Foundation
import KioskAudit
import KioskConfig
import KioskSession
import KioskTrust
import Logging

extension KioskDaemon {
    /// The maintenance desk, for the kiosk id tickets name: the enrolled identity's (the
    /// platform's id), else kiosk.yaml's (a kiosk not enrolled gets no tickets anyway).
    static func maintenanceDesk(
        _ configuration: KioskConfiguration, session: SessionController, audit: AuditTrail, logger: Logger
    ) -> MaintenanceDesk {
        let state = configuration.paths.stateDir
        let enrolled = try? IdentityFolder(stateDirectory: state).enrolled()
        return MaintenanceDesk(
            kioskID: enrolled?.answer.kioskID ?? configuration.kiosk.id,
            rules: MaintenanceGate.Rules(bound: configuration.session.maintenanceMinutes * 60), stateDirectory: state, session: session,
            audit: audit, logger: logger)
    }
}
