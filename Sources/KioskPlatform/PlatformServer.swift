import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import KioskSyncAPI
import Logging
import NIOCore
import NIOSSL
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// The reference platform's HTTP server: the sync contract under `/sync/v1` for authenticated
/// kiosks, and the contract itself at `GET /openapi.yaml`.
public enum PlatformServer {
    /// The router of one platform instance; any number of instances can serve one database.
    /// `maxInFlight` requests at once (then 503 with Retry-After); `maxBody` bytes per request (then 413).
    public static func router(
        service: SyncService, authenticator: any KioskAuthenticator, enrolment: PlatformEnrolment? = nil, maxInFlight: Int = 512,
        maxBody: Int = 16 << 20
    ) throws -> Router<PlatformRequestContext> {
        let router = Router(context: PlatformRequestContext.self)
        router.add(middleware: ProblemMiddleware(methods: ContractPaths(document: SyncAPIDocument.yaml)))
        router.add(middleware: RequestLimits(maxInFlight: maxInFlight, maxBody: maxBody))
        router.add(middleware: KioskAuthentication(authenticator: authenticator))
        router.get("/openapi.yaml") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: SyncAPIDocument.yaml)))
        }
        if let enrolment { addEnrolment(enrolment, to: router) }
        addVerification(service.storage, timeZone: service.timeZone, to: router)
        try service.registerHandlers(on: router, serverURL: try Servers.Server1.url(), configuration: .sync)
        return router
    }

    /// The application listening on `host:port` (port 0: any free port, reported by
    /// `onServerRunning`), over TLS when `tls` is given.
    public static func application<Context: RequestContext>(
        router: Router<Context>, host: String, port: Int, tls: TLSConfiguration? = nil, logger: Logger,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> any Service where Context: InitializableFromSource<ApplicationRequestContextSource> {
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: "kiosk-platform")
        guard let tls else {
            return Application(router: router, configuration: configuration, onServerRunning: onServerRunning, logger: logger)
        }
        return Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration,
            onServerRunning: onServerRunning, logger: logger)
    }
}
