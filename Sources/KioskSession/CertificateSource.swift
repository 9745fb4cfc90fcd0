import Foundation
import KioskCore

/// A certificate as the platform answered a query: the PDF to print (held in memory only) and
/// what the screen may show.
public struct QueriedCertificate: Sendable {
    public var serviceName: String
    public var verificationCode: String
    public var verifyURL: String
    /// Label and value, personal values already masked by the platform.
    public var preview: [(label: String, value: String)]
    public var pdf: Data

    public init(serviceName: String, verificationCode: String, verifyURL: String, preview: [(label: String, value: String)], pdf: Data) {
        self.serviceName = serviceName
        self.verificationCode = verificationCode
        self.verifyURL = verifyURL
        self.preview = preview
        self.pdf = pdf
    }
}

/// How a query ended.
public enum CertificateAnswer: Sendable {
    case issued(QueriedCertificate)
    /// The platform answered, without a certificate: no record, a card it does not take. The
    /// message is the platform's, in the citizen's words.
    case refused(String)
    /// No answer in time, or no connection.
    case unreachable
}

/// Where query-and-print services are answered (the platform, over the kiosk's mutual-TLS
/// channel). Bounded: a citizen stands waiting.
public protocol CertificateSource: Sendable {
    func certificate(queryID: String, service: String, idNumber: String, cardType: IDCardType) async -> CertificateAnswer
}
