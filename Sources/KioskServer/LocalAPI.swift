import Foundation
import Hummingbird
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

    static func frame(_ event: any BusEvent) -> ByteBuffer {
        let data = (try? KioskJSON.encoder().encode(event)) ?? Data("{}".utf8)
        var buffer = ByteBuffer()
        buffer.writeString("event: \(type(of: event).topic)\ndata: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}
