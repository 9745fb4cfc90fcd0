import Hummingbird
import NIOCore
import Synchronization

/// What one platform instance takes at once: beyond `maxInFlight` requests it answers 503 with
/// `Retry-After` at once (the kiosk backs off) instead of queueing until everything times out;
/// a body beyond `maxBody` is refused with 413 before it is read.
struct RequestLimits<Context: RequestContext>: RouterMiddleware {
    let maxInFlight: Int
    let maxBody: Int
    let retryAfterSeconds: Int
    private let inFlight = InFlight()

    init(maxInFlight: Int, maxBody: Int, retryAfterSeconds: Int = 2) {
        self.maxInFlight = maxInFlight
        self.maxBody = maxBody
        self.retryAfterSeconds = retryAfterSeconds
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBody {
            return ProblemResponse.make(
                .contentTooLarge, code: "too-large", message: "a request carries at most \(maxBody) bytes; send smaller batches or chunks")
        }
        let taken = inFlight.count.add(1, ordering: .relaxed).newValue
        defer { inFlight.count.subtract(1, ordering: .relaxed) }
        guard taken <= maxInFlight else {
            var response = ProblemResponse.make(
                .serviceUnavailable, code: "overloaded", message: "the platform is busy; try again after Retry-After seconds")
            response.headers[.retryAfter] = String(retryAfterSeconds)
            return response
        }
        var request = request
        if request.headers[.contentLength] == nil {
            // A body without a declared length is counted as it streams.
            let limit = maxBody
            request.body = RequestBody(asyncSequence: BoundedBody(base: request.body, limit: limit))
        }
        return try await next(request, context)
    }
}

/// A request body that fails once more than `limit` bytes came.
struct BoundedBody<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let base: Base
    let limit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += buffer.readableBytes
            if seen > limit { throw RequestTooLarge(limit: limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit) }
}

/// The count of requests being served, shared by every copy of the middleware.
final class InFlight: Sendable {
    let count = Atomic<Int>(0)
}

/// A streamed body went past the limit.
struct RequestTooLarge: Error {
    let limit: Int
}
