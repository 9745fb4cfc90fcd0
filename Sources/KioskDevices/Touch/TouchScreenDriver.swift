import Foundation
import KioskCore
import Logging

/// The kiosk's touch screen: finds the panel, reads it through ``TouchPipeline`` and publishes
/// contacts, gestures, activity and maintenance requests on the bus.
///
/// When the panel goes away (USB re-enumeration, cable) the driver throws
/// ``DeviceUnavailable``; the ``DeviceSupervisor`` runs it again, it finds the panel again
/// (possibly under another `eventN`) and builds the pipeline again from the same profile and
/// site settings, so rotation and calibration are re-applied without restarting `kioskd`.
public struct TouchScreenDriver: DeviceDriver {
    /// Where the panel is.
    public enum Location: Sendable, Hashable {
        /// A fixed node (`/dev/input/event3`), or a FIFO carrying `input_event` records.
        case path(String)
        /// The first touch screen in this folder (normally `/dev/input`), by profile or
        /// capabilities.
        case automatic(directory: String)

        /// `auto` or a path, as written in the configuration.
        public init(configured: String?) {
            guard let configured, configured != "auto", !configured.isEmpty else {
                self = .automatic(directory: "/dev/input")
                return
            }
            self = .path(configured)
        }
    }

    public let id: DeviceID
    public var kind: DeviceKind { .touchScreen }
    public let isSimulated: Bool
    public let location: Location
    public let site: TouchSiteSettings
    public let catalog: DeviceProfileCatalog
    public let bus: EventBus
    /// What to assume about a node that cannot describe itself (a FIFO fed by the simulator).
    public let fallbackDescription: EvdevDeviceDescription?
    /// Activity is published at most this often.
    public static let activityInterval: Int64 = 1_000_000

    public init(
        id: DeviceID = "touch", location: Location, site: TouchSiteSettings = .init(), catalog: DeviceProfileCatalog,
        bus: EventBus, fallbackDescription: EvdevDeviceDescription? = nil, simulated: Bool = false
    ) {
        self.id = id
        self.location = location
        self.site = site
        self.catalog = catalog
        self.bus = bus
        self.fallbackDescription = fallbackDescription
        self.isSimulated = simulated
    }

    /// The profile that applies to a device: the site's choice, else the one naming its USB id.
    public static func profile(
        for description: EvdevDeviceDescription, site: TouchSiteSettings, catalog: DeviceProfileCatalog
    ) throws(TouchError) -> DeviceProfile? {
        if let name = site.profile {
            guard let profile = catalog.profile(named: name), profile.kind == .touchScreen else {
                throw TouchError(.badSettings, "touch.profile '\(name)' is not a touch profile in the device profile folder")
            }
            return profile
        }
        return TouchDeviceDiscovery.profile(for: description, catalog: catalog)
    }

    /// Opens the panel and says what it is.
    func open() throws -> (EvdevDevice, EvdevDeviceDescription) {
        let path: String
        switch location {
        case let .path(fixed):
            path = fixed
        case let .automatic(directory):
            guard let found = TouchDeviceDiscovery.scan(directory: directory, catalog: catalog).first(where: \.isTouchScreen)
            else { throw DeviceUnavailable(.notFound, "no touch screen in \(directory)") }
            path = found.path
        }
        let device: EvdevDevice
        do throws(TouchError) {
            device = try EvdevDevice(path: path)
        } catch  where error.code == .deviceGone {
            throw DeviceUnavailable(.notFound, error.description, cause: error)
        } catch {
            throw DeviceUnavailable(.unusable, error.description, state: .hardwareError, action: .configuration, cause: error)
        }
        do throws(TouchError) {
            guard let description = try device.describe() ?? fallbackDescription else {
                throw TouchError(.notATouchScreen, "\(path) is not an input device and no description was configured")
            }
            return (device, description)
        } catch {
            device.close()
            if error.code == .deviceGone { throw DeviceUnavailable(.disconnected, error.description, cause: error) }
            throw DeviceUnavailable(.unusable, error.description, state: .hardwareError, action: .configuration, cause: error)
        }
    }

