import KioskDevices
import KioskPrinting
import KioskServer
import Logging
import ServiceLifecycle

/// Runs the device supervisor as a service: devices are opened at start and released when
/// the daemon stops.
struct DeviceService: Service {
    let supervisor: DeviceSupervisor

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await supervisor.run()
        }
    }
}

/// A configured device that cannot be driven as configured (profile missing or malformed,
/// queue or path absent): shown as a configuration fault rather than silently ignored.
struct MisconfiguredDevice: DeviceDriver {
    let id: DeviceID
    let kind: DeviceKind
    let reason: String
    var isSimulated: Bool { false }

    func run(registry: DeviceRegistry, logger: Logger) async throws {
        await registry.report(
            id, state: .hardwareError, fault: DeviceFault(code: "misconfigured", message: reason, action: .configuration))
        // Nothing to retry until the configuration changes: wait for the daemon to stop.
        while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// Runs the print queue: jobs left by an earlier run first, then new ones.
struct PrintQueueService: Service {
    let queue: PrintQueue

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await queue.run()
        }
    }
}

/// Runs the citizen session: follows the card reader and touch screen, wipes idle sessions.
struct CitizenSessionService: Service {
    let controller: SessionController

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await controller.run()
        }
    }
}
