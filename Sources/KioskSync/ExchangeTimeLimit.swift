import Foundation
import HTTPTypes
import OpenAPIRuntime

/// One exchange with the platform, request and answer together, within a time limit.
///
/// The HTTP client's own deadline ends when the answer's head arrives; an answer whose body
/// stops coming (a partition in mid-answer) would hold a sync pass forever. Here the body is
/// read in full inside the limit, so a pass always ends and the relay backs off and tries again.
/// The contract's answers are small JSON documents, read whole by the generated client anyway;
/// `maxAnswerBytes` bounds what a misbehaving peer can make the kiosk hold.
struct ExchangeTimeLimit: ClientMiddleware {
    let limit: Duration
    let maxAnswerBytes: Int

    /// The exchange took longer than its limit.
    struct Expired: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "no complete answer within \(limit.components.seconds) s (timed out)" }
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let limit = limit
        let maxAnswerBytes = maxAnswerBytes
        // The group's tasks end before it returns, so `next` does not outlive this call.
        return try await withoutActuallyEscaping(next) { next in
            try await withThrowingTaskGroup(of: (HTTPResponse, HTTPBody?).self) { group in
                group.addTask {
                    let (response, answer) = try await next(request, body, baseURL)
                    guard let answer else { return (response, nil) }
                    let bytes = try await ArraySlice<UInt8>(collecting: answer, upTo: maxAnswerBytes)
                    return (response, HTTPBody(bytes))
                }
                group.addTask {
                    // Cancellation (the exchange finished) ends the sleep early by throwing.
                    try await Task.sleep(for: limit)
                    throw Expired(limit: limit)
                }
                defer { group.cancelAll() }
                // The first to finish decides: the answer, its error, or the expiry.
                guard let first = try await group.next() else { throw Expired(limit: limit) }
                return first
            }
        }
    }
}
