import Foundation
import KioskConfig
import KioskCore
@_spi(Testing) import KioskRuntime
import Logging
import Prometheus
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The check at start cannot close the window before the servers bind: another program may
/// take an address in between. kioskd runs here in the test's process, so that a test can take
/// the address at exactly that moment; the daemon must then fail as the check would have.
@Suite("A listener's address taken after the check at start", .serialized)
struct ListenerRaceTests {
    @Test("The local API's port taken between the check and the bind: the address and what to do, a clean stop, no crash")
    func portTakenAfterCheck() async throws {
        let scratch = try Scratch()
        let port = try unusedPort()
        let config = try daemonConfiguration(in: scratch)
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "port: 0", with: "port: \(port)")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let holder = PortHolder()
        var daemon = try inProcessDaemon(config)
        daemon.afterListenerCheck = { try holder.take(port) }

        let error = try await #require(throws: DaemonError.self) { try await daemon.run() }
        #expect(holder.isHolding)
        #expect(error.code == .listener)
        #expect(error.message.contains("cannot listen on 127.0.0.1:\(port)"), "\(error.message)")
        #expect(error.message.contains("in use by another program"))
        #expect(error.message.contains("set api.port"))
        // The admin API had bound: the graceful stop closed it, so nothing answers there now.
        #expect(!UnixSocketProbe.answers(scratch.file("admin.sock")))
    }

    @Test("The admin socket's folder removed between the check and the bind: the folder and what to do, a clean stop, no crash")
    func adminFolderGoneAfterCheck() async throws {
        let scratch = try Scratch()
        let config = try daemonConfiguration(in: scratch)
        let folder = scratch.file("run")
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
            of: "admin_socket: \(scratch.file("admin.sock"))", with: "admin_socket: \(folder)/admin.sock")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        var daemon = try inProcessDaemon(config)
        #expect(daemon.configuration.paths.adminSocket == "\(folder)/admin.sock")
        daemon.afterListenerCheck = { try FileManager.default.removeItem(atPath: folder) }

        let error = try await #require(throws: DaemonError.self) { try await daemon.run() }
        #expect(error.code == .listener)
        #expect(error.message.contains("admin socket's folder \(folder) does not exist"), "\(error.message)")
    }

    private func inProcessDaemon(_ config: String) throws -> KioskDaemon {
        KioskDaemon(
            configuration: try ConfigurationLoader.load(path: config), configurationPath: config, redactor: Redactor(),
            metrics: PrometheusCollectorRegistry(), logger: Logger(label: "kioskd-under-test"))
    }
}

/// A port nothing listens on now: bound to port 0 and released.
private func unusedPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
    try #require(bound == 0)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return address
}

/// Another program's listening socket on a port, held until the test ends.
private final class PortHolder: Sendable {
    // Guards the descriptor taken by the daemon's hook and closed when the test ends.
    private let descriptor = Mutex<Int32?>(nil)

    var isHolding: Bool { descriptor.withLock { $0 != nil } }

    func take(_ port: Int) throws {
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(taken, 1) == 0 else {
            close(taken)
            throw POSIXError(.EADDRINUSE)
        }
        descriptor.withLock { $0 = taken }
    }

    deinit { descriptor.withLock { $0.map { _ = close($0) } } }
}

/// Whether something accepts connections on a unix socket.
private enum UnixSocketProbe {
    static func answers(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}
