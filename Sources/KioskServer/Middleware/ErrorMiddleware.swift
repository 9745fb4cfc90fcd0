import Foundation
import HTTPTypes
import Hummingbird
import KioskAPI
import Logging

/// Turns every error that reaches the edge into the one JSON error shape (`ErrorBody`), so that
/// an unknown path, a wrong method or an oversized body answers like every other error, and
/// the outer middleware still adds `no-store` and the CSP. Nothing of a request is echoed back.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: KnownRoutes
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            // HTTPError, and NIO's too-many-bytes error from `collect(upTo:)`.
            return answer(error.status, body: (error as? HTTPError)?.body, to: request)
        } catch {
            // A bug or an unexpected failure: logged by type only (it may carry request data).
            logger.error("Request failed", metadata: ["error.type": "\(type(of: error))"])
            return JSONResponse.error(
                .internalServerError, code: "internal-error", message: "内部错误，请联系工作人员 (internal error; see the kioskd log)")
        }
    }

    private func answer(_ status: HTTPResponse.Status, body: String?, to request: Request) -> Response {
        switch status {
        case .notFound:
            let allowed = routes.methods(for: request.uri.path)
            if !allowed.isEmpty, !allowed.contains(request.method) {
                var response = JSONResponse.error(
                    .methodNotAllowed, code: "method-not-allowed",
                    message: "\(request.method) is not allowed here; use \(Self.list(allowed))")
                response.headers[.allow] = Self.list(allowed)
                return response
            }
            return JSONResponse.error(.notFound, code: "not-found", message: body ?? "没有该页面 (no such path)")
        case .contentTooLarge:
            return JSONResponse.error(.contentTooLarge, code: "body-too-large", message: "请求内容过大 (the request body is too large)")
        case .badRequest:
            return JSONResponse.error(.badRequest, code: "bad-request", message: body ?? "请求格式有误 (malformed request)")
        default:
            return JSONResponse.error(
                status, code: status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "-"),
                message: body ?? status.reasonPhrase)
        }
    }

    private static func list(_ methods: [HTTPRequest.Method]) -> String {
        Array(Set(methods.map(\.rawValue))).sorted().joined(separator: ", ")
    }
}
