import Foundation
import KioskAPI
import KioskConfig
import KioskDevices
import KioskServer
import KioskSession
import KioskStore
import Logging
import ServiceLifecycle
import Synchronization

/// Tells systemd what the daemon is doing: `READY=1` once both APIs listen, `STATUS=` lines
/// when devices change, `WATCHDOG=1` only while the health checks pass, and records the wall
/// clock so a clock set back is noticed.
struct SystemdService: Service {
    let notifier: SystemdNotifier
    let readiness: Readiness
    let watchdogInterval: Duration?
    let health: @Sendable () async -> HealthReport
    let summary: @Sendable () async -> String
    let store: CaseStore
    let bus: EventBus
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await readiness.wait() }
        } catch {
            // Stopped before every listener was bound (SIGTERM at start, or a listener that
            // could not bind): there is no READY=1 to send, and nothing to watch.
            return
        }
        let line = await summary()
        // READY=1 is the one message that must arrive: retry while the queue is full.
        for _ in 0..<100 {
            do {
                try notifier.ready(status: line)
                break
            } catch  where error.wouldBlock {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                logger.warning("systemd notification failed", metadata: ["error": "\(error)"])
                break
            }
        }
        logger.notice("kioskd ready", metadata: ["status": "\(line)"])
        // What only the start ran stays mapped until dropped; the idle daemon maps again what it runs.
        let released = StartupPages.release()
        logger.debug("Startup pages released", metadata: ["memory.released_kb": "\(released)"])

        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await statusLines() }
                group.addTask { await watchdog() }
                group.addTask { await clockRecorder() }
                await group.waitForAll()
            }
        }
    }

    private func statusLines() async {
        var last = ""
        for await _ in bus.subscribe(to: DeviceStatusChange.self) {
            // Counters change often; systemd only needs to hear when the line a human reads does.
            let line = await summary()
            guard line != last else { continue }
            last = line
            notify { try notifier.status(line) }
        }
    }

    private func watchdog() async {
        guard let watchdogInterval else { return }
        var wasHealthy = true
        while !Task.isCancelled {
            let report = await health()
            if report.healthy {
                notify { try notifier.watchdog() }
                if !wasHealthy { logger.notice("Health checks pass again; watchdog resumed") }
            } else {
                let failing = report.checks.filter { !$0.ok }.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
                // No WATCHDOG=1: if this lasts, systemd restarts the daemon, which is the point.
                logger.error("Health check failed; watchdog not fed", metadata: ["failing": "\(failing)"])
                notify { try notifier.status("unhealthy: \(failing)") }
            }
            wasHealthy = report.healthy
            do { try await Task.sleep(for: watchdogInterval) } catch { return }
        }
    }

    private func clockRecorder() async {
        while !Task.isCancelled {
            do {
                try await store.recordWallClock()
            } catch {
                logger.warning("Wall clock could not be recorded", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: .seconds(60)) } catch { return }
        }
    }

    private func notify(_ send: () throws -> Void) {
        do {
            try send()
        } catch let error as NotifyError where error.wouldBlock {
            // Best effort: the next status line or ping will say the same, more recently.
            logger.debug("systemd notification dropped: its queue is full")
        } catch {
            logger.warning("systemd notification failed", metadata: ["error": "\(error)"])
        }
    }
}

/// The last service in the group, so the first told to stop: it says `STOPPING=1` and ends the
/// event streams, so that open browser connections do not hold the HTTP servers open.
struct ShutdownAnnouncer: Service {
    let notifier: SystemdNotifier
    let bus: EventBus
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.notice("kioskd stopping")
        do {
            try notifier.stopping(status: "stopping: finishing requests and releasing devices")
        } catch {
            logger.warning("systemd notification failed", metadata: ["error": "\(error)"])
        }
        bus.close()
    }
}

/// Opens when every listener has bound its socket, so `READY=1` is never sent early.
final class Readiness: Sendable {
    private struct State {
        var pending: Set<String>
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var nextWaiter = 0
        var addresses: [String: String] = [:]
    }

    // Guards the pending listeners, their addresses and the waiting continuations.
    private let state: Mutex<State>

    init(listeners: Set<String>) { state = Mutex(State(pending: listeners)) }

    /// Records that `listener` is bound at `address`.
    func bound(_ listener: String, at address: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.pending.remove(listener)
            state.addresses[listener] = address
            guard state.pending.isEmpty else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Where each listener is bound (`local` → `127.0.0.1:8080`).
    var addresses: [String: String] { state.withLock { $0.addresses } }

    /// Whether every listener is bound.
    var isReady: Bool { state.withLock { $0.pending.isEmpty } }

    /// Waits until every listener is bound; throws `CancellationError` if cancelled first (a
    /// listener that never binds must not hold the daemon's stop).
    func wait() async throws {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    if state.pending.isEmpty { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}
