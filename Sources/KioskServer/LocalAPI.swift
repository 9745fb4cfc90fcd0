import Foundation
import HTTPTypes
import Hummingbird
import KioskCore
import KioskDevices
import Logging
import NIOCore
import Prometheus

/// The local HTTP API on 127.0.0.1: health, metrics, status and the event stream.
/// The citizen's screen (Chromium on the same machine) is its only intended client.
public enum LocalAPI {
    /// Builds the router of the local API.
    public static func router(environment: KioskAPIEnvironment) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: NoStoreMiddleware())
        router.add(middleware: ContentSecurityMiddleware())

        router.get("/healthz") { _, _ -> Response in
            let report = await environment.health()
            return try JSONResponse.make(report, status: report.healthy ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ -> Response in
            environment.refreshGauges(with: await environment.status())
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let bytes = environment.metrics.emitToBuffer()
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("/api/v1/status") { _, _ -> Response in
            try JSONResponse.make(await environment.status())
        }
        router.get("/api/v1/events") { _, _ -> Response in
            EventStream.response(bus: environment.bus, registry: environment.registry)
        }
        if let session = environment.session {
            SessionRoutes.add(to: router, session: session)
        }
        if let demo = environment.demo {
            DemoRoutes.add(to: router, demo: demo)
        }
        if let folder = environment.screenDirectory {
            ScreenFiles.add(to: router, folder: folder)
        }
        return router
    }
}

/// Personal data may pass through these answers: no cache, no proxy, no browser may keep them.
struct NoStoreMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// The screen loads nothing from anywhere but the kiosk itself, runs no inline script, and
/// cannot be framed: a value typed into the form can never become code.
struct ContentSecurityMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// JSON answers encoded the same way everywhere (ISO 8601 dates, sorted keys).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try KioskJSON.encoder().encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        (try? make(APIErrorBody(code: code, message: message), status: status))
            ?? Response(status: status)
    }
}

/// Server-sent events: one `event:`/`data:` pair per bus event, beginning with a snapshot of
/// every device, so that a page that (re)connects never shows a stale state.
enum EventStream {
    struct Snapshot: BusEvent {
        static let topic = "device.snapshot"
        var devices: [DeviceStatus]
    }

    static func response(bus: EventBus, registry: DeviceRegistry) -> Response {
        // Subscribe before the snapshot so that no change can fall between the two.
        let subscription = bus.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            try await writer.write(frame(Snapshot(devices: await registry.all())))
            for await event in subscription {
                try await writer.write(frame(event))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// A card read is announced without the card: the page asks its session for what it may show.
    struct CardReadNotice: BusEvent {
        static let topic = IDCardRead.topic
        var device: DeviceID
        var type: String
        var at: Date
    }

    static func frame(_ event: any BusEvent) -> ByteBuffer {
        let shown: any BusEvent =
            if let read = event as? IDCardRead {
                CardReadNotice(device: read.device, type: read.card.type.rawValue, at: read.at)
            } else { event }
        let data = (try? KioskJSON.encoder().encode(shown)) ?? Data("{}".utf8)
        var buffer = ByteBuffer()
        buffer.writeString("event: \(type(of: event).topic)\ndata: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}
