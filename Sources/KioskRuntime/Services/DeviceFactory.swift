import KioskDevices
import Logging

/// Turns the configured devices into drivers: a simulator where the configuration (or
/// `--simulate`) asks for one, otherwise the kind's hardware driver chosen by its profile.
struct DeviceFactory {
    let configuration: KioskConfiguration
    let profiles: DeviceProfileCatalog
    let bus: EventBus
    let logger: Logger

    /// The drivers, and the controls of the simulated ones (for the demo panel and tests).
    func drivers() -> (drivers: [any DeviceDriver], simulators: [DeviceID: SimulatedDeviceControls]) {
        var simulators: [DeviceID: SimulatedDeviceControls] = [:]
        let drivers = configuration.devices.map { device -> any DeviceDriver in
            if configuration.isSimulated(device) {
                if let simulator = protocolSimulator(for: device) { return simulator }
                let controls = SimulatedDeviceControls()
                simulators[device.id] = controls
                return SimulatedDevice(
                    id: device.id, kind: device.kind, capabilities: Self.simulatedCapabilities(device.kind), controls: controls)
            }
            return hardwareDriver(for: device)
        }
        return (drivers, simulators)
    }

    /// A simulator that speaks the device's real protocol, where the kind has one: the real
    /// driver then runs against it, so the demo exercises the same code as a kiosk.
    private func protocolSimulator(for device: KioskConfiguration.Device) -> (any DeviceDriver)? {
        switch device.kind {
        case .touchScreen:
            do {
                return try SimulatedTouchScreen(
                    id: device.id, folder: configuration.paths.stateDir, site: touchSite(for: device), catalog: profiles, bus: bus)
            } catch {
                logger.error("Touch simulator could not start; using a status-only simulator", metadata: ["error": "\(error)"])
                return nil
            }
        case .idCardReader, .printer, .receiptPrinter:
            return nil
        }
    }

    private func hardwareDriver(for device: KioskConfiguration.Device) -> any DeviceDriver {
        switch device.kind {
        case .touchScreen:
            return TouchScreenDriver(
                id: device.id, location: .init(configured: device.path), site: touchSite(for: device), catalog: profiles, bus: bus)
        case .idCardReader, .printer, .receiptPrinter:
            return MissingDriver(id: device.id, kind: device.kind)
        }
    }

    /// The site's touch settings, with the device entry's path and profile where the
    /// `touch:` section does not name them.
    private func touchSite(for device: KioskConfiguration.Device) -> TouchSiteSettings {
        var site = configuration.touch
        site.device = site.device ?? device.path
        site.profile = site.profile ?? device.profile
        return site
    }

    static func simulatedCapabilities(_ kind: DeviceKind) -> Set<String> {
        switch kind {
        case .idCardReader: ["photo", "fingerprint", "additional-address"]
        case .printer: ["a4", "pdf", "duplex"]
        case .receiptPrinter: ["80mm", "cutter", "qr", "gb18030"]
        case .touchScreen: ["multitouch"]
        }
    }
}
