import Foundation
import HTTPTypes
import Hummingbird
import KioskAPI
import NIOCore

/// JSON answers encoded the same way everywhere (ISO 8601 dates, sorted keys).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try KioskJSON.encoder().encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The one error shape of every API (`ErrorBody`).
    static func error(_ status: HTTPResponse.Status, code: String, message: String, fields: [String: String]? = nil) -> Response {
        (try? make(ErrorBody(code: code, message: message, fields: fields), status: status)) ?? Response(status: status)
    }
}
