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

/// A device that is not there (unplugged, never found, path missing) or cannot be used until a
/// technician acts: not an error of ours, so the ``DeviceSupervisor`` reports it and waits.
public struct DeviceUnavailable: Error, Sendable, CustomStringConvertible {
    /// Why the device is away; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound = "not-found"
            case disconnected
            case unusable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Nothing where the configuration says (no device file, no queue, nothing found).
        public static let notFound = Code(.notFound)
        /// The device went away while in use (unplugged, re-enumerated).
        public static let disconnected = Code(.disconnected)
        /// The device is there but cannot be used until a technician acts (held by another
        /// program, no permission, not the kind of device configured).
        public static let unusable = Code(.unusable)

        /// The code as it appears in logs.
        public var description: String { base.rawValue }
    }

    /// Why the device is away.
    public var code: Code
    /// What happened, in technician's words (`no device at /dev/ttyUSB0`).
    public var message: String
    /// The state to show while it is away.
    public var state: DeviceState
    /// What a technician should do, if waiting is not enough.
    public var action: RecommendedAction
    /// The driver's own error, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, state: DeviceState = .noDevice, action: RecommendedAction = .suspend,
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.state = state
        self.action = action
        self.cause = cause
    }

    /// `message`.
    public var description: String { message }
}
