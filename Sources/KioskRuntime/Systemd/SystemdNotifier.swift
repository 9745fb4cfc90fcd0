import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The systemd notify protocol, without libsystemd: one datagram per message to the unix
/// socket named by `$NOTIFY_SOCKET` (a leading `@` names the abstract namespace).
///
/// Outside systemd (no `$NOTIFY_SOCKET`) every call does nothing, so the daemon runs the
/// same way by hand, in tests and under the service manager.
public struct SystemdNotifier: Sendable {
    /// The socket address, or `nil` when not run by systemd.
    public let socketPath: String?

    /// Reads `$NOTIFY_SOCKET` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"]
        socketPath = (path?.isEmpty ?? true) ? nil : path
    }

    /// Whether messages go anywhere.
    public var isEnabled: Bool { socketPath != nil }

    /// `READY=1`: the daemon serves; systemd starts the units that wait for it.
    public func ready(status: String) throws(NotifyError) { try send("READY=1\nSTATUS=\(status)") }
    /// `STATUS=`: one line a human reads in `systemctl status`.
    public func status(_ text: String) throws(NotifyError) { try send("STATUS=\(text)") }
    /// `WATCHDOG=1`: the daemon is alive and its health checks pass.
    public func watchdog() throws(NotifyError) { try send("WATCHDOG=1") }
    /// `STOPPING=1`: a graceful stop has begun.
    public func stopping(status: String) throws(NotifyError) { try send("STOPPING=1\nSTATUS=\(status)") }

    /// Sends one notification datagram.
    public func send(_ message: String) throws(NotifyError) {
        guard let socketPath else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw NotifyError(operation: "socket", errno: errno) }
        defer { close(descriptor) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw NotifyError(operation: "address", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        // Abstract names are not NUL-terminated: the length says where they end.
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { buffer in
                    var result: Int
                    repeat {
                        // Never block: a full receive queue (systemd busy, or a test not reading)
                        // must not stall a thread of the cooperative pool, and with it the daemon.
                        result = sendto(
                            descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), socketAddress, length)
                    } while result < 0 && errno == EINTR
                    return result
                }
            }
        }
        guard sent == bytes.count else { throw NotifyError(operation: "sendto", errno: errno) }
    }

    /// The watchdog interval systemd asks for, halved as `sd_watchdog_enabled(3)` recommends;
    /// `nil` when no watchdog is set or it is meant for another process.
    public static func watchdogInterval(
        environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()
    ) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], let ownerPID = Int32(owner), ownerPID != pid { return nil }
        return .microseconds(Int64(microseconds / 2))
    }
}

/// A notification that could not be sent (the daemon goes on: systemd's own timeouts apply).
public struct NotifyError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    public var description: String { "systemd notification failed in \(operation): \(String(cString: strerror(errno)))" }

    /// The receiver's queue is full: the message was not sent and may be sent again later.
    public var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }
}
