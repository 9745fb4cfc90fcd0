import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// The contract's one error shape, `{"error": {"code", "message"}}`, for answers made outside
/// the generated handlers (authentication, unknown paths, overload).
enum ProblemResponse {
    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    static func make(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        let data = (try? JSONEncoder().encode(Body(error: .init(code: code, message: message)))) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns errors at the edge into the contract's error shape.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The contract's paths and their methods, so that a wrong method answers 405 with `Allow`.
    let methods: ContractPaths

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            guard let allowed = methods.allowed(path: request.uri.path), !allowed.contains(request.method.rawValue) else {
                return ProblemResponse.make(.notFound, code: "not-found", message: "no such path in the sync contract")
            }
            var response = ProblemResponse.make(
                .methodNotAllowed, code: "method-not-allowed", message: "\(request.method) is not part of the contract here")
            response.headers[.allow] = allowed.sorted().joined(separator: ", ")
            return response
        } catch let error as any HTTPResponseError {
            let code = error.status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-")
            return ProblemResponse.make(error.status, code: code, message: (error as? HTTPError)?.body ?? error.status.reasonPhrase)
        } catch let error as ServerError {
            // A handler's own failure comes wrapped; a request the generated code could not
            // decode comes with its decoding error.
            if let platform = error.underlyingError as? PlatformError {
                return Self.answer(platform)
            }
            if let tooLarge = error.underlyingError as? RequestTooLarge {
                return ProblemResponse.make(
                    .contentTooLarge, code: "too-large", message: "a request carries at most \(tooLarge.limit) bytes")
            }
            return ProblemResponse.make(
                .badRequest, code: "bad-request", message: "the request does not follow the sync contract: \(error.causeDescription)")
        } catch let error as PlatformError {
            return Self.answer(error)
        }
    }

    static func answer(_ error: PlatformError) -> Response {
        switch error.code {
        case .storage:
            // Busy or failing storage is worth retrying; the kiosk honours Retry-After.
            var response = ProblemResponse.make(.serviceUnavailable, code: "storage", message: "the platform's database is busy; try again")
            response.headers[.retryAfter] = "5"
            return response
        case .unknownKiosk:
            return ProblemResponse.make(.unauthorized, code: "unauthenticated", message: error.message)
        default:
            return ProblemResponse.make(.badRequest, code: error.code.description, message: error.message)
        }
    }
}
