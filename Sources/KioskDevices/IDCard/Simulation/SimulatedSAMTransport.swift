import Foundation
import KioskCore
import Synchronization

/// The simulated SAM in the same process: requests and replies still go through the frame
/// encoder and the streaming decoder byte for byte, chunk by chunk, with the simulator's
/// delays, but no file descriptor is involved.
public final class SimulatedSAMTransport: SAMTransport {
    private struct Line {
        var samDecoder = SAMFrameDecoder()
        var hostDecoder = SAMFrameDecoder()
        var unplugged = false
    }

    public let sam: SimulatedSAM
    public var name: String { "simulator" }
    // Guards both ends' decoders; the reader's queue is the only caller in practice.
    private let line = Mutex(Line())

    /// A transport to `sam`.
    public init(sam: SimulatedSAM) {
        self.sam = sam
    }

    /// Plugs the simulated reader back in after an unplug fault.
    public func replug() {
        sam.powerCycle()
        line.withLock { $0 = Line() }
    }

    public func exchange(
        _ request: [UInt8], timeout: Duration, cancellation: IOCancellation
    ) throws(IDCardReaderError)
        -> SAMFrame
    {
        try line.withLock { (line: inout Line) throws(IDCardReaderError) -> SAMFrame in
            if line.unplugged { throw IDCardReaderError(.disconnected, "simulator: unplugged") }
            line.samDecoder.append(request)
            line.hostDecoder.reset()
            var replies: [SimulatedReply] = []
            while true {
                do throws(SAMProtocolError) {
                    guard let frame = try line.samDecoder.nextFrame() else { break }
                    replies.append(sam.reply(to: frame))
                } catch {
                    replies.append(sam.reply(toMalformed: error))
                }
            }
            let start = ContinuousClock.now
            let deadline = start + timeout
            for reply in replies {
                try Self.wait(reply.delay, until: deadline, cancellation: cancellation, timeout: timeout)
                for (index, chunk) in reply.chunks.enumerated() {
                    if index > 0 { try Self.wait(reply.gap, until: deadline, cancellation: cancellation, timeout: timeout) }
                    line.hostDecoder.append(chunk)
                    do throws(SAMProtocolError) {
                        if let frame = try line.hostDecoder.nextFrame() { return frame }
                    } catch {
                        throw IDCardReaderError(.protocolError, "simulator: \(error.message)", cause: error)
                    }
                }
                if reply.hangUp {
                    line.unplugged = true
                    throw IDCardReaderError(.disconnected, "simulator: unplugged during the reply")
                }
            }
            // Nothing complete arrived: on a real line this is a wait until the timeout.
            try Self.wait(ContinuousClock.now.duration(to: deadline), until: deadline, cancellation: cancellation, timeout: timeout)
            throw IDCardReaderError(.timeout, "simulator: no complete reply within \(timeout.wholeMilliseconds) ms")
        }
    }

    public func close() { line.withLock { $0.unplugged = true } }

    private static func wait(
        _ duration: Duration, until deadline: ContinuousClock.Instant, cancellation: IOCancellation,
        timeout: Duration
    ) throws(IDCardReaderError) {
        guard duration > .zero else { return }
        let end = min(ContinuousClock.now + duration, deadline)
        while ContinuousClock.now < end {
            if cancellation.isCancelled { throw IDCardReaderError(.cancelled, "simulator: cancelled") }
            let slice = min(ContinuousClock.now.duration(to: end), .milliseconds(50))
            Thread.sleep(forTimeInterval: Double(slice.components.seconds) + Double(slice.components.attoseconds) / 1e18)
        }
        if ContinuousClock.now >= deadline && duration > .zero && end == deadline {
            throw IDCardReaderError(.timeout, "simulator: no complete reply within \(timeout.wholeMilliseconds) ms")
        }
    }
}
