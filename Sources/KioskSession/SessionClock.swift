import Foundation

/// The session's sense of time, injected so that tests can move it: the wall clock dates cases
/// and receipts, the monotonic clock runs the idle timer (a wall clock set back must not wipe a
/// citizen's form or keep a forgotten one alive).
public struct SessionClock: Sendable {
    /// The wall clock.
    public var now: @Sendable () -> Date
    /// A monotonic reading; only differences between readings mean anything.
    public var uptime: @Sendable () -> Duration
    /// Suspends for `duration` of the monotonic clock; throws when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(
        now: @escaping @Sendable () -> Date, uptime: @escaping @Sendable () -> Duration,
        sleep: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.now = now
        self.uptime = uptime
        self.sleep = sleep
    }

    /// The machine's clocks.
    public static var system: SessionClock {
        let clock = ContinuousClock()
        let origin = clock.now
        return SessionClock(
            now: { Date() }, uptime: { clock.now - origin }, sleep: { try await clock.sleep(for: $0) })
    }
}
