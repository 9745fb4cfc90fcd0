import Foundation
import Glibc
import KioskCore
import KioskDevices
import Logging
import Synchronization
import Testing

/// Collects the card events a bus carries.
final class CardEventLog: Sendable {
    private let events = Mutex<[any BusEvent]>([])

    func record(_ event: any BusEvent) { events.withLock { $0.append(event) } }

    var topics: [String] {
        events.withLock { $0.map { type(of: $0).topic }.filter { $0.hasPrefix("card.") } }
    }

    var all: [any BusEvent] { events.withLock { $0 } }

    /// Waits up to `timeout` for `condition`.
    // Generous: it returns as soon as the condition holds, and a loaded CI machine is slow.
    func wait(for timeout: Duration = .seconds(20), until condition: ([String]) -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        while ContinuousClock.now < end {
            if condition(topics) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(topics)
    }
}

/// A service on the in-process simulator, running under a task group for the test's body.
func withReaderService(
    card: SimulatedCard?, transport makeTransport: (@Sendable (SimulatedSAM) -> SimulatedSAMTransport)? = nil,
    _ body: (SimulatedSAM, IDCardReaderControls, DeviceRegistry, CardEventLog) async throws -> Void
) async throws {
    let bus = EventBus()
    let logger = Logger(label: "test.idcard")
    let registry = DeviceRegistry(bus: bus, logger: logger)
    await registry.register("idcard", kind: .idCardReader, simulated: true)
    let sam = SimulatedSAM(card: card)
    let controls = IDCardReaderControls()
    var settings = IDCardProfileSettings(transport: .simulator)
    settings.polling.cardIntervalMilliseconds = 20
    settings.polling.healthIntervalMilliseconds = 100
    settings.timeouts = shortTimeouts
    let transport = makeTransport?(sam) ?? SimulatedSAMTransport(sam: sam)
    let service = IDCardReaderService(
        id: "idcard", settings: settings, model: "test reader", bus: bus, controls: controls, simulated: true,
        openTransport: { transport })
    let log = CardEventLog()
    let subscription = bus.subscribe()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            for await event in subscription { log.record(event) }
        }
        group.addTask { try await service.run(registry: registry, logger: logger) }
        try await body(sam, controls, registry, log)
        group.cancelAll()
    }
}

@Suite("ID card reader service", .serialized)
struct IDCardReaderServiceTests {
    @Test func readsOnceWhileWantedAndNoticesRemoval() async throws {
        let card = try sampleCard("resident-id.yaml")
        try await withReaderService(card: card) { sam, controls, registry, log async throws in
            // Not wanted: the card lies there unread.
            try await Task.sleep(for: .milliseconds(150))
            #expect(log.topics.isEmpty)
            controls.wantCard()
            #expect(await log.wait { $0 == ["card.inserted", "card.read"] })
            let read = try #require(log.all.compactMap { $0 as? IDCardRead }.first)
            #expect(read.card.idNumber == card.data.idNumber)
            #expect(!read.description.contains(card.data.name))
            #expect(!read.description.contains(card.data.idNumber))
            // Same card still on the reader: no second read.
            try await Task.sleep(for: .milliseconds(200))
            #expect(log.topics == ["card.inserted", "card.read"])
            #expect(await registry.status(of: "idcard")?[.goodReads] == 1)
            sam.lift()
            #expect(await log.wait { $0.last == "card.removed" })
            // A new card placed later is read again.
            sam.place(try sampleCard("hmt-residence-permit.yaml"))
            #expect(await log.wait { $0.filter { $0 == "card.read" }.count == 2 })
            #expect(await registry.status(of: "idcard")?[.goodReads] == 2)
            let status = await registry.status(of: "idcard")
            #expect(status?.state == .online)
            #expect(status?.identity.serial == "05.01-20102220-0000069267-0172960759")
        }
    }

