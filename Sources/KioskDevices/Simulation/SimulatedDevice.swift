import KioskCore
import Logging
import Synchronization

/// What a technician or test does to a simulated device: unplug it, plug it back, break it.
public final class SimulatedDeviceControls: Sendable {
    /// The condition the simulated device is in.
    public enum Condition: Sendable, Equatable {
        case working
        case unplugged
        case faulty(DeviceState, DeviceFault)
    }

    // The mutex guards the condition and the waiting drivers' continuations.
    private let state = Mutex<(condition: Condition, waiters: [Int: AsyncStream<Condition>.Continuation], next: Int)>(
        (.working, [:], 0)
    )

    public init() {}

    /// The current condition.
    public var condition: Condition { state.withLock { $0.condition } }

    /// Puts the device in `condition`; the running driver reacts at once.
    public func set(_ condition: Condition) {
        let waiters = state.withLock { current -> [AsyncStream<Condition>.Continuation] in
            current.condition = condition
            return Array(current.waiters.values)
        }
        for waiter in waiters { waiter.yield(condition) }
    }

    /// The conditions from now on, starting with the current one.
    func changes() -> AsyncStream<Condition> {
        let (stream, continuation) = AsyncStream<Condition>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (current, key) = state.withLock { current -> (Condition, Int) in
            current.next += 1
            current.waiters[current.next] = continuation
            return (current.condition, current.next)
        }
        continuation.yield(current)
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.waiters.removeValue(forKey: key) }
        }
        return stream
    }
}

/// A simulated device that only has a status: used for device kinds whose protocol simulator
/// is not wired in, and for exercising the registry and supervisor.
public struct SimulatedDevice: DeviceDriver {
    public let id: DeviceID
    public let kind: DeviceKind
    public let identity: DeviceIdentity
    public let capabilities: Set<String>
    public let controls: SimulatedDeviceControls
    public var isSimulated: Bool { true }

    public init(id: DeviceID, kind: DeviceKind, capabilities: Set<String> = [], controls: SimulatedDeviceControls = .init()) {
        self.id = id
        self.kind = kind
        self.identity = DeviceIdentity(model: "Simulated \(kind)", serial: "SIM-\(id)", firmware: "sim-1")
        self.capabilities = capabilities
        self.controls = controls
    }

    public func run(registry: DeviceRegistry, logger: Logger) async throws {
        await registry.update(id) {
            $0.identity = identity
            $0.capabilities = capabilities
        }
        for await condition in controls.changes() {
            switch condition {
            case .working:
                await registry.report(id, state: .online)
            case .unplugged:
                throw DeviceUnavailable(.disconnected, "simulated device unplugged")
            case let .faulty(state, fault):
                await registry.report(id, state: state, fault: fault)
            }
        }
        try Task.checkCancellation()
    }
}
