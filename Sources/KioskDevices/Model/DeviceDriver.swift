import KioskCore
import Logging

/// The code that owns one device: opens it, keeps its status in the registry current, and
/// serves requests, until its task is cancelled.
///
/// A driver throws ``DeviceUnavailable`` (or any error) when the device goes away; the
/// ``DeviceSupervisor`` then reports it, waits, and runs the driver again, so a device that
/// disappears and reappears is picked up without restarting `kioskd`.
public protocol DeviceDriver: Sendable {
    /// The configured id this driver serves.
    var id: DeviceID { get }
    /// The kind of device.
    var kind: DeviceKind { get }
    /// Whether this is a simulator rather than real hardware.
    var isSimulated: Bool { get }
    /// Runs until cancelled; returns or throws when the device is lost.
    func run(registry: DeviceRegistry, logger: Logger) async throws
}

/// A device that is not there (unplugged, never found, path missing): not an error of ours.
public struct DeviceUnavailable: Error, Sendable, CustomStringConvertible {
    /// Why, in technician's words (`no device at /dev/ttyUSB0`).
    public var reason: String
    /// The state to show while it is away.
    public var state: DeviceState
    /// What a technician should do, if waiting is not enough.
    public var action: RecommendedAction

    public init(_ reason: String, state: DeviceState = .noDevice, action: RecommendedAction = .suspend) {
        self.reason = reason
        self.state = state
        self.action = action
    }

    public var description: String { reason }
}
