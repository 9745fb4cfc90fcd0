import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The bound on kioskd's stop. From SIGTERM (or SIGINT) the services have the graceful time
/// and then their cancellation; one that still runs after both would otherwise meet the
/// service group's `fatalError`, whose crash report takes longer than the stop itself on a
/// busy machine. Instead kioskd says which services did not stop and exits 1, at once.
///
/// The deadline is kept on a thread of its own, so a blocked task pool cannot hold it.
final class StopDeadline: Sendable {
    /// The services still running, by name (`Tracked` keeps it).
    private let running = Mutex<[String: Int]>([:])
    private let deadline: Duration
    private let logger: Logger
    // The signal sources are kept for the daemon's lifetime (dropped, they stop listening).
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []
    private let armed = Atomic<Bool>(false)

    init(deadline: Duration, logger: Logger) {
        self.deadline = deadline
        self.logger = logger
    }

    /// Starts listening for the stop signals (the service group listens too; both hear them).
    func watch(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        sources = signals.map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.arm() }
            source.resume()
            return source
        }
    }

    /// `service` under its name, counted as running while its `run()` has not returned.
    func tracked(_ configuration: ServiceGroupConfiguration.ServiceConfiguration) -> ServiceGroupConfiguration.ServiceConfiguration {
        // Several services share a type (`UntilShutdown`): their own description names them.
        let name = (configuration.service as? any CustomStringConvertible)?.description ?? "\(type(of: configuration.service))"
        return .init(
            service: Tracked(name: name, inner: configuration.service, deadline: self),
            successTerminationBehavior: configuration.successTerminationBehavior,
            failureTerminationBehavior: configuration.failureTerminationBehavior, serviceName: name)
    }

    fileprivate func started(_ name: String) { running.withLock { $0[name, default: 0] += 1 } }
    fileprivate func ended(_ name: String) {
        running.withLock { running in
            running[name, default: 1] -= 1
            if running[name] == 0 { running[name] = nil }
        }
    }

    private func arm() {
        guard !armed.exchange(true, ordering: .relaxed) else { return }
        let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
        let thread = Thread { [self] in
            Thread.sleep(forTimeInterval: seconds)
            let names = running.withLock { $0.keys.sorted() }
            logger.critical(
                "kioskd did not stop in time; exiting",
                metadata: ["still_running": "\(names.joined(separator: ", "))", "deadline": "\(deadline)"])
            fflush(nil)
            _exit(1)
        }
        thread.start()
    }
}

/// A service counted as running by its `StopDeadline` until its `run()` returns.
private struct Tracked: Service {
    let name: String
    let inner: any Service
    let deadline: StopDeadline

    func run() async throws {
        deadline.started(name)
        defer { deadline.ended(name) }
        try await inner.run()
    }
}
