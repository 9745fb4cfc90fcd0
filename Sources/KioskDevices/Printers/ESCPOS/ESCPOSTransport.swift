import Foundation
import KioskCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A byte pipe to an ESC/POS printer: the kernel's `/dev/usb/lp*` (usblp, bidirectional),
/// a serial port, or a pseudo-terminal whose other end is the simulator.
public protocol ESCPOSTransport: Sendable {
    /// Writes all of `bytes`, or throws.
    func write(_ bytes: [UInt8]) async throws(ESCPOSError)
    /// Reads at most `count` bytes, waiting up to `timeout`; empty when nothing came.
    func read(upTo count: Int, timeout: Duration) async throws(ESCPOSError) -> [UInt8]
    /// Drops bytes already waiting to be read (stale answers after a timeout).
    func discardInput() async
}

/// A character device opened by path: `/dev/usb/lp0`, `/dev/ttyUSB0`, or a pty.
///
/// Reads and writes run on the device's own ``BlockingCallQueue`` with `poll(2)` timeouts, so
/// a printer that stops answering never blocks the daemon's threads.
public final class CharacterDeviceTransport: ESCPOSTransport {
    /// The device's path.
    public let path: String
    private let calls: BlockingCallQueue
    // The mutex guards the file descriptor so it is never used after close.
    private let descriptor: Mutex<Int32>
    private let writeTimeout: Duration

    /// Opens `path` for reading and writing.
    public init(path: String, writeTimeout: Duration = .seconds(5)) throws(ESCPOSError) {
        let fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw ESCPOSError(errno == ENOENT ? .noDevice : .io, "cannot open \(path): \(reason)")
        }
        // A tty (serial port, pty) must pass bytes untouched: no echo, no newline mapping.
        if isatty(fd) == 1 {
            var settings = termios()
            if tcgetattr(fd, &settings) == 0 {
                cfmakeraw(&settings)
                _ = tcsetattr(fd, TCSANOW, &settings)
            }
        }
        self.path = path
        self.descriptor = Mutex(fd)
        self.writeTimeout = writeTimeout
        self.calls = BlockingCallQueue(label: "kiosk.escpos.\(path)")
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
        }
    }

    public func write(_ bytes: [UInt8]) async throws(ESCPOSError) {
        let timeoutMilliseconds = Int32(writeTimeout.components.seconds * 1000)
        try await perform { fd throws(ESCPOSError) in
            var offset = 0
            while offset < bytes.count {
                var request = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&request, 1, max(timeoutMilliseconds, 100))
                if ready < 0, errno == EINTR { continue }
                guard ready > 0 else { throw ESCPOSError(.timeout, "the printer accepts no data (buffer full or offline)") }
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    // usblp answers ENODEV once the printer is unplugged.
                    let code: ESCPOSError.Code = errno == ENODEV || errno == EIO ? .noDevice : .io
                    throw ESCPOSError(code, "writing to \(self.path) failed: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    public func read(upTo count: Int, timeout: Duration) async throws(ESCPOSError) -> [UInt8] {
        let parts = timeout.components
        let milliseconds = Int32(parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000)
        return try await perform { fd throws(ESCPOSError) in
            var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            var ready: Int32
            repeat { ready = poll(&request, 1, milliseconds) } while ready < 0 && errno == EINTR
            guard ready > 0 else { return [] }
            var buffer = [UInt8](repeating: 0, count: max(1, count))
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EAGAIN { return [] }
                let code: ESCPOSError.Code = errno == ENODEV || errno == EIO ? .noDevice : .io
                throw ESCPOSError(code, "reading from \(self.path) failed: \(String(cString: strerror(errno)))")
            }
            if got == 0, request.revents & Int16(POLLHUP) != 0 {
                throw ESCPOSError(.noDevice, "\(self.path) was disconnected")
            }
            return Array(buffer[..<got])
        }
    }

    public func discardInput() async {
        while let bytes = try? await read(upTo: 256, timeout: .zero), !bytes.isEmpty {}
    }

    /// Runs `body` with the descriptor on the device's queue.
    private func perform<T: Sendable>(_ body: @escaping @Sendable (Int32) throws(ESCPOSError) -> T) async throws(ESCPOSError) -> T {
        try await calls.run { [self] () throws(ESCPOSError) -> T in
            try descriptor.withLock { fd throws(ESCPOSError) -> T in try body(fd) }
        }
    }
}
