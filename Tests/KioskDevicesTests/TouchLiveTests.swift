import Foundation
import Glibc
import KioskCore
import Logging
import Testing

@testable import KioskDevices

/// A temporary folder removed when the test ends.
final class TemporaryFolder: Sendable {
    let path: String
    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-touch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Collects bus events of one type as they arrive.
actor Collected<Event: BusEvent> {
    private(set) var items: [Event] = []
    func add(_ item: Event) { items.append(item) }
}

/// Waits until `condition` holds (polling), failing after `seconds`: a bound, not a wait (30 s:
/// the whole suite shares 2 cores with kioskd, kiosk-platform and Chromium processes).
func eventually(_ what: String, within seconds: Double = 30, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    // Once more: a sleep that overshot the deadline must not hide a condition met meanwhile.
    if await condition() { return }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

@Suite("Live touch input over a real file descriptor", .serialized)
struct TouchLiveTests {
    let logger = Logger(label: "test.touch")

    /// A frame of a tap at raw (x, y) on a 0...16383 × 0...9599 panel in slot 0.
    static func tap(id: Int32, x: Int32, y: Int32, at seconds: Int64, milliseconds: Int64 = 80) -> [InputEvent] {
        let down = seconds * 1_000_000
        func event(_ micros: Int64, _ type: UInt16, _ code: UInt16, _ value: Int32) -> InputEvent {
            InputEvent(time: TouchInstant(microseconds: micros), type: type, code: code, value: value)
        }
        var events = [
            event(down, 3, EvdevCode.absMTTrackingID, id), event(down, 3, EvdevCode.absMTPositionX, x),
            event(down, 3, EvdevCode.absMTPositionY, y), event(down, 1, EvdevCode.buttonTouch, 1), event(down, 0, 0, 0),
        ]
        let up = down + milliseconds * 1000
        events += [event(up, 3, EvdevCode.absMTTrackingID, -1), event(up, 1, EvdevCode.buttonTouch, 0), event(up, 0, 0, 0)]
        return events
    }

    @Test("Records cut across writes on a pipe are reassembled and give the same taps as a replay")
    func splitRecords() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/event0"
        #expect(mkfifo(path, 0o600) == 0)
        // The test holds the FIFO read-write, like the kernel holding the node open.
        let writer = open(path, O_RDWR | O_NONBLOCK)
        #expect(writer >= 0)
        defer { close(writer) }
        let recording = try shippedRecording("taps.evemu")
        let configuration = try TouchConfiguration(profile: try shippedProfile("ilitek-222a-0001"))
        let node = try EvdevDevice(path: path)
        #expect(!node.isEvdev)
        let pipeline = try TouchPipeline(device: recording.device, configuration: configuration)

        let gestures = try await withThrowingTaskGroup(of: [TouchGesture].self) { group in
            group.addTask { [pipeline] in
                var pipeline = pipeline
                var found: [TouchGesture] = []
                try await LiveTouchInput.run(device: node, pipeline: &pipeline) { outputs in
                    for case let .gesture(gesture) in outputs { found.append(gesture) }
                    if found.count == 6 { withUnsafeCurrentTask { $0?.cancel() } }
                }
                return found
            }
            // Write the recording in three pieces that cut records in two (as a pipe may deliver
            // them), at quiet moments (1 s and 5 s: no finger down, nothing pending), so that a
            // slow machine pausing between writes cannot change what the fingers did.
            let bytes = recording.events.flatMap(\.bytes)
            let cuts = [1_000_000, 5_000_000].map { quiet in
                (recording.events.firstIndex { $0.time.microseconds >= quiet } ?? 0) * InputEvent.size + 13
            }
            var start = 0
            for end in cuts + [bytes.count] {
                try EvdevSyscalls.writeAll(writer, Array(bytes[start..<end]))
                start = end
                try await Task.sleep(for: .milliseconds(50))
            }
            let result = try await group.next() ?? []
            group.cancelAll()
            return result
        }
        let replayed = try TouchReplay.run(recording, configuration: configuration).gestures
        #expect(gestures.map(\.description) == replayed.map(\.description))
    }

    @Test("The driver publishes calibrated taps, notices the panel go, and re-applies rotation when it returns")
    func disappearAndReappear() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/event7"
        let panel = try SimulatedTouchPanel(path: path)
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: logger)
        let catalog = DeviceProfileCatalog.load(directory: touchProfilesFolder)
        // The recording's header stands in for the ioctls a FIFO cannot answer.
        let description = try shippedRecording("rotated-90.evemu").device
        let driver = TouchScreenDriver(
            id: "touch", location: .path(path), site: TouchSiteSettings(rotation: .clockwise90), catalog: catalog, bus: bus,
            fallbackDescription: description, simulated: true)
        let supervisor = DeviceSupervisor(
            registry: registry, drivers: [driver],
            backoff: .init(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)), logger: logger)
        let taps = Collected<TouchGestureEvent>()
        let activity = Collected<UserActivityEvent>()
        let gestureStream = bus.subscribe(to: TouchGestureEvent.self)
        let activityStream = bus.subscribe(to: UserActivityEvent.self)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await supervisor.run() }
            group.addTask { for await event in gestureStream { await taps.add(event) } }
            group.addTask { for await event in activityStream { await activity.add(event) } }

            try await eventually("the panel online") { await registry.status(of: "touch")?.state == .online }
            // Raw (x 0.1, y 0.8) on the panel is screen (0.2, 0.1) once turned 90° clockwise.
            try panel.send(Self.tap(id: 1, x: 1638, y: 7679, at: 100))
            try await eventually("the first tap") { await taps.items.count == 1 }

            panel.unplug()
            try await eventually("the panel reported gone") { await registry.status(of: "touch")?.state == .noDevice }
            let status = await registry.status(of: "touch")
            #expect(status?[.disconnects] == 1)

            try panel.plugIn()
            try await eventually("the panel back online") { await registry.status(of: "touch")?.state == .online }
            try panel.send(Self.tap(id: 2, x: 1638, y: 7679, at: 200))
            try await eventually("the tap after reconnection") { await taps.items.count == 2 }
            // An 8 ms blip is noise: filtered, and counted in the device's counters.
            try panel.send(Self.tap(id: 3, x: 8000, y: 4000, at: 300, milliseconds: 8))
            try await eventually("the blip counted") {
                await registry.status(of: "touch")?[TouchFilterAction.tooShort.counter] == 1
            }
            group.cancelAll()
        }
        let found = await taps.items.map(\.gesture)
        for gesture in found {
            #expect(gesture.kind == .tap)
            #expect(gesture.point.distance(to: TouchPoint(x: 0.2, y: 0.1)) < 0.001, "rotation applied: \(gesture.point)")
        }
        #expect(await activity.items.count >= 1)
        let counters = await registry.status(of: "touch")?.counters ?? [:]
        #expect(counters[.touchContacts] == 2)
        #expect(await registry.status(of: "touch")?.capabilities == ["multitouch"])
    }

    @Test("A long press and the technician gesture arrive while the fingers stay silent")
    func timedGestures() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path + "/event3"
        let panel = try SimulatedTouchPanel(path: path)
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: logger)
        let driver = TouchScreenDriver(
            location: .path(path), catalog: DeviceProfileCatalog.load(directory: touchProfilesFolder), bus: bus,
            fallbackDescription: try shippedRecording("multitouch.evemu").device)
        let requests = Collected<MaintenanceRequestEvent>()
        let gestures = Collected<TouchGestureEvent>()
        let requestStream = bus.subscribe(to: MaintenanceRequestEvent.self)
        let gestureStream = bus.subscribe(to: TouchGestureEvent.self)
        await registry.register("touch", kind: .touchScreen)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await driver.run(registry: registry, logger: logger) }
            group.addTask { for await event in requestStream { await requests.add(event) } }
            group.addTask { for await event in gestureStream { await gestures.add(event) } }
            try await eventually("the panel online") { await registry.status(of: "touch")?.state == .online }
            // Three fingers in the top-left corner, then nothing at all: only the driver's own
            // wake-ups can recognise the hold. Panel time starts at the monotonic clock's now.
            let now = EvdevSyscalls.monotonicMicroseconds()
            func event(_ type: UInt16, _ code: UInt16, _ value: Int32) -> InputEvent {
                InputEvent(time: TouchInstant(microseconds: now), type: type, code: code, value: value)
            }
            var frame: [InputEvent] = []
            for (slot, (x, y)) in [(1300, 960), (2400, 1150), (1600, 1900)].enumerated() {
                frame += [
                    event(3, EvdevCode.absMTSlot, Int32(slot)), event(3, EvdevCode.absMTTrackingID, Int32(10 + slot)),
                    event(3, EvdevCode.absMTPositionX, Int32(x)), event(3, EvdevCode.absMTPositionY, Int32(y)),
                ]
            }
            frame += [event(1, EvdevCode.buttonTouch, 1), event(0, 0, 0)]
            try panel.send(frame)
            try await eventually("the maintenance request") { await requests.items.count == 1 }
            // Both are published together when the driver wakes late: let the long press land too.
            try await eventually("the long press") { await gestures.items.count >= 1 }
            group.cancelAll()
        }
        let kinds = await gestures.items.map(\.gesture.kind)
        #expect(kinds == [.longPress])
        #expect(await gestures.items.first?.gesture.fingers == 3)
    }

    @Test("A missing node is reported as no device; a node that is not a touch screen as a configuration fault")
    func unavailable() async throws {
        let folder = try TemporaryFolder()
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: logger)
        await registry.register("touch", kind: .touchScreen)
        let catalog = DeviceProfileCatalog.load(directory: touchProfilesFolder)
        let missing = TouchScreenDriver(location: .path(folder.path + "/event9"), catalog: catalog, bus: bus)
        await #expect(throws: DeviceUnavailable.self) { try await missing.run(registry: registry, logger: logger) }
        do {
            try await missing.run(registry: registry, logger: logger)
        } catch let error as DeviceUnavailable {
            #expect(error.state == .noDevice)
        }
        let file = folder.path + "/plain"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        let plain = TouchScreenDriver(location: .path(file), catalog: catalog, bus: bus)
        do {
            try await plain.run(registry: registry, logger: logger)
            Issue.record("a plain file was taken for a panel")
        } catch let error as DeviceUnavailable {
            #expect(error.action == .configuration)
        }
        let empty = TouchScreenDriver(location: .automatic(directory: folder.path), catalog: catalog, bus: bus)
        await #expect(throws: DeviceUnavailable.self) { try await empty.run(registry: registry, logger: logger) }
    }
}

