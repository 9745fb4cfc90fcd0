import Foundation
import HTTPTypes
import Hummingbird
import KioskTrust
import NIOCore

extension PlatformServer {
    /// `/enrol/v1`: the authority (for the token's pin), enrolment with a token, renewal over
    /// mutual TLS (authenticated by ``KioskAuthentication`` like `/sync/`).
    static func addEnrolment(_ enrolment: PlatformEnrolment, to router: Router<PlatformRequestContext>) {
        router.get(RouterPath(EnrolmentPaths.authority)) { _, _ -> Response in
            json(.ok, enrolment.authorityAnswer)
        }
        router.post(RouterPath(EnrolmentPaths.enrol)) { request, context -> Response in
            guard let message = try? await decode(EnrolmentRequest.self, request, context) else {
                return ProblemResponse.make(.badRequest, code: "bad-request", message: "the body must be {\"token\", \"csr\"} JSON")
            }
            do {
                return json(.created, try await enrolment.enrol(message))
            } catch let error as PlatformError {
                return problem(error)
            }
        }
        router.post(RouterPath(EnrolmentPaths.renewal)) { request, context -> Response in
            guard let kiosk = KioskIdentity.current else {
                return ProblemResponse.make(
                    .unauthorized, code: "unauthenticated", message: "renewal needs the kiosk's current certificate")
            }
            guard let message = try? await decode(RenewalRequest.self, request, context) else {
                return ProblemResponse.make(.badRequest, code: "bad-request", message: "the body must be {\"csr\"} JSON")
            }
            do {
                return json(.created, try await enrolment.renew(message, kiosk: kiosk))
            } catch let error as PlatformError {
                return problem(error)
            }
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: PlatformRequestContext) async throws -> T {
        let body = try await request.body.collect(upTo: 64 << 10)
        return try EnrolmentJSON.decoder.decode(type, from: Data(body.readableBytesView))
    }

    private static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let data = (try? EnrolmentJSON.encoder.encode(value)) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static func problem(_ error: PlatformError) -> Response {
        let status: HTTPResponse.Status =
            switch error.code {
            case .unknownToken: .unauthorized
            case .usedToken, .expiredToken: .gone
            case .badRequest: .badRequest
            case .duplicateKiosk: .conflict
            case .unknownKiosk: .forbidden
            default: .internalServerError
            }
        return ProblemResponse.make(status, code: error.code.description, message: error.message)
    }
}