    @Test("The next citizen's card, put down before the reader saw the last one go, is read")
    func aQuickSwapIsANewCard() async throws {
        let first = try sampleCard("resident-id.yaml")
        try await withReaderService(card: first) { sam, controls, _, log async throws in
            controls.wantCard()
            #expect(await log.wait { $0 == ["card.inserted", "card.read"] })
            // Lifted and another card down at once: no poll in between ever saw the reader empty.
            let second = try sampleCard("hmt-residence-permit.yaml")
            sam.lift()
            sam.place(second)
            #expect(await log.wait { $0.filter { $0 == "card.read" }.count == 2 })
            let reads = log.all.compactMap { $0 as? IDCardRead }
            #expect(reads.last?.card.idNumber == second.data.idNumber)
            #expect(log.topics.contains("card.removed"))
        }
    }

    @Test func aFailedReadIsRetriedAndCounted() async throws {
        try await withReaderService(card: try sampleCard("resident-id.yaml")) { sam, controls, registry, log async throws in
            sam.inject(.status(.readFailed, for: .readTextAndPhoto))
            controls.wantCard()
            #expect(await log.wait { $0.contains("card.read") })
            #expect(log.topics == ["card.inserted", "card.read-failed", "card.read"])
            let failure = try #require(log.all.compactMap { $0 as? IDCardReadFailed }.first)
            #expect(failure.outcome == .retryCard)
            #expect(failure.willRetry)
            #expect(await registry.status(of: "idcard")?[.failedReads] == 1)
            #expect(await registry.status(of: "idcard")?[.goodReads] == 1)
        }
    }

    @Test func aCardThatCannotBeVerifiedIsToldToTheCitizenAndNotRetried() async throws {
        try await withReaderService(card: try sampleCard("resident-id.yaml")) { sam, controls, _, log async throws in
            sam.inject(.status(.cardAuthenticationFailed, for: .readTextAndPhoto))
            controls.wantCard()
            #expect(await log.wait { $0.contains("card.read-failed") })
            try await Task.sleep(for: .milliseconds(200))
            #expect(log.topics == ["card.inserted", "card.read-failed"])
            let failure = try #require(log.all.compactMap { $0 as? IDCardReadFailed }.first)
            #expect(failure.outcome == .cardNotVerifiable)
            #expect(failure.willRetry == false)
            #expect(failure.citizenMessage?.contains("cannot be verified") == true)
            sam.lift()
            #expect(await log.wait { $0.last == "card.removed" })
        }
    }

