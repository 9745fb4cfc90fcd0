import Foundation
import KioskAPI
import KioskConfig
import KioskCore
import KioskDevices
import KioskServer
import KioskSession
import Logging
import Synchronization

/// The simulated hardware of `kioskd demo` (and the end-to-end tests), with the handles the
/// demo panel needs: the SAM to place and lift sample cards on, the ESC/POS printer's
/// firmware to run out of paper, and the reader's cable to pull.
final class DemoRig: DemoControls, Sendable {
    let sam = SimulatedSAM()
    let cards: [(id: String, card: SimulatedCard)]
    /// The receipt printer's simulator (a pseudo-terminal), when the kiosk has a simulated one.
    let receiptPrinter: Mutex<(id: DeviceID, simulator: ESCPOSPrinterSimulator)?> = Mutex(nil)
    /// Status-only simulators (A4 printer without a queue, ...).
    let statusOnly: Mutex<[DeviceID: SimulatedDeviceControls]> = Mutex([:])
    private let reader = Mutex<(unplugged: Bool, transport: SimulatedSAMTransport?)>((false, nil))

    /// Loads every sample card in `folder` (`Devices/idcard/cards`), sorted by file name.
    init(cardsFolder: String) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: cardsFolder)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        cards = names.compactMap { name in
            guard let card = try? SampleCardFile.load(path: (cardsFolder as NSString).appendingPathComponent(name)) else { return nil }
            return (String(name.dropLast(5)), card)
        }
    }

    /// Opens the simulated reader's line, or fails like an unplugged USB device.
    func openReader() throws(IDCardReaderError) -> any SAMTransport {
        try reader.withLock { (state) throws(IDCardReaderError) -> any SAMTransport in
            if state.unplugged { throw IDCardReaderError(.disconnected, "simulator: reader unplugged") }
            let transport = SimulatedSAMTransport(sam: sam)
            state.transport = transport
            return transport
        }
    }

    var sampleCards: [DemoSampleCard] {
        cards.map { DemoSampleCard(id: $0.id, label: "\($0.card.data.type.rawValue) · \($0.card.data.name)") }
    }

    func placeCard(_ id: String) -> Bool {
        guard let card = cards.first(where: { $0.id == id })?.card else { return false }
        sam.place(card)
        return true
    }

    func liftCard() { sam.lift() }

    func set(device: DeviceID, condition: String) async -> Bool {
        if let printer = receiptPrinter.withLock({ $0 }), printer.id == device {
            switch condition {
            case "paper-out":
                printer.simulator.set {
                    $0.paperOut = true
                    $0.paperNearEnd = true
                }
            case "paper-in": printer.simulator.set { $0 = ESCPOSStatus() }
            case "unplug": printer.simulator.mute(true)
            case "plug": printer.simulator.mute(false)
            default: return false
            }
            return true
        }
        if readerIDs.withLock({ $0.contains(device) }) {
            switch condition {
            case "unplug":
                reader.withLock {
                    $0.unplugged = true
                    $0.transport?.close()
                }
            case "plug":
                reader.withLock { $0.unplugged = false }
                sam.powerCycle()
            default: return false
            }
            return true
        }
        if let controls = statusOnly.withLock({ $0[device] }) {
            switch condition {
            case "paper-out":
                controls.set(.faulty(.userError, DeviceFault(code: "media-empty", message: "out of paper", action: .clear)))
            case "paper-in", "plug": controls.set(.working)
            case "unplug": controls.set(.unplugged)
            default: return false
            }
            return true
        }
        return false
    }

    /// The ids of simulated card readers (set by the device factory).
    let readerIDs = Mutex<Set<DeviceID>>([])
    /// The simulated touch panel, when there is one.
    let touchPanel = Mutex<SimulatedTouchPanel?>(nil)

    func tap(x: Double, y: Double) -> Bool {
        guard let panel = touchPanel.withLock({ $0 }) else { return false }
        return (try? panel.tap(at: TouchPoint(x: x, y: y))) != nil
    }
}

/// A simulated ESC/POS receipt printer: the simulator's firmware on a pseudo-terminal and the
/// real ESC/POS driver on its device end, supervised as one device.
struct SimulatedReceiptPrinter: DeviceDriver {
    let driver: ESCPOSPrinterDriver
    let simulator: ESCPOSPrinterSimulator
    var id: DeviceID { driver.id }
    var kind: DeviceKind { .receiptPrinter }
    var isSimulated: Bool { true }

    func run(registry: DeviceRegistry, logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            group.addTask { try await driver.run(registry: registry, logger: logger) }
            defer { group.cancelAll() }
            // The driver ends when the printer is lost; the firmware only when cancelled.
            try await group.next()
        }
    }
}
