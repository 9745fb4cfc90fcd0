import Foundation
import KioskCore

/// A status-changed event: only what changed, raised from the state mutation itself.
public struct DeviceStatusChange: BusEvent, Hashable {
    public static let topic = "device.status"

    public var id: DeviceID
    public var kind: DeviceKind
    public var state: DeviceState?
    public var identity: DeviceIdentity?
    public var capabilities: Set<String>?
    /// The new fault; `nil` with `faultCleared == false` means the fault did not change.
    public var fault: DeviceFault?
    public var faultCleared: Bool
    public var counters: [DeviceCounter: Int64]?

    /// The difference between two statuses of the same device, or `nil` if nothing changed.
    public init?(from old: DeviceStatus?, to new: DeviceStatus) {
        id = new.id
        kind = new.kind
        state = old?.state != new.state ? new.state : nil
        identity = old?.identity != new.identity ? new.identity : nil
        capabilities = old?.capabilities != new.capabilities ? new.capabilities : nil
        fault = old?.fault != new.fault ? new.fault : nil
        faultCleared = old?.fault != nil && new.fault == nil
        var changedCounters: [DeviceCounter: Int64] = [:]
        for (counter, value) in new.counters where old?.counters[counter] != value {
            changedCounters[counter] = value
        }
        counters = changedCounters.isEmpty ? nil : changedCounters
        if state == nil, identity == nil, capabilities == nil, fault == nil, !faultCleared, counters == nil {
            return nil
        }
    }
}
