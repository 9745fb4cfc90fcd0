import NIOCore
import ServiceLifecycle

/// One of the daemon's HTTP servers. Its listening socket is bound inside the service group,
/// after the check at start, so another program can still take the address in between: a
/// bind that fails then ends the daemon as the check would have (exit 1, the address and what
/// to do), by a graceful stop of the group rather than a cancellation.
struct Listener: Service, CustomStringConvertible {
    /// The readiness name of the listener (`local`, `admin`).
    let description: String
    let server: any Service
    let readiness: Readiness
    /// The technician's words for a failed `bind`, from its errno.
    let explain: @Sendable (_ errno: Int32, _ underlying: any Error & Sendable) -> DaemonError

    func run() async throws {
        do {
            try await server.run()
        } catch let error as IOError where readiness.addresses[description] == nil {
            throw explain(error.errnoCode, error)
        }
    }

    /// The group's entry for this listener: its failure stops the other services gracefully,
    /// in reverse order, as SIGTERM does.
    var configuration: ServiceGroupConfiguration.ServiceConfiguration {
        .init(service: self, failureTerminationBehavior: .gracefullyShutdownGroup)
    }
}
