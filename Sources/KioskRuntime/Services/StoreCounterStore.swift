import KioskCore
import KioskDevices
import KioskStore

/// Device counters kept in the kiosk's database, so that good reads and pages printed
/// survive restarts and replacements of the daemon.
struct StoreCounterStore: DeviceCounterStore {
    let store: CaseStore

    func counters(for device: DeviceID) async throws -> [DeviceCounter: Int64] {
        let saved = try await store.deviceCounters(device: device.rawValue)
        return Dictionary(uniqueKeysWithValues: saved.map { (DeviceCounter(rawValue: $0.key), $0.value) })
    }

    func increment(_ counter: DeviceCounter, of device: DeviceID, by amount: Int64) async throws -> Int64 {
        // While the store is quarantined nothing is saved; the registry keeps counting in memory.
        guard let value = try await store.incrementDeviceCounter(device: device.rawValue, counter: counter.rawValue, by: amount) else {
            throw StoreUnavailable()
        }
        return value
    }

    struct StoreUnavailable: Error, CustomStringConvertible {
        var description: String { "the store is quarantined; counters are kept in memory only" }
    }
}
