import AsyncHTTPClient
import Foundation
import KioskAPI
import KioskConfig
import NIOCore
import NIOHTTP1

/// Talks to a running `kioskd` over its admin socket.
struct AdminClient {
    let socketPath: String

    /// Where the socket is: `--socket`, `$KIOSK_ADMIN_SOCKET`, the configuration's
    /// `paths.admin_socket`, the system default, or a running demo's socket.
    static func resolve(socket: String?, config: String?) throws -> AdminClient {
        if let socket { return AdminClient(socketPath: socket) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["KIOSK_ADMIN_SOCKET"], !fromEnvironment.isEmpty {
            return AdminClient(socketPath: fromEnvironment)
        }
        if let config {
            do {
                return AdminClient(socketPath: try ConfigurationLoader.load(path: config).paths.adminSocket)
            } catch {
                throw CLIFailure(error.description, exitCode: 2)
            }
        }
        let system = KioskConfiguration().paths.adminSocket
        if FileManager.default.fileExists(atPath: system) { return AdminClient(socketPath: system) }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        let demo = (home as NSString).appendingPathComponent(".local/state/kiosk-demo/admin.sock")
        if FileManager.default.fileExists(atPath: demo) { return AdminClient(socketPath: demo) }
        return AdminClient(socketPath: system)
    }

    func get<Answer: Decodable>(_ path: String, as type: Answer.Type = Answer.self) async throws -> Answer {
        try await send(path, method: .GET)
    }

    func post<Answer: Decodable>(
        _ path: String, as type: Answer.Type = Answer.self, timeout: TimeAmount = .seconds(60)
    ) async throws -> Answer {
        try await send(path, method: .POST, timeout: timeout)
    }

    private func send<Answer: Decodable>(_ path: String, method: HTTPMethod, timeout: TimeAmount = .seconds(60)) async throws -> Answer {
        guard FileManager.default.fileExists(atPath: socketPath) else { throw notRunning() }
        let encoded = socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketPath
        var request = HTTPClientRequest(url: "http+unix://\(encoded)\(path)")
        request.method = method
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw CLIFailure("kioskd did not answer on \(socketPath) in time; see 'journalctl -u kioskd'", exitCode: 3)
        } catch {
            if (error as NSError).domain == NSPOSIXErrorDomain || "\(error)".contains("connect") || "\(error)".contains("refused") {
                throw notRunning()
            }
            throw CLIFailure("cannot talk to kioskd on \(socketPath): \(error)", exitCode: 3)
        }
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let data = Data(body.readableBytesView)
        guard response.status == .ok else {
            if let problem = try? KioskJSON.decoder().decode(ErrorBody.self, from: data) {
                throw CLIFailure(problem.error.message, exitCode: 1)
            }
            throw CLIFailure("kioskd answered \(response.status.code) to \(path)", exitCode: 1)
        }
        do {
            return try KioskJSON.decoder().decode(Answer.self, from: data)
        } catch {
            throw CLIFailure(
                "kioskd's answer to \(path) could not be read (is kioskctl the same version as kioskd?): \(error)", exitCode: 1)
        }
    }

    private func notRunning() -> CLIFailure {
        CLIFailure(
            "kioskd is not running (nothing answers on \(socketPath)). Start it with 'systemctl start kioskd' (or 'make demo'), or point kioskctl at its socket with --socket",
            exitCode: 3)
    }
}

/// A failure with a message for the technician and an exit code scripts can test.
/// Exit codes: 1 the check or action failed, 2 bad input, 3 kioskd not reachable.
struct CLIFailure: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32
    init(_ description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }
}
