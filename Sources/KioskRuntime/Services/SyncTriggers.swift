import Foundation
import KioskDevices
import KioskSession
import KioskSync
import ServiceLifecycle

/// What makes the relay act before its interval: a case submitted, a rating given or a result printed (send
/// now), and a device fault (a heartbeat at once, so the fleet view shows it).
struct SyncTriggers: Service {
    let bus: EventBus
    let relay: SyncRelay

    func run() async throws {
        let sessions = bus.subscribe(to: SessionChanged.self)
        let devices = bus.subscribe(to: DeviceStatusChange.self)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await change in sessions where ["submitted", "rated", "result-printed"].contains(change.reason) {
                        relay.nudge()
                    }
                }
                group.addTask {
                    for await change in devices where change.fault != nil {
                        await relay.sendHeartbeat()
                    }
                }
                await group.waitForAll()
            }
        }
    }
}
