import Foundation
import HTTPTypes
import Hummingbird
import KioskAPI
import KioskCore
import KioskDevices
import NIOCore

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
