import Foundation
import Glibc
import KioskCore
import Logging
import Synchronization

/// A simulated touch panel speaking the real protocol: raw 24-byte `input_event` records
/// written into a FIFO that ``TouchScreenDriver`` reads exactly as it reads `/dev/input/eventN`.
///
/// It can be unplugged (the FIFO's last writer closes and the node disappears, as an evdev node
/// does on USB re-enumeration) and plugged in again.
public final class SimulatedTouchPanel: Sendable {
    /// Where the driver should look.
    public let path: String
    // The write end while plugged in; the mutex also orders writes from several tasks.
    private let writer = Mutex<Int32?>(nil)

    /// Creates the panel's node at `path` and plugs it in.
    public init(path: String) throws(TouchError) {
        self.path = path
        try plugIn()
    }

    deinit {
        writer.withLock { fd in
            if let fd { EvdevSyscalls.close(fd) }
        }
    }

    /// Whether the panel is plugged in.
    public var isPluggedIn: Bool { writer.withLock { $0 != nil } }

    /// Makes the node appear (atomically, so the driver never opens a half-made one).
    public func plugIn() throws(TouchError) {
        let temporary = path + ".plugging"
        unlink(temporary)
        guard mkfifo(temporary, 0o600) == 0 else {
            throw TouchError(.deviceIO, "cannot create the simulated panel at \(temporary)", cause: EvdevSyscalls.Errno.current)
        }
        let fd: Int32
        do throws(EvdevSyscalls.Errno) {
            // Read-write, so that the node never reports end-of-file while the panel is plugged
            // in, even before the driver opens it.
            fd = try EvdevSyscalls.open(temporary, flags: O_RDWR | O_NONBLOCK | O_CLOEXEC)
        } catch {
            unlink(temporary)
            throw TouchError(.deviceIO, "cannot open the simulated panel", cause: error)
        }
        guard rename(temporary, path) == 0 else {
            EvdevSyscalls.close(fd)
            unlink(temporary)
            throw TouchError(.deviceIO, "cannot place the simulated panel at \(path)", cause: EvdevSyscalls.Errno.current)
        }
        let old = writer.withLock { current in
            defer { current = fd }
            return current
        }
        if let old { EvdevSyscalls.close(old) }
    }

    /// Pulls the plug: the node disappears and a reader sees the end of the stream.
    public func unplug() {
        let fd = writer.withLock { current in
            defer { current = nil }
            return current
        }
        unlink(path)
        if let fd { EvdevSyscalls.close(fd) }
    }

    /// Writes events as the kernel would deliver them.
    public func send(_ events: [InputEvent]) throws(TouchError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(events.count * InputEvent.size)
        for event in events { bytes += event.bytes }
        try writer.withLock { fd throws(TouchError) in
            guard let fd else { throw TouchError(.deviceGone, "the simulated panel is unplugged") }
            do throws(EvdevSyscalls.Errno) {
                try EvdevSyscalls.writeAll(fd, bytes)
            } catch {
                throw TouchError(.deviceIO, "writing to the simulated panel failed", cause: error)
            }
        }
    }

    /// Plays a recording with its own timing (`speed` 2 plays twice as fast), one frame at a
    /// time, with event times shifted to start at `startingAt` (default: the recording's own).
    public func play(_ events: [InputEvent], speed: Double = 1, startingAt start: TouchInstant? = nil) async throws {
        guard let first = events.first else { return }
        let shift = (start?.microseconds ?? first.time.microseconds) - first.time.microseconds
        var frame: [InputEvent] = []
        var previous = first.time
        for var event in events {
            if frame.isEmpty, event.time > previous, speed > 0 {
                let gap = Double(event.time.microseconds - previous.microseconds) / speed
                try await Task.sleep(for: .microseconds(gap))
            }
            previous = event.time
            event.time.microseconds += shift
            frame.append(event)
            if event.type == EvdevCode.synchronization, event.code == EvdevCode.synReport {
                try send(frame)
                frame.removeAll(keepingCapacity: true)
            }
        }
        if !frame.isEmpty { try send(frame) }
    }
}

