import KioskDevices

/// Turns the configured devices into drivers: a simulator where the configuration (or
/// `--simulate`) asks for one, otherwise the kind's hardware driver chosen by its profile.
struct DeviceFactory {
    let configuration: KioskConfiguration
    let profiles: DeviceProfileCatalog

    /// The drivers, and the controls of the simulated ones (for the demo panel and tests).
    func drivers() -> (drivers: [any DeviceDriver], simulators: [DeviceID: SimulatedDeviceControls]) {
        var simulators: [DeviceID: SimulatedDeviceControls] = [:]
        let drivers = configuration.devices.map { device -> any DeviceDriver in
            if configuration.isSimulated(device) {
                let controls = SimulatedDeviceControls()
                simulators[device.id] = controls
                return SimulatedDevice(
                    id: device.id, kind: device.kind, capabilities: Self.simulatedCapabilities(device.kind), controls: controls)
            }
            return hardwareDriver(for: device)
        }
        return (drivers, simulators)
    }

    private func hardwareDriver(for device: KioskConfiguration.Device) -> any DeviceDriver {
        MissingDriver(id: device.id, kind: device.kind)
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
