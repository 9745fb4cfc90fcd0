import Foundation
import KioskConfig
import KioskCore
import KioskDevices
import Logging
import Synchronization

/// Turns the configured devices into drivers: a simulator where the configuration (or
/// `--simulate`) asks for one, otherwise the kind's hardware driver chosen by its profile.
struct DeviceFactory {
    let configuration: KioskConfiguration
    let profiles: DeviceProfileCatalog
    let bus: EventBus
    let logger: Logger
    /// What the citizen's session uses to ask the card reader for a card.
    let cardReaderControls: IDCardReaderControls
    /// One connection to the CUPS scheduler for every A4 printer.
    let cups: CUPSClient
    /// The simulated hardware the demo panel controls.
    let rig: DemoRig
    /// Hands an opened (or lost: `nil`) ESC/POS printer to the print queue.
    let attachReceiptPrinter: @Sendable (DeviceID, ESCPOSPrinter?) async -> Void

    /// The drivers, and the controls of the simulated ones (for the demo panel and tests).
    func drivers() -> (drivers: [any DeviceDriver], simulators: [DeviceID: SimulatedDeviceControls]) {
        var simulators: [DeviceID: SimulatedDeviceControls] = [:]
        let drivers = configuration.devices.map { device -> any DeviceDriver in
            if configuration.isSimulated(device) {
                if let simulator = protocolSimulator(for: device) { return simulator }
                let controls = SimulatedDeviceControls()
                simulators[device.id] = controls
                rig.statusOnly.withLock { $0[device.id] = controls }
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
                let screen = try SimulatedTouchScreen(
                    id: device.id, folder: configuration.paths.stateDir, site: touchSite(for: device), catalog: profiles, bus: bus)
                rig.touchPanel.withLock { $0 = screen.panel }
                return screen
            } catch {
                logger.error("Touch simulator could not start; using a status-only simulator", metadata: ["error": "\(error)"])
                return nil
            }
        case .idCardReader:
            // The SAM simulator speaks the protocol byte for byte; the real reader service
            // drives it. The reader starts empty: the demo panel (or a test) places the cards.
            if rig.cards.isEmpty {
                logger.warning(
                    "No sample cards found; the demo panel has none to place",
                    metadata: ["folder": "\(configuration.paths.profilesDir)/idcard/cards"])
            }
            rig.readerIDs.withLock { _ = $0.insert(device.id) }
            let rig = self.rig
            return IDCardReaderService(
                id: device.id, settings: .init(transport: .simulator), model: "Simulated SAM reader", bus: bus,
                controls: cardReaderControls, simulated: true, openTransport: { () throws(IDCardReaderError) in try rig.openReader() })
        case .receiptPrinter:
            // The ESC/POS firmware simulator on a pseudo-terminal, driven by the real driver.
            do {
                let simulator = try ESCPOSPrinterSimulator()
                let settings =
                    (try? profile(for: device, default: "epson-tm-t82iii")?.settings(ESCPOSSettings.self))
                    ?? ESCPOSSettings(processedMarker: true)
                let attach = attachReceiptPrinter
                let id = device.id
                let driver = ESCPOSPrinterDriver(
                    id: device.id, path: simulator.devicePath, settings: settings, model: "Simulated ESC/POS printer", simulated: true,
                    onOpen: { printer in await attach(id, printer) })
                rig.receiptPrinter.withLock { $0 = (device.id, simulator) }
                return SimulatedReceiptPrinter(driver: driver, simulator: simulator)
            } catch {
                logger.error("Receipt printer simulator could not start; using a status-only simulator", metadata: ["error": "\(error)"])
                return nil
            }
        case .printer:
            return nil
        }
    }

    private func hardwareDriver(for device: KioskConfiguration.Device) -> any DeviceDriver {
        switch device.kind {
        case .touchScreen:
            return TouchScreenDriver(
                id: device.id, location: .init(configured: device.path), site: touchSite(for: device), catalog: profiles, bus: bus)
        case .idCardReader:
            guard let profile = profile(for: device, default: "generic-sam-usb") else { return misconfigured(device) }
            do {
                return try IDCardReaderService.make(
                    id: device.id, profile: profile, bus: bus, controls: cardReaderControls, devicePath: device.path)
            } catch {
                return MisconfiguredDevice(id: device.id, kind: device.kind, reason: "profile \(profile.name): \(error)")
            }
        case .printer:
            guard let queue = device.queue else {
                return MisconfiguredDevice(id: device.id, kind: device.kind, reason: "an A4 printer needs its CUPS queue (queue: kiosk-a4)")
            }
            return CUPSPrinterDriver(id: device.id, queue: queue, client: cups)
        case .receiptPrinter:
            guard let path = device.path else {
                return MisconfiguredDevice(
                    id: device.id, kind: device.kind, reason: "a receipt printer needs its device path (path: /dev/usb/lp0)")
            }
            guard let profile = profile(for: device, default: "generic-escpos-80") else { return misconfigured(device) }
            do {
                let attach = attachReceiptPrinter
                let id = device.id
                return ESCPOSPrinterDriver(
                    id: device.id, path: path, settings: try profile.settings(ESCPOSSettings.self), model: profile.model,
                    onOpen: { printer in await attach(id, printer) })
            } catch {
                return MisconfiguredDevice(id: device.id, kind: device.kind, reason: "\(error)")
            }
        }
    }

    private func profile(for device: KioskConfiguration.Device, default name: String) -> DeviceProfile? {
        profiles.profile(named: device.profile ?? name)
    }

    private func misconfigured(_ device: KioskConfiguration.Device) -> any DeviceDriver {
        MisconfiguredDevice(
            id: device.id, kind: device.kind,
            reason: "device profile '\(device.profile ?? "default")' not found in \(configuration.paths.profilesDir)")
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
