import Foundation
import HTTPTypes
import Hummingbird
import KioskSyncAPI
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// The reference platform's HTTP server: the sync contract under `/sync/v1` for authenticated
/// kiosks, and the contract itself at `GET /openapi.yaml`.
public enum PlatformServer {
    /// The router of one platform instance; any number of instances can serve one database.
    /// `maxInFlight` requests at once (then 503 with Retry-After); `maxBody` bytes per request (then 413).
    public static func router(
        service: SyncService, authenticator: any KioskAuthenticator, maxInFlight: Int = 512, maxBody: Int = 16 << 20
    ) throws -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ProblemMiddleware(methods: ContractPaths(document: SyncAPIDocument.yaml)))
        router.add(middleware: RequestLimits(maxInFlight: maxInFlight, maxBody: maxBody))
        router.add(middleware: KioskAuthentication(authenticator: authenticator))
        router.get("/openapi.yaml") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: SyncAPIDocument.yaml)))
        }
        try service.registerHandlers(on: router, serverURL: try Servers.Server1.url(), configuration: .sync)
        return router
    }

    /// The application listening on `host:port` (port 0: any free port, reported by `onServerRunning`).
    public static func application(
        router: Router<BasicRequestContext>, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "kiosk-platform"),
            onServerRunning: onServerRunning, logger: logger)
    }
}