@Suite("Simulated touch screen")
struct SimulatedTouchScreenTests {
    @Test("A tap on the simulator comes out of the real driver as a tap on the bus")
    func simulatorTap() async throws {
        let folder = try TemporaryFolder()
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: Logger(label: "test.touch"))
        let screen = try SimulatedTouchScreen(
            folder: folder.path, catalog: DeviceProfileCatalog.load(directory: touchProfilesFolder), bus: bus)
        await registry.register(screen.id, kind: .touchScreen, simulated: true)
        let taps = Collected<TouchGestureEvent>()
        let stream = bus.subscribe(to: TouchGestureEvent.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await screen.run(registry: registry, logger: Logger(label: "test.touch")) }
            group.addTask { for await event in stream { await taps.add(event) } }
            try await eventually("the simulator online") { await registry.status(of: "touch")?.state == .online }
            try screen.panel.tap(at: TouchPoint(x: 0.25, y: 0.75))
            try await eventually("the tap") { await taps.items.count == 1 }
            group.cancelAll()
        }
        let tap = try #require(await taps.items.first?.gesture)
        #expect(tap.kind == .tap && tap.point.distance(to: TouchPoint(x: 0.25, y: 0.75)) < 0.001)
        #expect(await registry.status(of: "touch")?.simulated == true)
    }
}
