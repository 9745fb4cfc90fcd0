import KioskCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The system calls the file-descriptor transports and the simulator server share: one
/// place that retries on `EINTR`, honours deadlines and cancellation, and turns `errno`
/// into ``IDCardReaderError``s.
enum DescriptorIO {
    /// What waiting for input found.
    enum Readiness {
        case readable
        case hangUp
        case timedOut
    }

    /// The longest a poll blocks before checking for cancellation.
    static let cancellationCheckInterval = 50

    /// Waits until `fd` is readable, hung up, or the deadline passes.
    static func waitReadable(
        _ fd: Int32, until deadline: ContinuousClock.Instant, cancellation: IOCancellation?, what: @autoclosure () -> String
    ) throws(IDCardReaderError) -> Readiness {
        while true {
            if cancellation?.isCancelled == true { throw IDCardReaderError(.cancelled, "\(what()): cancelled") }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return .timedOut }
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let slice = min(remaining.wholeMilliseconds, cancellationCheckInterval)
            let result = poll(&entry, 1, Int32(slice))
            if result < 0 {
                if errno == EINTR { continue }
                throw error(errno, "\(what()): poll")
            }
            if result == 0 { continue }
            if entry.revents & Int16(POLLIN) != 0 { return .readable }
            if entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return .hangUp }
        }
    }

    /// Reads what is available (at most `buffer.count` bytes); `0` means end of file or hang-up.
    static func readAvailable(
        _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, what: @autoclosure () -> String
    )
        throws(IDCardReaderError) -> Int?
    {
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw error(errno, "\(what()): read")
            }
        }
    }

    /// Writes all of `bytes` before the deadline.
    static func writeAll(
        _ fd: Int32, _ bytes: [UInt8], until deadline: ContinuousClock.Instant, cancellation: IOCancellation?,
        what: @autoclosure () -> String
    ) throws(IDCardReaderError) {
        var offset = 0
        while offset < bytes.count {
            if cancellation?.isCancelled == true { throw IDCardReaderError(.cancelled, "\(what()): cancelled") }
            let written = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, raw.count - offset) }
            if written > 0 {
                offset += written
                continue
            }
            let code = errno
            if written < 0 && code == EINTR { continue }
            if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                let remaining = ContinuousClock.now.duration(to: deadline)
                if remaining <= .zero { throw IDCardReaderError(.timeout, "\(what()): the line did not take the request in time") }
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, Int32(min(remaining.wholeMilliseconds, cancellationCheckInterval)))
                continue
            }
            throw error(written < 0 ? code : EIO, "\(what()): write")
        }
    }

    /// The reader error for a failed system call.
    static func error(_ code: Int32, _ context: String) -> IDCardReaderError {
        let reason = String(cString: strerror(code))
        switch code {
        case EIO, ENXIO, ENODEV, EPIPE, ESHUTDOWN, ECONNRESET:
            return IDCardReaderError(.disconnected, "\(context): the device went away (\(reason))")
        case ENOENT:
            return IDCardReaderError(.notFound, "\(context): \(reason)")
        case EBUSY:
            return IDCardReaderError(.busy, "\(context): in use by another process (\(reason))")
        case EACCES, EPERM:
            return IDCardReaderError(.permissionDenied, "\(context): \(reason); check the udev rule for the reader")
        default:
            return IDCardReaderError(.io, "\(context): \(reason)")
        }
    }
}