    @Test func aSAMFailureIsAHardwareErrorForATechnician() async throws {
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: Logger(label: "test"))
        await registry.register("idcard", kind: .idCardReader)
        let sam = SimulatedSAM(card: try sampleCard("resident-id.yaml"))
        // Failing before and after the reset it triggers.
        sam.inject(.status(.samSelfTestFailed, for: .samStatus))
        sam.inject(.status(.samSelfTestFailed, for: .samStatus))
        let service = IDCardReaderService(
            id: "idcard", settings: IDCardProfileSettings(transport: .simulator), model: "test", bus: bus,
            controls: IDCardReaderControls(), openTransport: { SimulatedSAMTransport(sam: sam) })
        let error = await #expect(throws: IDCardReaderError.self) {
            try await service.run(registry: registry, logger: Logger(label: "test"))
        }
        #expect(error?.fault.action == .maintenance)
        #expect(error?.status == .samSelfTestFailed)
    }

    @Test func aSAMThatFailsOnceIsResetAndServes() async throws {
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: Logger(label: "test"))
        await registry.register("idcard", kind: .idCardReader)
        let sam = SimulatedSAM()
        sam.inject(.status(.samSelfTestFailed, for: .samStatus))
        let service = IDCardReaderService(
            id: "idcard", settings: IDCardProfileSettings(transport: .simulator), model: "test", bus: bus,
            controls: IDCardReaderControls(), openTransport: { SimulatedSAMTransport(sam: sam) })
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run(registry: registry, logger: Logger(label: "test")) }
            var online = false
            for _ in 0..<200 where !online {
                online = await registry.status(of: "idcard")?.state == .online
                try? await Task.sleep(for: .milliseconds(10))
            }
            #expect(online)
            group.cancelAll()
        }
    }

    @Test func aMissingPhotoLibraryStillReadsCards() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("profiles-wlt-\(getpid())").path
        try FileManager.default.createDirectory(atPath: "\(folder)/idcard", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "kind: idcard\nmodel: x\ntransport: simulator\nphoto_decoder:\n  library: /nonexistent/libwlt2bmp.so\n"
            .write(toFile: "\(folder)/idcard/sim.yaml", atomically: true, encoding: .utf8)
        let profile = try #require(DeviceProfileCatalog.load(directory: folder).profile(named: "sim"))
        let service = try IDCardReaderService.make(id: "idcard", profile: profile, bus: EventBus(), controls: IDCardReaderControls())
        #expect(service.photoDecoder == nil)
        #expect(service.photoDecoderProblem?.contains("/nonexistent/libwlt2bmp.so") == true)
        #expect(service.isSimulated)
    }

    @Test func unplugMidReadEndsTheRunForTheSupervisor() async throws {
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: Logger(label: "test"))
        await registry.register("idcard", kind: .idCardReader)
        let sam = SimulatedSAM(card: try sampleCard("resident-id.yaml"))
        sam.inject(.unplugMidRead)
        let controls = IDCardReaderControls()
        controls.wantCard()
        var settings = IDCardProfileSettings(transport: .simulator)
        settings.polling.cardIntervalMilliseconds = 20
        let transport = SimulatedSAMTransport(sam: sam)
        let service = IDCardReaderService(
            id: "idcard", settings: settings, model: "test", bus: bus, controls: controls, openTransport: { transport })
        await #expect(throws: DeviceUnavailable.self) {
            try await service.run(registry: registry, logger: Logger(label: "test"))
        }
        // Replugged: the next run reads the card.
        transport.replug()
        let log = CardEventLog()
        let subscription = bus.subscribe()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for await event in subscription { log.record(event) } }
            group.addTask { try await service.run(registry: registry, logger: Logger(label: "test")) }
            #expect(await log.wait { $0.contains("card.read") })
            group.cancelAll()
        }
    }

    @Test func anAbsentReaderIsUnavailableNotAFailure() async throws {
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: Logger(label: "test"))
        let service = IDCardReaderService(
            id: "idcard", settings: IDCardProfileSettings(transport: .serial), model: "test", bus: bus,
            controls: IDCardReaderControls(),
            openTransport: { () throws(IDCardReaderError) in try SerialSAMTransport(path: "/dev/ttyUSB-absent") })
        await #expect(throws: DeviceUnavailable.self) {
            try await service.run(registry: registry, logger: Logger(label: "test"))
        }
    }
}

@Suite("ID card reader under the device supervisor")
struct IDCardReaderSupervisionTests {
    @Test func anUnpluggedReaderComesBackAndReadsWithoutARestart() async throws {
        let bus = EventBus()
        let logger = Logger(label: "test.idcard")
        let registry = DeviceRegistry(bus: bus, logger: logger)
        let sam = SimulatedSAM(card: try sampleCard("resident-id.yaml"))
        sam.inject(.unplugMidRead)
        let controls = IDCardReaderControls()
        controls.wantCard()
        var settings = IDCardProfileSettings(transport: .simulator)
        settings.polling.cardIntervalMilliseconds = 20
        let transport = SimulatedSAMTransport(sam: sam)
        let opens = Atomic<Int>(0)
        let service = IDCardReaderService(
            id: "idcard", settings: settings, model: "test", bus: bus, controls: controls, simulated: true,
            openTransport: {
                // Every open after the first finds the reader plugged back in.
                if opens.add(1, ordering: .relaxed).newValue > 1 { transport.replug() }
                return transport
            })
        let supervisor = DeviceSupervisor(
            registry: registry, drivers: [service],
            backoff: .init(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(50)), logger: logger)
        let log = CardEventLog()
        let subscription = bus.subscribe()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await event in subscription { log.record(event) } }
            group.addTask { await supervisor.run() }
            #expect(await log.wait { $0.contains("card.read") })
            group.cancelAll()
        }
        let states = log.all.compactMap { ($0 as? DeviceStatusChange)?.state }
        #expect(states.contains(.noDevice))
        #expect(states.last == .online)
        #expect(opens.load(ordering: .relaxed) == 2)
        let status = await registry.status(of: "idcard")
        #expect(status?[.disconnects] == 1)
        #expect(status?[.goodReads] == 1)
    }
}
