import KioskCore
import Logging
import Synchronization
import Testing

@testable import KioskDevices

/// Counters kept in memory, standing in for the store.
final class MemoryCounterStore: DeviceCounterStore {
    // Guards the saved counters.
    let saved = Mutex<[DeviceID: [DeviceCounter: Int64]]>([:])

    func counters(for device: DeviceID) async throws -> [DeviceCounter: Int64] { saved.withLock { $0[device] ?? [:] } }

    func increment(_ counter: DeviceCounter, of device: DeviceID, by amount: Int64) async throws -> Int64 {
        saved.withLock { table in
            table[device, default: [:]][counter, default: 0] += amount
            return table[device]![counter]!
        }
    }
}

@Suite("Device registry and supervisor")
struct DeviceRegistryTests {
    let logger = Logger(label: "test")

    @Test("A status change event carries only what changed")
    func onlyChanges() async throws {
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: logger)
        let changes = bus.subscribe(to: DeviceStatusChange.self)
        await registry.register("printer", kind: .printer)
        await registry.update("printer") { $0.identity = DeviceIdentity(model: "Laser 1") }
        await registry.report(
            "printer", state: .userError, fault: DeviceFault(code: "media-empty", message: "paper out", action: .clear))
        await registry.report("printer", state: .userError, fault: DeviceFault(code: "media-empty", message: "paper out", action: .clear))
        await registry.report("printer", state: .online)
        bus.close()
        var received: [DeviceStatusChange] = []
        for await change in changes { received.append(change) }
        #expect(received.count == 4)  // the repeated report changed nothing and raised nothing
        #expect(received[1].identity?.model == "Laser 1" && received[1].state == nil)
        #expect(received[2].state == .userError && received[2].fault?.action == .clear)
        #expect(received[3].state == .online && received[3].faultCleared)
    }

    @Test("Counters are saved and come back when the device is registered again")
    func persistentCounters() async {
        let store = MemoryCounterStore()
        let first = DeviceRegistry(bus: EventBus(), counterStore: store, logger: logger)
        await first.register("idcard", kind: .idCardReader)
        await first.count(.goodReads, for: "idcard")
        await first.count(.goodReads, for: "idcard")
        await first.count(.failedReads, for: "idcard")
        let restarted = DeviceRegistry(bus: EventBus(), counterStore: store, logger: logger)
        await restarted.register("idcard", kind: .idCardReader)
        let status = await restarted.status(of: "idcard")
        #expect(status?[.goodReads] == 2)
        #expect(status?[.failedReads] == 1)
    }

    @Test("A device that is unplugged and plugged back is picked up again without a restart")
    func unplugAndReplug() async {
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, counterStore: MemoryCounterStore(), logger: logger)
        let controls = SimulatedDeviceControls()
        let supervisor = DeviceSupervisor(
            registry: registry, drivers: [SimulatedDevice(id: "idcard", kind: .idCardReader, controls: controls)],
            backoff: .init(initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50)), logger: logger)
        let states = bus.subscribe(to: DeviceStatusChange.self).compactMap(\.state)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await supervisor.run() }
            var iterator = states.makeAsyncIterator()
            #expect(await iterator.next() == .starting)
            #expect(await iterator.next() == .online)
            controls.set(.unplugged)
            #expect(await iterator.next() == .noDevice)
            #expect(await registry.status(of: "idcard")?.fault?.action == .suspend)
            controls.set(.working)
            #expect(await iterator.next() == .online)
            #expect(await registry.status(of: "idcard")?[.disconnects] == 1)
            group.cancelAll()
        }
    }
}
