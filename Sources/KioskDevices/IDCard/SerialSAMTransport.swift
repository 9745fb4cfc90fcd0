import KioskCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A reader behind a USB-serial bridge (CH340, PL2303, CP210x) or any tty: 8N1, raw,
/// no flow control, opened exclusively.
public final class SerialSAMTransport: SAMTransport {
    private struct Line {
        var fd: Int32
        var decoder = SAMFrameDecoder()
        var rate: SAMBaudRate
    }

    /// The tty's path.
    public let path: String
    public var name: String { "serial \(path)" }
    // The mutex makes calls from a stray thread safe; in practice the reader's queue is the only caller.
    private let line: Mutex<Line?>

    /// Opens `path` at `rate`, 8N1 raw, and takes it exclusively: `TIOCEXCL` keeps other
    /// (unprivileged) opens out and an advisory `flock` keeps out other kiosk processes.
    public init(path: String, rate: SAMBaudRate = .b115200) throws(IDCardReaderError) {
        self.path = path
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw DescriptorIO.error(errno, "serial \(path): open") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            Glibc.close(fd)
            throw code == EWOULDBLOCK
                ? IDCardReaderError(.busy, "serial \(path): in use by another process")
                : DescriptorIO.error(code, "serial \(path): flock")
        }
        _ = ioctl(fd, UInt(TIOCEXCL))
        do throws(IDCardReaderError) {
            try Self.configure(fd, rate: rate, path: path)
        } catch {
            Glibc.close(fd)
            throw error
        }
        line = Mutex(Line(fd: fd, rate: rate))
    }

    /// The host side's current line speed.
    public var rate: SAMBaudRate? { line.withLock { $0?.rate } }

    /// The speed the tty's settings hold (read back from the kernel).
    public var configuredSpeed: Int? {
        line.withLock { line -> Int? in
            guard let line else { return nil }
            var settings = termios()
            guard tcgetattr(line.fd, &settings) == 0 else { return nil }
            return Self.rates.first { $0.value == cfgetospeed(&settings) }?.key.rawValue
        }
    }

    public func exchange(
        _ request: [UInt8], timeout: Duration, cancellation: IOCancellation
    ) throws(IDCardReaderError)
        -> SAMFrame
    {
        try line.withLock { (line: inout Line?) throws(IDCardReaderError) -> SAMFrame in
            guard var current = line else { throw IDCardReaderError(.disconnected, "\(name): closed") }
            defer { line = current }
            let deadline = ContinuousClock.now + timeout
            // Bytes left from an earlier reply that timed out must not pass for this one's.
            tcflush(current.fd, TCIFLUSH)
            current.decoder.reset()
            try DescriptorIO.writeAll(current.fd, request, until: deadline, cancellation: cancellation, what: name)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                switch try DescriptorIO.waitReadable(current.fd, until: deadline, cancellation: cancellation, what: name) {
                case .timedOut:
                    throw IDCardReaderError(
                        .timeout,
                        "\(name): no complete reply within \(timeout.wholeMilliseconds) ms (\(current.decoder.bufferedByteCount) bytes received)"
                    )
                case .hangUp:
                    throw IDCardReaderError(.disconnected, "\(name): the line hung up (reader unplugged?)")
                case .readable:
                    let fd = current.fd
                    let count = try buffer.withUnsafeMutableBytes { raw in
                        Result { () throws(IDCardReaderError) in try DescriptorIO.readAvailable(fd, into: raw, what: name) }
                    }.get()
                    guard let count else { continue }
                    if count == 0 { throw IDCardReaderError(.disconnected, "\(name): the line hung up (reader unplugged?)") }
                    buffer.withUnsafeBytes { current.decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    do throws(SAMProtocolError) {
                        if let frame = try current.decoder.nextFrame() { return frame }
                    } catch {
                        throw IDCardReaderError(.protocolError, "\(name): \(error.message)", cause: error)
                    }
                }
            }
        }
    }

    public func setLineSpeed(_ rate: SAMBaudRate) throws(IDCardReaderError) {
        try line.withLock { (line: inout Line?) throws(IDCardReaderError) in
            guard let fd = line?.fd else { throw IDCardReaderError(.disconnected, "\(name): closed") }
            tcdrain(fd)
            try Self.configure(fd, rate: rate, path: path)
            line?.rate = rate
        }
    }

    public func close() {
        line.withLock { line in
            if let fd = line?.fd { Glibc.close(fd) }
            line = nil
        }
    }

    deinit { close() }

    private static let rates: [SAMBaudRate: speed_t] = [
        .b115200: speed_t(B115200), .b57600: speed_t(B57600), .b38400: speed_t(B38400), .b19200: speed_t(B19200),
        .b9600: speed_t(B9600),
    ]

    /// Raw mode, 8 data bits, no parity, one stop bit, no flow control, receiver on.
    private static func configure(_ fd: Int32, rate: SAMBaudRate, path: String) throws(IDCardReaderError) {
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else {
            let code = errno
            throw code == ENOTTY
                ? IDCardReaderError(.configuration, "serial \(path): not a terminal device; check the profile's path")
                : DescriptorIO.error(code, "serial \(path): tcgetattr")
        }
        cfmakeraw(&settings)
        settings.c_cflag &= ~(tcflag_t(PARENB) | tcflag_t(CSTOPB) | tcflag_t(CSIZE) | tcflag_t(CRTSCTS))
        settings.c_cflag |= tcflag_t(CS8) | tcflag_t(CLOCAL) | tcflag_t(CREAD)
        settings.c_iflag &= ~(tcflag_t(IXON) | tcflag_t(IXOFF) | tcflag_t(IXANY))
        let speed = rates[rate] ?? speed_t(B115200)
        cfsetispeed(&settings, speed)
        cfsetospeed(&settings, speed)
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else { throw DescriptorIO.error(errno, "serial \(path): tcsetattr") }
    }
}