    public func run(registry: DeviceRegistry, logger: Logger) async throws {
        let (device, description) = try open()
        let reader = EvdevReader(device: device)
        defer { reader.stop() }
        var pipeline: TouchPipeline
        do throws(TouchError) {
            let profile = try Self.profile(for: description, site: site, catalog: catalog)
            let settings = try profile.map { profile throws(TouchError) in try TouchProfileSettings.of(profile) } ?? .init()
            let configuration = try TouchConfiguration(profile: settings, site: site)
            pipeline = try TouchPipeline(device: description, configuration: configuration)
            if configuration.grab, device.isEvdev { try device.grab() }
            device.useMonotonicClock()
            logger.info(
                "Touch panel opened",
                metadata: [
                    "touch.path": "\(device.path)", "touch.model": "\(description.name)",
                    "touch.profile": "\(profile?.name ?? "generic")", "touch.matrix": "\(configuration.matrix)",
                ])
            await registry.update(id) {
                $0.identity = DeviceIdentity(model: description.name, usbID: description.usbID?.description)
                $0.capabilities = Set([pipeline.isMultitouch ? "multitouch" : "single-touch"] + (configuration.grab ? ["grabbed"] : []))
            }
        } catch {
            await registry.report(
                id, state: .hardwareError,
                fault: DeviceFault(code: error.code.description, message: error.description, action: .configuration))
            throw DeviceUnavailable(.unusable, error.description, state: .hardwareError, action: .configuration, cause: error)
        }
        await registry.report(id, state: .online)

        var lastActivity: Int64?
        do throws(TouchError) {
            try await LiveTouchInput.run(device: device, reader: reader, pipeline: &pipeline) { outputs in
                await publish(outputs, registry: registry, lastActivity: &lastActivity)
            }
        } catch {
            logger.notice("Touch panel went away", metadata: ["touch.path": "\(device.path)", "error": "\(error)"])
            throw DeviceUnavailable(.disconnected, error.description, cause: error)
        }
        try Task.checkCancellation()
        throw DeviceUnavailable(.disconnected, "the touch panel at \(device.path) stopped")
    }

    private func publish(_ outputs: [TouchOutput], registry: DeviceRegistry, lastActivity: inout Int64?) async {
        var counts: [DeviceCounter: Int64] = [:]
        for output in outputs {
            switch output {
            case let .contact(change):
                bus.publish(TouchContactEvent(device: id, change: change))
                if change.phase == .began { counts[.touchContacts, default: 0] += 1 }
                let now = EvdevSyscalls.monotonicMicroseconds()
                if lastActivity.map({ now - $0 >= Self.activityInterval }) ?? true {
                    lastActivity = now
                    bus.publish(UserActivityEvent(device: id, source: "touch", time: change.time))
                }
            case let .gesture(gesture):
                bus.publish(TouchGestureEvent(device: id, gesture: gesture))
            case let .maintenanceRequest(point, time):
                bus.publish(MaintenanceRequestEvent(device: id, point: point, time: time))
            case let .filtered(action, _):
                counts[action.counter, default: 0] += 1
            case .resynchronised:
                counts[.touchResyncs, default: 0] += 1
            }
        }
        for (counter, amount) in counts { await registry.count(counter, for: id, by: amount) }
    }
}

/// The read loop of a live panel, shared by the driver and `kioskctl touch monitor`.
public enum LiveTouchInput {
    /// Reads `device` through `pipeline`, handing each batch of outputs to `handle`, until the
    /// device goes away (throws) or the task is cancelled (returns). Long presses and other
    /// timed outputs arrive even while the panel is silent.
    public static func run(
        device: EvdevDevice, pipeline: inout TouchPipeline,
        raw: ((InputEvent) -> Void)? = nil, handle: ([TouchOutput]) async -> Void
    ) async throws(TouchError) {
        let reader = EvdevReader(device: device)
        defer { reader.stop() }
        try await run(device: device, reader: reader, pipeline: &pipeline, raw: raw, handle: handle)
    }

    static func run(
        device: EvdevDevice, reader: EvdevReader, pipeline: inout TouchPipeline,
        raw: ((InputEvent) -> Void)? = nil, handle: ([TouchOutput]) async -> Void
    ) async throws(TouchError) {
        let slotCount = pipeline.device.slotCount
        let multitouch = pipeline.isMultitouch
        let canAsk = device.isEvdev
        var outputs: [TouchOutput] = []
        // The panel's clock and ours: deadlines are in panel time, wake-ups in monotonic time.
        var lastEvent: (panel: TouchInstant, monotonic: Int64)?
        for await item in reader.stream {
            outputs.removeAll(keepingCapacity: true)
            switch item {
            case let .events(events, monotonic):
                for event in events {
                    raw?(event)
                    pipeline.process(event, into: &outputs) {
                        canAsk ? device.snapshot(slotCount: slotCount, multitouch: multitouch) : nil
                    }
                }
                if let last = events.last { lastEvent = (last.time, monotonic) }
            case let .tick(monotonic):
                if let lastEvent {
                    let now = TouchInstant(microseconds: lastEvent.panel.microseconds + monotonic - lastEvent.monotonic)
                    pipeline.advance(to: now, into: &outputs)
                }
            case let .gone(error):
                if !outputs.isEmpty { await handle(outputs) }
                throw error
            }
            if !outputs.isEmpty { await handle(outputs) }
            if let deadline = pipeline.nextDeadline, let lastEvent {
                let monotonicDeadline = lastEvent.monotonic + (deadline.microseconds - lastEvent.panel.microseconds)
                reader.wake(afterMicroseconds: monotonicDeadline - EvdevSyscalls.monotonicMicroseconds() + 1000)
            } else {
                reader.wake(afterMicroseconds: nil)
            }
        }
    }
}
