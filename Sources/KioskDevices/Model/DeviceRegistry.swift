import Foundation
import KioskCore
import Logging

/// Where persistent device counters are kept (the store, in the daemon; memory in tests).
public protocol DeviceCounterStore: Sendable {
    /// All counters saved for a device.
    func counters(for device: DeviceID) async throws -> [DeviceCounter: Int64]
    /// Adds `amount` to a counter and returns its new value.
    func increment(_ counter: DeviceCounter, of device: DeviceID, by amount: Int64) async throws -> Int64
}

/// The devices configured on this kiosk and their current status.
///
/// Every change goes through ``update(_:_:)``, which publishes a ``DeviceStatusChange`` with
/// only what changed, so the bus and the status API can never disagree.
public actor DeviceRegistry {
    private var statuses: [DeviceID: DeviceStatus] = [:]
    private let bus: EventBus
    private let counterStore: (any DeviceCounterStore)?
    private let logger: Logger

    /// Creates an empty registry publishing on `bus`.
    public init(bus: EventBus, counterStore: (any DeviceCounterStore)? = nil, logger: Logger) {
        self.bus = bus
        self.counterStore = counterStore
        self.logger = logger
    }

    /// Adds a configured device in state `starting`, with its saved counters.
    public func register(_ id: DeviceID, kind: DeviceKind, simulated: Bool = false) async {
        var counters: [DeviceCounter: Int64] = [:]
        if let counterStore {
            do {
                counters = try await counterStore.counters(for: id)
            } catch {
                logger.warning("Device counters could not be loaded", metadata: ["device": "\(id)", "error": "\(error)"])
            }
        }
        let status = DeviceStatus(id: id, kind: kind, counters: counters, simulated: simulated)
        let old = statuses[id]
        statuses[id] = status
        if let change = DeviceStatusChange(from: old, to: status) { bus.publish(change) }
    }

    /// The status of every configured device, sorted by id.
    public func all() -> [DeviceStatus] {
        statuses.values.sorted { $0.id < $1.id }
    }

    /// The status of one device.
    public func status(of id: DeviceID) -> DeviceStatus? { statuses[id] }

    /// Changes a device's status and publishes what changed.
    @discardableResult
    public func update(_ id: DeviceID, _ change: (inout DeviceStatus) -> Void) -> DeviceStatus? {
        guard var status = statuses[id] else {
            logger.error("Update for a device that is not configured", metadata: ["device": "\(id)"])
            return nil
        }
        let old = status
        change(&status)
        if status.state != old.state {
            status.since = Date()
            logger.notice(
                "Device state changed",
                metadata: [
                    "device": "\(id)", "device.kind": "\(status.kind)", "state.old": "\(old.state)",
                    "state.new": "\(status.state)", "fault": "\(status.fault.map(\.code) ?? "none")",
                ]
            )
        }
        statuses[id] = status
        if let published = DeviceStatusChange(from: old, to: status) { bus.publish(published) }
        return status
    }

    /// Sets state and fault together, the usual way a driver reports.
    public func report(_ id: DeviceID, state: DeviceState, fault: DeviceFault? = nil) {
        update(id) {
            $0.state = state
            $0.fault = fault
        }
    }

    /// Adds to a persistent counter, saving it in the store first so a crash cannot lose it.
    public func count(_ counter: DeviceCounter, for id: DeviceID, by amount: Int64 = 1) async {
        guard statuses[id] != nil else { return }
        var value = (statuses[id]?.counters[counter] ?? 0) + amount
        if let counterStore {
            do {
                value = try await counterStore.increment(counter, of: id, by: amount)
            } catch {
                logger.warning(
                    "Device counter could not be saved",
                    metadata: ["device": "\(id)", "counter": "\(counter.rawValue)", "error": "\(error)"]
                )
            }
        }
        update(id) { $0.counters[counter] = value }
    }
}
