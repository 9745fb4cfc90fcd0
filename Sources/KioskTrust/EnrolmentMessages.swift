import Foundation

/// What a kiosk sends to enrol: the technician's single-use token and a certificate signing
/// request made with the kiosk's own key (the key itself never leaves the kiosk).
public struct EnrolmentRequest: Codable, Sendable {
    public var token: String
    /// PEM `CERTIFICATE REQUEST`.
    public var csr: String

    public init(token: String, csr: String) {
        self.token = token
        self.csr = csr
    }
}

/// A renewal: a new request signed by the kiosk's key, sent over mutual TLS with the current
/// certificate.
public struct RenewalRequest: Codable, Sendable {
    public var csr: String

    public init(csr: String) { self.csr = csr }
}

/// The platform's authority, fetched before enrolment over an unverified connection and
/// trusted only when its SHA-256 matches the pin in the token.
public struct AuthorityAnswer: Codable, Sendable {
    /// PEM of the platform's CA certificate.
    public var certificate: String
    /// The platform's clock, to catch a kiosk clock far off before a certificate is made.
    public var serverTime: Date

    public init(certificate: String, serverTime: Date) {
        self.certificate = certificate
        self.serverTime = serverTime
    }
}

/// What an enrolled (or renewed) kiosk receives: who it is, its certificate, and the
/// platform's keys it trusts from now on.
public struct EnrolmentAnswer: Codable, Sendable, Equatable {
    public var kioskID: String
    public var kioskName: String
    public var site: String
    /// PEM of the kiosk's certificate (issued by the platform's CA).
    public var certificate: String
    /// PEM of the platform's CA: the only root the kiosk trusts for sync.
    public var authority: String
    /// The Ed25519 public keys (base64, raw 32 bytes) that sign catalogues, calendars and
    /// configuration.
    public var signingKeys: [String]
    /// The X25519 key (base64, raw) the kiosk seals personal data to, and its id.
    public var sealingKey: SealingKey
    public var serverTime: Date

    public struct SealingKey: Codable, Sendable, Equatable {
        public var id: String
        public var publicKey: String

        public init(id: String, publicKey: String) {
            self.id = id
            self.publicKey = publicKey
        }
    }

    public init(
        kioskID: String, kioskName: String, site: String, certificate: String, authority: String, signingKeys: [String],
        sealingKey: SealingKey, serverTime: Date
    ) {
        self.kioskID = kioskID
        self.kioskName = kioskName
        self.site = site
        self.certificate = certificate
        self.authority = authority
        self.signingKeys = signingKeys
        self.sealingKey = sealingKey
        self.serverTime = serverTime
    }
}

/// The enrolment endpoints, beside the sync contract on the platform.
public enum EnrolmentPaths {
    public static let authority = "/enrol/v1/authority"
    public static let enrol = "/enrol/v1"
    public static let renewal = "/enrol/v1/renewal"
}

/// The JSON coding both sides use for the enrolment messages.
public enum EnrolmentJSON {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
