import Foundation
import HTTPTypes
import Hummingbird
import KioskAPI
import KioskCore
import KioskDevices
import Logging
import NIOCore
import Prometheus

/// The local HTTP API on 127.0.0.1: health, metrics, status and the event stream.
/// The citizen's screen (Chromium on the same machine) is its only intended client.
public enum LocalAPI {
    /// Builds the router of the local API.
    public static func router(environment: KioskAPIEnvironment, logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        let routes = Routes(router)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: NoStoreMiddleware())
        router.add(middleware: ContentSecurityMiddleware())
        router.add(middleware: ErrorMiddleware(routes: routes.known, logger: logger))
        router.add(middleware: LocalOriginMiddleware())

        // Liveness: 503 only when the process itself is failing (the watchdog's question).
        // The body also says whether the kiosk is ready for citizens, and why not.
        routes.get("/healthz") { _, _ -> Response in
            let report = await environment.health()
            return try JSONResponse.make(report, status: report.healthy ? .ok : .serviceUnavailable)
        }
        // Readiness: 503 while the kiosk cannot take applications (store, disk, catalogue).
        routes.get("/readyz") { _, _ -> Response in
            let report = await environment.health()
            return try JSONResponse.make(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        routes.get("/metrics") { _, _ -> Response in
            environment.refreshGauges(with: await environment.status())
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let bytes = environment.metrics.emitToBuffer()
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        routes.get("/api/v1/status") { _, _ -> Response in
            try JSONResponse.make(await environment.status())
        }
        routes.get("/api/v1/events") { _, _ -> Response in
            EventStream.response(bus: environment.bus, registry: environment.registry)
        }
        if let session = environment.session {
            SessionRoutes.add(to: routes, session: session)
        }
        if let handwriting = environment.handwriting {
            HandwritingRoutes.add(to: routes, recognizer: handwriting)
        }
        if let voice = environment.voice {
            SpeechRoutes.add(to: routes, voice: voice, session: environment.session)
        }
        if let maintenance = environment.maintenance {
            MaintenanceRoutes.add(to: routes, desk: maintenance)
        }
        if let demo = environment.demo {
            DemoRoutes.add(to: routes, demo: demo)
        }
        if let folder = environment.screenDirectory {
            ScreenFiles.add(to: routes, folder: folder)
        }
        return router
    }
}
