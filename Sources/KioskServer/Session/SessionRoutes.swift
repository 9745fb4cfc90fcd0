import Foundation
import HTTPTypes
import Hummingbird
import KioskCore
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
    struct SignBody: Decodable { var png: String }
    struct RateBody: Decodable { var level: Int }
    struct ReprintBody: Decodable { var receiptNumber: String }

    struct ProblemBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var fields: [String: String]?
        }
        var error: Detail
    }

    static func add(to router: Router<BasicRequestContext>, session: SessionController) {
        router.get("/api/v1/offer") { _, _ -> Response in try JSONResponse.make(await session.offer()) }
        router.post("/api/v1/session") { request, context -> Response in
            let body = try await decode(StartBody.self, request, context)
            if let bundle = body.bundle, bundle.count > 64 || bundle.contains(where: { !$0.isASCII }) {
                return JSONResponse.error(.badRequest, code: "invalid-bundle", message: "事项编号无效 (invalid service id)")
            }
            return try await answer { try await session.start(bundle: body.bundle) }
        }
        router.get("/api/v1/session") { request, _ -> Response in
            try await answer { try await session.current(token: request.headers[tokenHeader]) }
        }
        router.post("/api/v1/session/activity") { request, _ -> Response in
            try await answer { try await session.activity(token: request.headers[tokenHeader]) }
        }
        router.post("/api/v1/session/:action") { request, context -> Response in
            let token = request.headers[tokenHeader]
            let action: SessionAction
            switch context.parameters.get("action") ?? "" {
            case "notice": action = .acknowledgeNotice
            case "form":
                let body = try await decode(FillBody.self, request, context)
                guard body.values.count <= 64, body.values.allSatisfy({ $0.key.count <= 64 && $0.value.count <= 400 }) else {
                    return JSONResponse.error(.badRequest, code: "too-long", message: "填写内容过长 (a value is too long)")
                }
                action = .fill(body.values)
            case "form/confirm": action = .confirmForm
            case "material":
                let body = try await decode(MaterialBody.self, request, context)
                guard let choice = body.choice.map(MaterialChoice.init(rawValue:)) else {
                    action = .material(body.material, nil)
                    break
                }
                guard let choice else {
                    return JSONResponse.error(.badRequest, code: "invalid-choice", message: "无效的选择 (choose provided, electronic or deferred)")
                }
                action = .material(body.material, choice)
            case "sign":
                let body = try await decode(SignBody.self, request, context)
                guard let png = Data(base64Encoded: body.png) else {
                    return JSONResponse.error(.badRequest, code: "invalid-signature", message: "签名图片无效 (the signature is not base64 PNG)")
                }
                action = .sign(png)
            case "materials/confirm": action = .confirmMaterials
            case "back": action = .back
            case "submit": action = .submit
            case "receipt/done": action = .finishReceipt
            case "rate": action = .rate(try await decode(RateBody.self, request, context).level)
            case "reprint": action = .reprint(try await decode(ReprintBody.self, request, context).receiptNumber)
            case "end": action = .startOver
            case let other:
                return JSONResponse.error(.notFound, code: "unknown-action", message: "no session action '\(other)'")
            }
            return try await answer { try await session.perform(action, token: token) }
        }
        // Two-segment actions (`form/confirm`, `materials/confirm`, `receipt/done`).
        for path in ["form/confirm", "materials/confirm", "receipt/done"] {
            router.post("/api/v1/session/\(path)") { request, _ -> Response in
                let action: SessionAction =
                    switch path {
                    case "form/confirm": .confirmForm
                    case "materials/confirm": .confirmMaterials
                    default: .finishReceipt
                    }
                return try await answer { try await session.perform(action, token: request.headers[tokenHeader]) }
            }
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
        let view: SessionView
        do {
            view = try await body()
        } catch let error as SessionController.Failure {
            let status: HTTPResponse.Status =
                switch error.kind {
                case .noSession: .conflict
                case .refused: .unprocessableContent
                case .unavailable: .serviceUnavailable
                }
            var fields: [String: String] = [:]
            for problem in error.problems where fields[problem.field] == nil { fields[problem.field] = problem.message }
            return try JSONResponse.make(
                ProblemBody(error: .init(code: error.code, message: error.message, fields: fields.isEmpty ? nil : fields)),
                status: status)
        }
        return try JSONResponse.make(view)
    }
}