extension SimulatedTouchPanel {
    /// What the simulated panel says it is: a 10-finger direct-touch panel with 0...16383 ×
    /// 0...9599 axes (the ILITEK panels of the shipped profile).
    public static let standardDescription = EvdevDeviceDescription(
        name: "Simulated touch panel", bus: EvdevCode.busUSB, vendor: 0x222a, product: 0x0001, version: 0x0110,
        properties: [0x02],
        eventBits: [
            0: [0x1b], EvdevCode.key: Array(repeating: 0, count: 41) + [0x04] + Array(repeating: 0, count: 54),
            EvdevCode.absolute: [0x03, 0, 0, 0, 0, 0x80, 0x60, 0x02],
        ],
        axes: [
            EvdevCode.absX: AbsoluteAxis(minimum: 0, maximum: 16383), EvdevCode.absY: AbsoluteAxis(minimum: 0, maximum: 9599),
            EvdevCode.absMTSlot: AbsoluteAxis(minimum: 0, maximum: 9),
            EvdevCode.absMTPositionX: AbsoluteAxis(minimum: 0, maximum: 16383),
            EvdevCode.absMTPositionY: AbsoluteAxis(minimum: 0, maximum: 9599),
            EvdevCode.absMTTrackingID: AbsoluteAxis(minimum: 0, maximum: 65535),
        ])

    /// Touches the panel at `point` (panel fractions) for `milliseconds`, as one finger would:
    /// the two frames a kernel delivers for a tap, stamped `milliseconds` apart from the
    /// monotonic clock's now and written together, so that a busy machine cannot stretch the
    /// tap into a long press.
    public func tap(at point: TouchPoint, milliseconds: Int = 80, trackingID: Int32 = 1) throws(TouchError) {
        let x = Int32((point.x * 16383).rounded()), y = Int32((point.y * 9599).rounded())
        let down = TouchInstant(microseconds: EvdevSyscalls.monotonicMicroseconds())
        func frame(_ time: TouchInstant, _ events: [(UInt16, UInt16, Int32)]) -> [InputEvent] {
            (events + [(EvdevCode.synchronization, EvdevCode.synReport, 0)]).map {
                InputEvent(time: time, type: $0.0, code: $0.1, value: $0.2)
            }
        }
        try send(
            frame(
                down,
                [
                    (EvdevCode.absolute, EvdevCode.absMTSlot, 0), (EvdevCode.absolute, EvdevCode.absMTTrackingID, trackingID),
                    (EvdevCode.absolute, EvdevCode.absMTPositionX, x), (EvdevCode.absolute, EvdevCode.absMTPositionY, y),
                    (EvdevCode.key, EvdevCode.buttonTouch, 1), (EvdevCode.absolute, EvdevCode.absX, x),
                    (EvdevCode.absolute, EvdevCode.absY, y),
                ])
                + frame(
                    down.adding(milliseconds: milliseconds),
                    [(EvdevCode.absolute, EvdevCode.absMTTrackingID, -1), (EvdevCode.key, EvdevCode.buttonTouch, 0)]))
    }
}

/// The touch screen's simulator as a device: a ``SimulatedTouchPanel`` (a FIFO carrying raw
/// `input_event` records) read by the real ``TouchScreenDriver``, so `kioskd demo` exercises
/// the same pipeline as a kiosk. Touch it through ``panel``.
public struct SimulatedTouchScreen: DeviceDriver {
    public let panel: SimulatedTouchPanel
    private let driver: TouchScreenDriver
    public var id: DeviceID { driver.id }
    public var kind: DeviceKind { .touchScreen }
    public var isSimulated: Bool { true }

    /// Creates the panel's node in `folder` (e.g. the daemon's state folder).
    public init(
        id: DeviceID = "touch", folder: String, site: TouchSiteSettings = .init(), catalog: DeviceProfileCatalog, bus: EventBus
    ) throws(TouchError) {
        panel = try SimulatedTouchPanel(path: (folder as NSString).appendingPathComponent("touch-\(id.rawValue).events"))
        driver = TouchScreenDriver(
            id: id, location: .path(panel.path), site: site, catalog: catalog, bus: bus,
            fallbackDescription: SimulatedTouchPanel.standardDescription, simulated: true)
    }

    public func run(registry: DeviceRegistry, logger: Logger) async throws {
        try await driver.run(registry: registry, logger: logger)
    }
}
