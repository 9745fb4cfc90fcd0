import Foundation
import KioskConfig

#if canImport(Glibc)
    import Glibc
#endif

/// Listeners checked before the services start, so that a taken address is said before the
/// store and the devices are opened: the technician reads which address, why, and what to do.
/// The servers bind later, inside the service group; an address taken in between fails their
/// bind, which `Listener` reports in the same words (and stops the group gracefully).
extension KioskDaemon {
    static func checkListeners(_ configuration: KioskConfiguration) throws {
        try checkLocalAPI(host: configuration.api.host, port: configuration.api.port)
        try checkAdminSocket(at: configuration.paths.adminSocket)
    }

    /// Binds the local API's address once and lets it go: taken, forbidden or unknown is said now.
    static func checkLocalAPI(host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw DaemonError(.listener, "the local API's host '\(host)' is not an address of this machine: set api.host in kiosk.yaml")
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return }
        throw localAPIListenError(errno: errno, host: host, port: port)
    }

    /// Why the local API cannot listen, from the `bind` error, in words for the technician: the
    /// same words whether the check at start or the server's own bind found it.
    static func localAPIListenError(errno cause: Int32, host: String, port: Int, underlying: (any Error & Sendable)? = nil) -> DaemonError {
        let address = "\(host):\(port)"
        switch cause {
        case EADDRINUSE:
            return DaemonError(
                .listener,
                "the local API cannot listen on \(address): the address is in use by another program "
                    + "(see which with: ss -ltnp 'sport = :\(port)'); stop it, or set api.port in kiosk.yaml", cause: underlying)
        case EACCES:
            return DaemonError(
                .listener,
                "the local API may not listen on \(address): ports below 1024 need privileges kioskd does not have; "
                    + "set api.port to 1024 or above in kiosk.yaml", cause: underlying)
        case EADDRNOTAVAIL:
            return DaemonError(
                .listener, "the local API cannot listen on \(address): \(host) is not an address of this machine", cause: underlying)
        default:
            return DaemonError(
                .listener, "the local API cannot listen on \(address): \(String(cString: strerror(cause)))", cause: underlying)
        }
    }

    /// Why the admin API cannot listen on its socket, from the `bind` error.
    static func adminSocketListenError(errno cause: Int32, path: String, underlying: (any Error & Sendable)? = nil) -> DaemonError {
        let folder = (path as NSString).deletingLastPathComponent
        switch cause {
        case ENOENT, ENOTDIR:
            return DaemonError(
                .listener, "the admin socket's folder \(folder) does not exist: create it (systemd's RuntimeDirectory=kiosk does)",
                cause: underlying)
        case EACCES, EPERM, EROFS:
            return DaemonError(
                .listener, "kioskd may not create its admin socket in \(folder): give its user write access, or set paths.admin_socket",
                cause: underlying)
        case EADDRINUSE:
            return DaemonError(
                .listener, "the admin socket \(path) is held by another program: stop it, or set paths.admin_socket", cause: underlying)
        default:
            return DaemonError(
                .listener, "the admin API cannot listen on \(path): \(String(cString: strerror(cause)))", cause: underlying)
        }
    }

    /// The admin socket's folder must exist and be writable; a stale socket file must be removable.
    static func checkAdminSocket(at path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw adminSocketListenError(errno: ENOENT, path: path)
        }
        guard access(folder, W_OK) == 0 else { throw adminSocketListenError(errno: EACCES, path: path) }
        try removeStaleSocket(at: path)
        if FileManager.default.fileExists(atPath: path) {
            throw DaemonError(.listener, "a stale admin socket \(path) cannot be removed: remove it, then start kioskd again")
        }
    }
}
