import Dispatch

/// One device's blocking C calls (libcups requests, `poll(2)` on a printer, a card reader's
/// serial line), run one at a time on the device's own serial dispatch queue.
///
/// A blocking call made straight from an async function would hold one of the few threads of
/// Swift's cooperative pool; here the calling task suspends while a dispatch thread blocks.
/// Calls run in the order they reach the queue and never overlap, so one device's commands
/// never interleave on the wire.
final class BlockingCallQueue: Sendable {
    private let queue: DispatchQueue

    /// A queue named `label` (shown in debuggers and crash reports).
    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `body` on the queue after the calls before it; returns what it returns, or throws
    /// what it throws. Cancelling the calling task does not stop `body`.
    func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        try await enqueue { Result { () throws(E) -> T in try body() } }.get()
    }

    /// Runs `body` on the queue after the calls before it, telling it when the calling task is
    /// cancelled: `body` polls the ``IOCancellation`` it is given and stops early. A call whose
    /// task is cancelled before the call starts is skipped and throws `skipped` instead.
    func run<T: Sendable, E: Error>(
        ifCancelledBeforeStart skipped: E, _ body: @escaping @Sendable (IOCancellation) throws(E) -> T
    ) async throws(E) -> T {
        let cancellation = IOCancellation()
        return try await withTaskCancellationHandler {
            await enqueue {
                if cancellation.isCancelled { return .failure(skipped) }
                return Result { () throws(E) -> T in try body(cancellation) }
            }
        } onCancel: {
            cancellation.cancel()
        }.get()
    }

    /// Runs `work` on the queue and resumes the caller exactly once, with its result.
    private func enqueue<T: Sendable, E: Error>(_ work: @escaping @Sendable () -> Result<T, E>) async -> Result<T, E> {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
