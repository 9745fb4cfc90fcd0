import KioskCore
import Logging

extension SessionController {
    /// Gives the kiosk to a technician, only while no citizen uses it (checked here, in the
    /// actor, so that no session can start between the check and the switch). Returns false
    /// when a citizen's session runs or another technician is in.
    public func beginMaintenance(technician: String) -> Bool {
        guard session.isIdle, maintenanceBy == nil else { return false }
        maintenanceBy = technician
        logger.notice("Maintenance mode on: new applications closed", metadata: ["technician": "\(technician)"])
        changed("intake")
        return true
    }

    /// The technician left, or the time bound ended maintenance: sessions start again.
    public func endMaintenance() {
        guard maintenanceBy != nil else { return }
        maintenanceBy = nil
        logger.notice("Maintenance mode off")
        changed("intake")
    }
}
