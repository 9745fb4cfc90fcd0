import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A proxy between a kiosk and the platform on 127.0.0.1 that misbehaves on demand, as the
/// networks in front of real kiosks do: it loses the platform's answer after the platform
/// committed, or answers itself like a captive portal. Stops when dropped.
final class FaultyProxy: Sendable {
    enum Fault: Sendable {
        /// Pass the request and the answer.
        case none
        /// Pass the request, then lose the answer: the platform committed, the kiosk hears a 502 page.
        case loseAnswer
        /// Answer 200 with a login page, never reaching the platform.
        case captivePortal
        /// Answer 503 with `Retry-After`.
        case busy(seconds: Int)
        /// Pass the request, then send the answer's head and half its body, and go silent (a
        /// partition in mid-answer) until the proxy stops.
        case stallAnswer
    }

    let address: String
    private let fault = Mutex<(Fault, remaining: Int)>((.none, 0))
    private let served = Atomic<Int>(0)
    private let task: Task<Void, any Error>

    /// Faults the next `count` requests (then passes again).
    func inject(_ fault: Fault, count: Int = .max) { self.fault.withLock { $0 = (fault, count) } }

    /// Requests that reached the proxy.
    var requests: Int { served.load(ordering: .relaxed) }

    private init(address: String, task: Task<Void, any Error>) {
        self.address = address
        self.task = task
    }

    deinit { task.cancel() }

    static func start(upstream: String) async throws -> FaultyProxy {
        let state = Box()
        let router = Router()
        router.on("**", method: .get) { request, context in try await state.forward(request, context: context, upstream: upstream) }
        router.on("**", method: .post) { request, context in try await state.forward(request, context: context, upstream: upstream) }
        router.on("**", method: .patch) { request, context in try await state.forward(request, context: context, upstream: upstream) }
        router.on("**", method: .head) { request, context in try await state.forward(request, context: context, upstream: upstream) }
        var logger = Logger(label: "faulty-proxy")
        logger.logLevel = .critical
        let (ports, port) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { port.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else { throw CancellationError() }
        let proxy = FaultyProxy(address: "http://127.0.0.1:\(bound)", task: task)
        state.proxy.withLock { $0 = proxy }
        return proxy
    }

    /// The next fault, counting it down.
    fileprivate func take() -> Fault {
        served.add(1, ordering: .relaxed)
        return fault.withLock { state in
            guard state.remaining > 0 else { return .none }
            state.remaining -= 1
            return state.0
        }
    }

    /// Holds the proxy weakly for the routes.
    final class Box: Sendable {
        let proxy = Mutex<FaultyProxy?>(nil)

        func forward(_ request: Request, context: BasicRequestContext, upstream: String) async throws -> Response {
            let fault = proxy.withLock { $0 }?.take() ?? .none
            switch fault {
            case .captivePortal:
                return Self.page(.ok, "<html><body><h1>Welcome to Hall Wi-Fi</h1><a href=/login>Log in</a></body></html>")
            case let .busy(seconds):
                var response = Self.page(.serviceUnavailable, "<html>busy</html>")
                response.headers[.retryAfter] = String(seconds)
                return response
            case .none, .loseAnswer, .stallAnswer:
                var outgoing = HTTPClientRequest(url: upstream + request.uri.description)
                outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
                for field in request.headers {
                    outgoing.headers.add(name: field.name.rawName, value: field.value)
                }
                let body = try await request.body.collect(upTo: 64 << 20)
                outgoing.body = .bytes(body)
                let answer = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(30))
                let bytes = try await answer.body.collect(upTo: 64 << 20)
                if case .loseAnswer = fault { return Self.page(.badGateway, "<html><body>502 Bad Gateway</body></html>") }
                var headers = HTTPFields()
                for (name, value) in answer.headers {
                    if let field = HTTPField.Name(name), field != .contentLength, field != .transferEncoding { headers[field] = value }
                }
                if case .stallAnswer = fault {
                    headers[.contentLength] = String(bytes.readableBytes)
                    let half = bytes.getSlice(at: bytes.readerIndex, length: bytes.readableBytes / 2) ?? ByteBuffer()
                    return Response(
                        status: .init(code: Int(answer.status.code)), headers: headers,
                        body: ResponseBody { writer in
                            try await writer.write(half)
                            // Silent until the proxy is dropped (its server is cancelled).
                            try await Task.sleep(for: .seconds(300))
                        })
                }
                return Response(status: .init(code: Int(answer.status.code)), headers: headers, body: .init(byteBuffer: bytes))
            }
        }

        static func page(_ status: HTTPResponse.Status, _ html: String) -> Response {
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }
}
