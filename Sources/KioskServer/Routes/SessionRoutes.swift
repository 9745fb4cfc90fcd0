import Foundation
import HTTPTypes
import Hummingbird
import KioskAPI
import KioskCore
import KioskSession
import NIOCore

/// The citizen session's REST endpoints. Every action but starting needs the session's
/// token (`X-Session-Token`); every body is checked before the session sees it.
enum SessionRoutes {
    static let tokenHeader = HTTPField.Name("X-Session-Token")!
    /// Bodies are small JSON objects; a signature PNG is the largest.
    static let maximumBody = 768 * 1024

    struct StartBody: Decodable { var bundle: String? }
    struct FillBody: Decodable { var values: [String: String] }
    struct MaterialBody: Decodable { var material: String; var choice: String? }
    struct AnswerBody: Decodable { var question: String; var answer: String }
    struct SignBody: Decodable { var png: String }
    struct RateBody: Decodable { var level: Int }
    struct ReprintBody: Decodable { var receiptNumber: String }
    struct NoticeBody: Decodable { var consent: Bool? }
    struct ResultBody: Decodable { var receiptNumber: String; var item: String }

    static func add(to routes: Routes, session: SessionController) {
        routes.get("/api/v1/offer") { _, _ -> Response in try JSONResponse.make(await session.offer()) }
        // 查询打印: starts a query visit (a session with its own token), or says why it cannot
        // be done here now, before any card is placed.
        routes.post("/api/v1/services/:service") { request, context -> Response in
            let id = context.parameters.get("service") ?? ""
            return try await answer { try await session.startQuery(id, token: request.headers[tokenHeader]) }
        }
        routes.post("/api/v1/session") { request, context -> Response in
            let body = try await decode(StartBody.self, request, context)
            if let bundle = body.bundle, bundle.count > 64 || bundle.contains(where: { !$0.isASCII }) {
                return JSONResponse.error(.badRequest, code: "invalid-bundle", message: "事项编号无效 (invalid service id)")
            }
            return try await answer { try await session.start(bundle: body.bundle, token: request.headers[tokenHeader]) }
        }
        routes.get("/api/v1/session") { request, _ -> Response in
            try await answer { try await session.current(token: request.headers[tokenHeader]) }
        }
        routes.post("/api/v1/session/activity") { request, _ -> Response in
            try await answer { try await session.activity(token: request.headers[tokenHeader]) }
        }
        // Each action has its own path (a parameter segment would lose to `form/confirm`'s
        // constant `form` in the router's trie).
        func action(_ path: String, _ make: @escaping @Sendable (Request, BasicRequestContext) async throws -> SessionAction) {
            routes.post("/api/v1/session/\(path)") { request, context -> Response in
                let token = request.headers[tokenHeader]
                let action: SessionAction
                do {
                    action = try await make(request, context)
                } catch let error as HTTPError where error.status == .badRequest {
                    // An oversized body (413) goes on to the error middleware as it is.
                    return JSONResponse.error(.badRequest, code: "bad-request", message: error.body ?? "请求格式有误")
                }
                return try await answer { try await session.perform(action, token: token) }
            }
        }
        action("notice") { request, context in
            // `{"consent": false}`: the citizen declined the shared-data lookup (the default is the notice's 同意).
            let buffer = try await request.body.collect(upTo: maximumBody)
            guard buffer.readableBytes > 0 else { return .acknowledgeNotice }
            guard let body = try? JSONDecoder().decode(NoticeBody.self, from: Data(buffer.readableBytesView)) else {
                throw HTTPError(.badRequest, message: "请求格式有误 (the request body is not the expected JSON)")
            }
            return body.consent == false ? .acknowledgeNoticeWithoutLookup : .acknowledgeNotice
        }
        action("answer") { request, context in
            let body = try await decode(AnswerBody.self, request, context)
            return .answer(body.question, body.answer)
        }
        action("form") { request, context in
            let body = try await decode(FillBody.self, request, context)
            guard body.values.count <= 64, body.values.allSatisfy({ $0.key.count <= 64 && $0.value.count <= 400 }) else {
                throw HTTPError(.badRequest, message: "填写内容过长 (a value is too long)")
            }
            return .fill(body.values)
        }
        action("form/confirm") { _, _ in .confirmForm }
        action("material") { request, context in
            let body = try await decode(MaterialBody.self, request, context)
            guard let raw = body.choice else { return .material(body.material, nil) }
            guard let choice = MaterialChoice(rawValue: raw) else {
                throw HTTPError(.badRequest, message: "无效的选择 (choose provided, electronic, deferred or window)")
            }
            return .material(body.material, choice)
        }
        action("sign") { request, context in
            let body = try await decode(SignBody.self, request, context)
            guard let png = Data(base64Encoded: body.png) else {
                throw HTTPError(.badRequest, message: "签名图片无效 (the signature is not base64 PNG)")
            }
            return .sign(png)
        }
        action("materials/confirm") { _, _ in .confirmMaterials }
        action("back") { _, _ in .back }
        action("submit") { _, _ in .submit }
        action("receipt/done") { _, _ in .finishReceipt }
        action("rate") { request, context in .rate(try await decode(RateBody.self, request, context).level) }
        action("reprint") { request, context in .reprint(try await decode(ReprintBody.self, request, context).receiptNumber) }
        action("end") { _, _ in .startOver }
        action("query/consent") { _, _ in .consentQuery }
        // 统一出件: print a ready result of the citizen's own case (or again, 补打).
        routes.post("/api/v1/session/results/print") { request, context -> Response in
            let token = request.headers[tokenHeader]
            let body: ResultBody
            do {
                body = try await decode(ResultBody.self, request, context)
            } catch let error as HTTPError where error.status == .badRequest {
                return JSONResponse.error(.badRequest, code: "bad-request", message: error.body ?? "请求格式有误")
            }
            return try await answer { try await session.printResult(receiptNumber: body.receiptNumber, item: body.item, token: token) }
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: BasicRequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: maximumBody)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "请求格式有误 (the request body is not the expected JSON)")
        }
    }

    static func answer(_ body: () async throws -> SessionView) async throws -> Response {
        do {
            return try JSONResponse.make(try await body())
        } catch let error as SessionFailure {
            return problem(error)
        }
    }

    /// A session failure in the one error shape; `code` is the precise reason the page branches on.
    static func problem(_ failure: SessionFailure) -> Response {
        let status: HTTPResponse.Status =
            switch failure.code {
            case .noSession: .conflict
            case .tokenRequired: .unauthorized
            case .notYours: .forbidden
            case .unavailable: .serviceUnavailable
            case .unknown: .notFound
            default: .unprocessableContent
            }
        var fields: [String: String] = [:]
        for problem in failure.problems where fields[problem.field] == nil { fields[problem.field] = problem.message }
        return JSONResponse.error(status, code: failure.reason, message: failure.message, fields: fields)
    }
}
