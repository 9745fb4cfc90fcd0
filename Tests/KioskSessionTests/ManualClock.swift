import Foundation
import KioskSession
import Synchronization

/// A clock the test moves by hand: sleepers wake only when `advance` passes their deadline,
/// so an idle timeout of two minutes takes no time and no real sleep.
final class ManualClock: Sendable {
    private struct State {
        var uptime: Duration = .zero
        var wall: Date
        var sleepers: [Int: (deadline: Duration, wake: CheckedContinuation<Void, any Error>)] = [:]
        var nextSleeper = 0
    }
    private let state: Mutex<State>
    /// Tells the test that a sleeper is waiting (so that an advance reaches it).
    private let sleeping: AsyncStream<Duration>.Continuation
    let sleeps: AsyncStream<Duration>

    init(wall: Date) {
        state = Mutex(State(wall: wall))
        (sleeps, sleeping) = AsyncStream<Duration>.makeStream()
    }

    var sessionClock: SessionClock {
        SessionClock(
            now: { self.state.withLock { $0.wall } }, uptime: { self.state.withLock { $0.uptime } },
            sleep: { duration in try await self.sleep(duration) })
    }

    private func sleep(_ duration: Duration) async throws {
        let id = state.withLock { state in
            state.nextSleeper += 1
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let deadline: Duration? = state.withLock { state in
                    guard !Task.isCancelled else { return nil }
                    let deadline = state.uptime + duration
                    state.sleepers[id] = (deadline, continuation)
                    return deadline
                }
                if let deadline { sleeping.yield(deadline) } else { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.wake.resume(throwing: CancellationError())
        }
    }

    /// Moves both clocks on and wakes every sleeper whose deadline has passed.
    func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.uptime += duration
            state.wall += TimeInterval(duration.components.seconds)
            let due = state.sleepers.filter { $0.value.deadline <= state.uptime }
            for id in due.keys { state.sleepers.removeValue(forKey: id) }
            return Array(due.values)
        }
        for sleeper in woken { sleeper.wake.resume() }
    }
}
