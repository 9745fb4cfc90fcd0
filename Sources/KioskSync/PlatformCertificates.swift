import AsyncHTTPClient
import Foundation
import KioskCore
import KioskSession
import KioskSyncAPI
import Logging
import OpenAPIRuntime

/// Query-and-print answered by the platform over the kiosk's mutual-TLS channel. A citizen
/// stands waiting, so the exchange is bounded; the PDF comes back in memory and stays there.
public struct PlatformCertificates: CertificateSource {
    let relay: SyncRelay
    let limit: Duration

    public init(relay: SyncRelay, limit: Duration = .seconds(10)) {
        self.relay = relay
        self.limit = limit
    }

    public func certificate(queryID: String, service: String, idNumber: String, cardType: IDCardType) async -> CertificateAnswer {
        await relay.certificate(queryID: queryID, service: service, idNumber: idNumber, cardType: cardType, limit: limit)
    }
}

extension SyncRelay {
    /// Asks the platform; never logs the person's number or the answer's content.
    func certificate(
        queryID: String, service: String, idNumber: String, cardType: IDCardType, limit: Duration
    ) async
        -> CertificateAnswer
    {
        guard let wireType = Components.Schemas.CardType(rawValue: cardType.rawValue) else { return .refused("该证件类型不能查询。") }
        var bounded = settings
        bounded.requestTimeout = limit
        let client: Client
        var http: HTTPClient?
        if let identity = settings.identity {
            guard let made = try? identityClient(identity, requestTimeout: limit) else { return .unreachable }
            (client, http) = made
        } else {
            let plain = Self.plainHTTP()
            (client, http) = (Self.client(bounded, http: plain), plain)
        }
        let answer: CertificateAnswer
        do {
            let output = try await client.queryCertificate(
                body: .json(.init(queryID: queryID, service: service, idNumber: idNumber, cardType: wireType)))
            switch output {
            case let .ok(ok):
                let certificate = try ok.body.json
                answer = .issued(
                    QueriedCertificate(
                        serviceName: certificate.serviceName, verificationCode: certificate.verificationCode,
                        verifyURL: certificate.verifyURL, preview: certificate.preview.map { ($0.label, $0.value) },
                        pdf: Data(certificate.pdf.data)))
            case let .unprocessableContent(refusal):
                answer = .refused((try? refusal.body.json.error.message) ?? "未查询到相关记录。")
            case .notFound:
                answer = .refused("本终端暂不能办理该查询，请到服务窗口办理。")
            case .badRequest, .unauthorized, .serviceUnavailable, .undocumented:
                // Not the citizen's doing: a technician reads the log; the citizen comes back later.
                logger.warning("Certificate query refused", metadata: ["service": "\(service)", "answer": "\(Self.describe(output))"])
                answer = .unreachable
            }
        } catch {
            logger.info("Certificate query unanswered", metadata: ["service": "\(service)", "error": "\(type(of: error))"])
            answer = .unreachable
        }
        try? await http?.shutdown()
        return answer
    }

    private static func describe(_ output: Operations.QueryCertificate.Output) -> String {
        switch output {
        case .ok: "200"
        case let .badRequest(answer): "400 \((try? answer.body.json.error.message) ?? "")"
        case let .unauthorized(answer): "401 \((try? answer.body.json.error.message) ?? "")"
        case .notFound: "404"
        case .unprocessableContent: "422"
        case let .serviceUnavailable(answer): "503 \((try? answer.body.json.error.message) ?? "")"
        case let .undocumented(status, _): "\(status)"
        }
    }
}
