import Foundation

/// A certificate a query-and-print service issued, as the platform keeps it for verification:
/// the code, what it certifies and when, and the holder's masked name. The PDF itself and the
/// holder's number are not kept; a replay of the query renders it again from the records.
public struct CertificateRecord: Sendable, Hashable {
    /// The verification code printed on the certificate and in its QR code (`7KQ2-...`).
    public var code: String
    /// The kiosk's id for the query (its idempotency key, with the kiosk).
    public var queryID: String
    public var kioskID: String
    public var service: String
    public var serviceName: String
    /// `林*明`: enough for whoever checks the paper to match it, nothing more.
    public var holderMasked: String
    public var issuedAt: Date
    /// `YYYY-MM-DD`, the last day it is valid for its reader.
    public var validUntil: String?
    public var pdfSHA256: String

    public init(
        code: String, queryID: String, kioskID: String, service: String, serviceName: String, holderMasked: String, issuedAt: Date,
        validUntil: String?, pdfSHA256: String
    ) {
        self.code = code
        self.queryID = queryID
        self.kioskID = kioskID
        self.service = service
        self.serviceName = serviceName
        self.holderMasked = holderMasked
        self.issuedAt = issuedAt
        self.validUntil = validUntil
        self.pdfSHA256 = pdfSHA256
    }
}

/// The register of issued certificates.
public protocol CertificateStorage: Sendable {
    /// Records `record`; for a query this kiosk already asked (same `queryID`), the record kept
    /// the first time is answered instead, so a replay gets the same code.
    func recordCertificate(_ record: CertificateRecord) async throws(PlatformError) -> CertificateRecord
    /// The certificate with this verification code.
    func certificate(code: String) async throws(PlatformError) -> CertificateRecord?
}
