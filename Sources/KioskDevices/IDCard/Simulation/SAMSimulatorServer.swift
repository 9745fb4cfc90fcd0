import CPosixPTY
import Foundation
import Glibc
import KioskCore
import Synchronization

/// Serves a ``SimulatedSAM`` on a file descriptor from its own thread: the master side of a
/// pseudo-terminal (so the host opens the slave path like a USB-serial reader and the real
/// termios path is exercised), or one end of a packet socket carrying HID reports.
public final class SAMSimulatorServer: Sendable {
    /// How frames are carried on the descriptor.
    public enum Framing: Sendable {
        /// A byte stream (serial line).
        case stream
        /// HID reports, one per packet, each written by the host with a report-ID byte first.
        case hidReports(SAMHIDReportFormat)
    }

    public let sam: SimulatedSAM
    /// The path a host opens: the pseudo-terminal's slave (`/dev/pts/N`), or `nil`.
    public let path: String?
    private let framing: Framing
    private let descriptors: Mutex<(served: Int32, keepAlive: Int32, wake: (read: Int32, write: Int32))>
    private let finished = DispatchSemaphore(value: 0)
    private let running = Atomic<Bool>(false)
    private let sent = Atomic<Int>(0)

    /// How many replies have been written whole: a test waits for a late reply to have
    /// arrived by this count, never by sleeping for its delay.
    public var repliesSent: Int { sent.load(ordering: .acquiring) }

    /// A pseudo-terminal serving `sam`; the host opens ``path``.
    public static func pseudoTerminal(sam: SimulatedSAM) throws(IDCardReaderError) -> SAMSimulatorServer {
        let master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw DescriptorIO.error(errno, "simulator: posix_openpt") }
        var name = [CChar](repeating: 0, count: 128)
        guard grantpt(master) == 0, unlockpt(master) == 0, ptsname_r(master, &name, name.count) == 0 else {
            let code = errno
            Glibc.close(master)
            throw DescriptorIO.error(code, "simulator: pseudo-terminal setup")
        }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Raw from the start, so no byte is echoed or translated before the host opens it;
        // holding a slave open keeps the master from reporting hang-up between host opens.
        var settings = termios()
        tcgetattr(master, &settings)
        cfmakeraw(&settings)
        tcsetattr(master, TCSANOW, &settings)
        let keepAlive = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        return try SAMSimulatorServer(sam: sam, served: master, keepAlive: keepAlive, path: path, framing: .stream)
    }

    /// Serves `sam` on an already open descriptor (a socket for HID tests); takes ownership.
    public convenience init(sam: SimulatedSAM, descriptor: Int32, framing: Framing) throws(IDCardReaderError) {
        try self.init(sam: sam, served: descriptor, keepAlive: -1, path: nil, framing: framing)
    }

    private init(
        sam: SimulatedSAM, served: Int32, keepAlive: Int32, path: String?, framing: Framing
    )
        throws(IDCardReaderError)
    {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw DescriptorIO.error(errno, "simulator: pipe") }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(served, F_SETFL, fcntl(served, F_GETFL) | O_NONBLOCK)
        self.sam = sam
        self.path = path
        self.framing = framing
        self.descriptors = Mutex((served, keepAlive, (pipeEnds[0], pipeEnds[1])))
    }

    /// Starts serving on a new thread.
    public func start() {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "sam-simulator"
        thread.start()
    }

    /// Stops serving and closes every descriptor; waits for the thread to end.
    public func stop() {
        let wake = descriptors.withLock { $0.wake.write }
        if running.load(ordering: .relaxed) {
            var byte: UInt8 = 1
            _ = write(wake, &byte, 1)
            finished.wait()
            running.store(false, ordering: .relaxed)
        }
        descriptors.withLock { fds in
            for fd in [fds.served, fds.keepAlive, fds.wake.read, fds.wake.write] where fd >= 0 { Glibc.close(fd) }
            fds = (-1, -1, (-1, -1))
        }
    }

    deinit { stop() }

    private func serve() {
        let (fd, wake) = descriptors.withLock { ($0.served, $0.wake.read) }
        var decoder = SAMFrameDecoder()
        var reassembler: SAMHIDReassembler?
        if case let .hidReports(format) = framing { reassembler = SAMHIDReassembler(format: format) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            var entries = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&entries, 2, 1000)
            if ready < 0 && errno != EINTR { return }
            if entries[1].revents != 0 { return }
            if entries[0].revents & Int16(POLLIN) == 0 {
                // No host has the line open (hang-up without data): wait for one.
                if entries[0].revents != 0 { usleep(20_000) }
                continue
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 {
                if count < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                usleep(20_000)
                continue
            }
            var replies: [SimulatedReply] = []
            if var hid = reassembler {
                // The host's first byte is the report ID (hidraw's convention).
                let report = Array(buffer[1..<count])
                do throws(SAMProtocolError) {
                    if let frame = try hid.append(report: report) { replies.append(sam.reply(to: frame)) }
                } catch {
                    replies.append(sam.reply(toMalformed: error))
                }
                reassembler = hid
            } else {
                decoder.append(buffer[0..<count])
                while true {
                    do throws(SAMProtocolError) {
                        guard let frame = try decoder.nextFrame() else { break }
                        replies.append(sam.reply(to: frame))
                    } catch {
                        replies.append(sam.reply(toMalformed: error))
                    }
                }
            }
            for reply in replies {
                if !send(reply, on: fd, wake: wake) { return }
                sent.add(1, ordering: .releasing)
            }
        }
    }

    /// Writes a reply with its delays; `false` when serving must end (stopped or unplugged).
    private func send(_ reply: SimulatedReply, on fd: Int32, wake: Int32) -> Bool {
        if !pause(reply.delay, wake: wake) { return false }
        var pieces = reply.chunks
        if case let .hidReports(format) = framing {
            // Reports carry whole frames; garbage and chunking are a byte-stream matter.
            let frameBytes = reply.bytes
            let start = Self.firstPreamble(in: frameBytes) ?? 0
            pieces = format.reports(for: Array(frameBytes[start...]))
        }
        for (index, piece) in pieces.enumerated() {
            if index > 0 && !pause(reply.gap, wake: wake) { return false }
            var offset = 0
            while offset < piece.count {
                let written = piece.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if written > 0 {
                    offset += written
                } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                    usleep(1000)
                } else {
                    return false
                }
            }
        }
        if reply.hangUp {
            // Unplugged: close both the master and the slave kept open, as a pulled cable does.
            descriptors.withLock { fds in
                if fds.keepAlive >= 0 { Glibc.close(fds.keepAlive) }
                if fds.served >= 0 { Glibc.close(fds.served) }
                fds.keepAlive = -1
                fds.served = -1
            }
            return false
        }
        return true
    }

    /// Sleeps, waking early when stopped; `false` if stopped.
    private func pause(_ duration: Duration, wake: Int32) -> Bool {
        guard duration > .zero else { return true }
        var entry = pollfd(fd: wake, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, Int32(duration.wholeMilliseconds)) == 0
    }

    private static func firstPreamble(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 5 else { return nil }
        return (0...(bytes.count - 5)).first { bytes[$0..<$0 + 5].elementsEqual(SAMFrame.preamble) }
    }
}
