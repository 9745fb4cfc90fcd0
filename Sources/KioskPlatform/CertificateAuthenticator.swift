import Foundation
import Hummingbird
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Kiosks by their TLS certificate. The handshake already checked the chain against the
/// platform's CA and the validity dates (an unknown or expired certificate never gets here);
/// this checks that the kiosk it names exists, is not revoked, and is still known by that key
/// (a kiosk enrolled again with a new key leaves its old certificates useless).
public struct CertificateAuthenticator: KioskAuthenticator {
    let storage: any PlatformStorage
    /// Bearer credentials as well, for a plain-HTTP platform on loopback (tests, benchmarks).
    let bearer: BearerAuthenticator?

    public init(storage: any PlatformStorage, acceptBearer: Bool = false) {
        self.storage = storage
        bearer = acceptBearer ? BearerAuthenticator(storage: storage) : nil
    }

    public func kiosk(for request: Request, channel: any Channel) async throws(PlatformError) -> KioskRecord? {
        guard let presented = await Self.peerCertificate(channel) else {
            return try await bearer?.kiosk(for: request, channel: channel)
        }
        guard let certificate = try? Certificate(derEncoded: presented),
            let kioskID = certificate.subject.commonName
        else { return nil }
        guard let (kiosk, key) = try await storage.kiosk(id: kioskID), kiosk.revokedAt == nil,
            key == PlatformAuthority.keyDigest(certificate.publicKey)
        else { return nil }
        return kiosk
    }

    /// The DER of the certificate the peer presented, when the connection is TLS and it did.
    static func peerCertificate(_ channel: any Channel) async -> [UInt8]? {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get() else { return nil }
        return try? certificate.toDERBytes()
    }
}

extension DistinguishedName {
    /// The first common name.
    var commonName: String? {
        for relative in self {
            for attribute in relative where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return nil
    }
}
