import Foundation
import HTTPTypes
import Hummingbird
import KioskAPI
import NIOCore

/// Why an entry into maintenance was refused, as the routes answer it.
public struct MaintenanceRefusal: Error, Sendable {
    public enum Reason: Sendable {
        /// A factor was wrong (401).
        case wrongFactors
        /// Locked after failed attempts (423) for `secondsLeft`.
        case locked(secondsLeft: Int)
        /// A citizen's session runs, or a technician is in already (409).
        case busy
    }

    public var reason: Reason
    public var code: String
    /// Chinese, then English: the technician may be either.
    public var message: String

    public init(_ reason: Reason, code: String, message: String) {
        self.reason = reason
        self.code = code
        self.message = message
    }
}

/// The kiosk's maintenance desk as the local API sees it (kioskd's runtime implements it).
public protocol MaintenanceControls: Sendable {
    /// Checks both factors; on success the answer carries the maintenance token.
    func enter(technician: String, pin: String, code: String) async -> Result<MaintenanceStatus, MaintenanceRefusal>
    /// Ends maintenance for the holder of `token`; false when the token is not the visit's.
    func leave(token: String) async -> Bool
    func status() async -> MaintenanceStatus
}

/// `POST /api/v1/maintenance/enter`, `POST …/leave` (with `X-Maintenance-Token`), `GET /api/v1/maintenance`.
enum MaintenanceRoutes {
    static let tokenHeader = HTTPField.Name("X-Maintenance-Token")!
    static let locked = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")

    struct EnterBody: Decodable {
        var technician: String
        var pin: String
        var code: String
    }

    static func add(to routes: Routes, desk: any MaintenanceControls) {
        routes.get("/api/v1/maintenance") { _, _ -> Response in try JSONResponse.make(await desk.status()) }
        routes.post("/api/v1/maintenance/enter") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 4096)
            guard let body = try? JSONDecoder().decode(EnterBody.self, from: Data(buffer.readableBytesView)),
                body.technician.count <= 40, body.pin.count <= 12, body.code.count <= 8
            else {
                return JSONResponse.error(
                    .badRequest, code: "bad-request", message: "请输入工号、密码和维护码 (enter your name, PIN and maintenance code)")
            }
            switch await desk.enter(technician: body.technician, pin: body.pin, code: body.code) {
            case .success(let status):
                return try JSONResponse.make(status)
            case .failure(let refusal):
                switch refusal.reason {
                case .wrongFactors:
                    return JSONResponse.error(.unauthorized, code: refusal.code, message: refusal.message)
                case .busy:
                    return JSONResponse.error(.conflict, code: refusal.code, message: refusal.message)
                case .locked(let seconds):
                    var response = JSONResponse.error(
                        locked, code: refusal.code, message: refusal.message, fields: ["secondsLeft": String(seconds)])
                    response.headers[.retryAfter] = String(seconds)
                    return response
                }
            }
        }
        routes.post("/api/v1/maintenance/leave") { request, _ -> Response in
            guard let token = request.headers[tokenHeader], await desk.leave(token: token) else {
                return JSONResponse.error(
                    .forbidden, code: "not-in-maintenance", message: "未处于维护状态或凭证无效 (not in maintenance, or not your token)")
            }
            return try JSONResponse.make(await desk.status())
        }
    }
}
