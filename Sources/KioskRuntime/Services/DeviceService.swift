import KioskAPI
import KioskConfig
import KioskCore
import KioskDevices
import KioskPrinting
import KioskServer
import KioskSession
import Logging
import ServiceLifecycle

/// A long-running part of the daemon (device supervisor, print queue, citizen session) as a
/// service: it runs from start until the graceful shutdown reaches it, then is cancelled.
struct UntilShutdown: Service, CustomStringConvertible {
    let description: String
    let body: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await body()
            // A part with nothing to do (a kiosk with no devices configured) still lives until
            // the daemon stops: a service that returns would stop every other one with it.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// Devices are opened at start and released when the daemon stops.
    static func devices(_ supervisor: DeviceSupervisor) -> UntilShutdown {
        UntilShutdown(description: "devices") { await supervisor.run() }
    }

    /// Jobs left by an earlier run first, then new ones.
    static func printQueue(_ queue: PrintQueue) -> UntilShutdown {
        UntilShutdown(description: "print queue") { await queue.run() }
    }

    /// Follows the card reader and touch screen, wipes idle sessions.
    static func citizenSession(_ controller: SessionController) -> UntilShutdown {
        UntilShutdown(description: "citizen session") { await controller.run() }
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
