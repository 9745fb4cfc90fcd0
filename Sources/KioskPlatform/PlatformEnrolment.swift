import Foundation
import KioskTrust
import Logging
import SwiftASN1
import X509

/// The platform's side of enrolment: single-use tokens, certificates for kiosks' own keys,
/// renewal over mutual TLS, revocation.
public struct PlatformEnrolment: Sendable {
    public let authority: PlatformAuthority
    let storage: any PlatformStorage
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        authority: PlatformAuthority, storage: any PlatformStorage, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.authority = authority
        self.storage = storage
        self.logger = logger
        self.now = now
    }

    /// A new token for a kiosk at `site` (named `kioskName`), or to re-enrol the kiosk `kioskID`.
    public func makeToken(
        site: String, kioskName: String?, reenrol kioskID: String?, lifetime: TimeInterval
    ) async throws(PlatformError)
        -> (token: EnrolmentToken, record: EnrolmentTokenRecord)
    {
        let token = EnrolmentToken.make(authorityDER: authority.caDER)
        var name = kioskName ?? "KIOSK-\(token.secret.prefix(6).uppercased())"
        var reenrolled: String?
        if let kioskID {
            var found = try await storage.kiosk(id: kioskID)?.kiosk
            if found == nil { found = try await storage.kiosks().first { $0.name == kioskID } }
            guard let kiosk = found else { throw PlatformError(.unknownKiosk, "no kiosk named or numbered '\(kioskID)'") }
            guard kiosk.revokedAt == nil else { throw PlatformError(.unknownKiosk, "kiosk \(kiosk.name) is revoked") }
            name = kiosk.name
            reenrolled = kiosk.id
        }
        let at = now()
        let record = EnrolmentTokenRecord(
            secretSHA256: token.secretDigest, site: site, kioskName: name, kioskID: reenrolled, createdAt: at,
            expiresAt: at.addingTimeInterval(lifetime))
        try await storage.createToken(record)
        return (token, record)
    }

    public var authorityAnswer: AuthorityAnswer { AuthorityAnswer(certificate: authority.caPEM, serverTime: now()) }

    /// Enrols the kiosk holding the key that signed the request, if its token is good.
    public func enrol(_ request: EnrolmentRequest) async throws(PlatformError) -> EnrolmentAnswer {
        guard let token = EnrolmentToken(request.token) else { throw PlatformError(.unknownToken, "that is not an enrolment token") }
        let key = try keyDigest(of: request.csr)
        let kiosk = try await storage.redeem(
            tokenSHA256: token.secretDigest, keySHA256: key, newKioskID: UUID().uuidString.lowercased(), at: now())
        logger.info("Kiosk enrolled", metadata: ["kiosk": "\(kiosk.name)", "site": "\(kiosk.site ?? "-")"])
        // The catalogue and calendar in force reach a new kiosk through its feed like any later one.
        try await storage.announceLatestBundles(kioskID: kiosk.id, at: now())
        return try await answer(for: kiosk, csr: request.csr)
    }

    /// A new certificate for `kiosk`, for the same key (over mutual TLS with the current one).
    public func renew(_ request: RenewalRequest, kiosk: KioskRecord) async throws(PlatformError) -> EnrolmentAnswer {
        guard let (stored, known) = try await storage.kiosk(id: kiosk.id), stored.revokedAt == nil else {
            throw PlatformError(.unknownKiosk, "this kiosk is revoked")
        }
        guard try keyDigest(of: request.csr) == known else {
            throw PlatformError(
                .badRequest,
                "a renewal keeps the kiosk's key; a new key needs a re-enrolment token ('kiosk-platform token create --kiosk ID')")
        }
        return try await answer(for: stored, csr: request.csr)
    }

    private func answer(for kiosk: KioskRecord, csr: String) async throws(PlatformError) -> EnrolmentAnswer {
        let at = now()
        let (certificate, pem) = try authority.issue(csrPEM: csr, kioskID: kiosk.id, now: at)
        try await storage.recordCertificate(kioskID: kiosk.id, notAfter: certificate.notValidAfter)
        return EnrolmentAnswer(
            kioskID: kiosk.id, kioskName: kiosk.name, site: kiosk.site ?? "", certificate: pem, authority: authority.caPEM,
            signingKeys: [authority.signingPublicKey], sealingKey: authority.sealingPublicKey, serverTime: at)
    }

    /// The SHA-256 of the key in a signing request, once its signature is checked.
    private func keyDigest(of pem: String) throws(PlatformError) -> String {
        guard let csr = try? CertificateSigningRequest(pemEncoded: pem) else {
            throw PlatformError(.badRequest, "the certificate signing request cannot be read")
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw PlatformError(.badRequest, "the certificate signing request is not signed by its key")
        }
        return PlatformAuthority.keyDigest(csr.publicKey)
    }
}
