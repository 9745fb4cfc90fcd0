import ArgumentParser
import Foundation

/// How to reach the daemon, shared by every command that needs it.
struct AdminOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "The admin socket of kioskd (default: from --config, $KIOSK_ADMIN_SOCKET, /run/kiosk/admin.sock, or a running demo).")
    var socket: String?

    @Option(name: .long, help: "A kiosk.yaml whose paths.admin_socket to use.")
    var config: String?

    func client() throws -> AdminClient { try AdminClient.resolve(socket: socket, config: config) }
}

/// Runs a command body, turning ``CLIFailure`` into its message on stderr and its exit code.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CLIFailure {
        FileHandle.standardError.write(Data("kioskctl: \(failure.description)\n".utf8))
        throw ExitCode(failure.exitCode)
    }
}
