import KioskDevices
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

/// A configured real device whose kind has no hardware driver in this build: it is shown as
/// a configuration fault rather than silently ignored.
struct MissingDriver: DeviceDriver {
    let id: DeviceID
    let kind: DeviceKind
    var isSimulated: Bool { false }

    func run(registry: DeviceRegistry, logger: Logger) async throws {
        await registry.report(
            id, state: .hardwareError,
            fault: DeviceFault(
                code: "no-driver", message: "this build has no hardware driver for \(kind) devices; set simulate: true or update kioskd",
                action: .configuration))
        try await Task.sleep(for: .seconds(86_400 * 365))
    }
}
