import Dispatch
import KioskCore

/// What the reader of a device delivers.
enum EvdevReaderItem: Sendable {
    /// Whole records read in one go, with the monotonic time they were read.
    case events([InputEvent], monotonic: Int64)
    /// A wake-up asked for with ``EvdevReader/wake(afterMicroseconds:)``.
    case tick(monotonic: Int64)
    /// The device went away or failed; the stream ends after this.
    case gone(TouchError)
}

/// Reads `input_event` records from a non-blocking descriptor when the kernel says there are
/// some (a dispatch read source: no thread blocks in `read(2)`), and wakes its consumer when
/// asked, so that a finger held still still gets its long press.
///
/// `@unchecked Sendable`: the partial-record buffer is touched only on `queue`, and dispatch
/// sources may be scheduled and cancelled from any thread.
final class EvdevReader: @unchecked Sendable {
    let stream: AsyncStream<EvdevReaderItem>
    private let continuation: AsyncStream<EvdevReaderItem>.Continuation
    private let queue: DispatchQueue
    private let readSource: any DispatchSourceRead
    private let timer: any DispatchSourceTimer
    private let device: EvdevDevice
    private var leftover: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: InputEvent.size * 256)

    /// Starts reading `device`; the reader closes the descriptor when it stops.
    init(device: EvdevDevice) {
        self.device = device
        queue = DispatchQueue(label: "kiosk.touch.\(device.path)")
        (stream, continuation) = AsyncStream<EvdevReaderItem>.makeStream(bufferingPolicy: .unbounded)
        readSource = DispatchSource.makeReadSource(fileDescriptor: device.fileDescriptor, queue: queue)
        timer = DispatchSource.makeTimerSource(queue: queue)
        readSource.setEventHandler { [weak self] in self?.drain() }
        readSource.setCancelHandler { [device] in device.close() }
        timer.setEventHandler { [continuation] in
            continuation.yield(.tick(monotonic: EvdevSyscalls.monotonicMicroseconds()))
        }
        timer.schedule(deadline: .distantFuture)
        continuation.onTermination = { [weak self] _ in self?.cancelSources() }
        timer.resume()
        readSource.resume()
    }

    /// Asks for a ``EvdevReaderItem/tick(monotonic:)`` after this long (replacing any earlier
    /// request); `nil` cancels the request.
    func wake(afterMicroseconds delay: Int64?) {
        if let delay {
            timer.schedule(deadline: .now() + .microseconds(Int(max(0, min(delay, 3_600_000_000)))))
        } else {
            timer.schedule(deadline: .distantFuture)
        }
    }

    /// Stops reading and closes the device.
    func stop() { continuation.finish() }

    deinit { cancelSources() }

    private func cancelSources() {
        timer.cancel()
        if !readSource.isCancelled { readSource.cancel() }
    }

    private func drain() {
        var events: [InputEvent] = []
        var end: TouchError?
        reading: while true {
            let result: Int?
            do throws(EvdevSyscalls.Errno) {
                result = try EvdevSyscalls.read(device.fileDescriptor, into: &buffer)
            } catch {
                end =
                    error.meansGone
                    ? TouchError(.deviceGone, "the touch panel at \(device.path) went away", cause: error)
                    : TouchError(.deviceIO, "reading \(device.path) failed", cause: error)
                break reading
            }
            guard let count = result else { break reading }
            if count == 0 {
                end = TouchError(.deviceGone, "the touch panel at \(device.path) closed its stream")
                break reading
            }
            // A pipe may split a record; keep the tail until the rest arrives.
            leftover.append(contentsOf: buffer[0..<count])
            let whole = leftover.count / InputEvent.size * InputEvent.size
            leftover.withUnsafeBytes { raw in
                for offset in stride(from: 0, to: whole, by: InputEvent.size) {
                    events.append(InputEvent(bytes: raw, at: offset))
                }
            }
            leftover.removeFirst(whole)
        }
        if !events.isEmpty {
            continuation.yield(.events(events, monotonic: EvdevSyscalls.monotonicMicroseconds()))
        }
        if let end {
            continuation.yield(.gone(end))
            continuation.finish()
        }
    }
}
