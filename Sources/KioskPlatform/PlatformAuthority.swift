import Crypto
import Foundation
import KioskTrust
import NIOSSL
import SwiftASN1
import X509

/// The platform as the certificate authority of its kiosks, and the holder of its other keys.
///
/// Kept in one folder (mode 0700, files 0600), made on first use:
/// - `ca-key.pem`, `ca.pem`: the CA that issues kiosk certificates (P-256, 10 years);
/// - `server-key.pem`, `server.pem`: the platform's TLS certificate for its names, issued by
///   the same CA (the kiosks trust only that CA);
/// - `signing-ed25519.key`: the key that signs catalogues, calendars and configuration;
/// - `sealing-x25519.key`: the key kiosks seal personal data to (only its public half leaves),
///   and `sealing-retired/`: the keys it replaced, which still open what was sealed to them.
///
/// Several platform instances over one database share one folder.
public struct PlatformAuthority: Sendable {
    public let folder: URL
    // swift-crypto's keys are not Sendable: X509's wrapper and raw bytes are.
    let caKey: Certificate.PrivateKey
    public let caCertificate: Certificate
    let serverKey: Certificate.PrivateKey
    public let serverCertificate: Certificate
    let signingKeyRaw: Data
    /// How long a kiosk certificate is valid; renewal comes at half.
    public var kioskCertificateLifetime: TimeInterval = 30 * 86_400

    /// Opens (or makes) the authority in `folder`; the server certificate names `serverNames`
    /// (DNS names or IP addresses) and is made again when they change.
    public init(folder: String, serverNames: [String], now: Date = Date()) throws(PlatformError) {
        self.folder = URL(fileURLWithPath: folder)
        do {
            try FileManager.default.createDirectory(
                at: self.folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let caKey = try Self.p256(self.folder.appendingPathComponent("ca-key.pem"))
            let caFile = self.folder.appendingPathComponent("ca.pem")
            let caCertificate: Certificate
            if let pem = try? String(contentsOf: caFile, encoding: .utf8) {
                caCertificate = try Certificate(pemEncoded: pem)
            } else {
                let name = try DistinguishedName {
                    OrganizationName("kiosk-platform")
                    CommonName("kiosk-platform CA \(UUID().uuidString.prefix(8))")
                }
                caCertificate = try Certificate(
                    version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
                    notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
                    issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: try Certificate.Extensions {
                        Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                        Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                        SubjectKeyIdentifier(hash: Certificate.PublicKey(caKey.publicKey))
                    },
                    issuerPrivateKey: .init(caKey))
                try Self.write(Data(try caCertificate.serializeAsPEM().pemString.utf8), to: caFile)
            }
            self.caKey = Certificate.PrivateKey(caKey)
            self.caCertificate = caCertificate

            let serverKey = try Self.p256(self.folder.appendingPathComponent("server-key.pem"))
            let serverFile = self.folder.appendingPathComponent("server.pem")
            let wanted = Set(serverNames)
            if let pem = try? String(contentsOf: serverFile, encoding: .utf8), let existing = try? Certificate(pemEncoded: pem),
                Self.names(of: existing) == wanted, existing.notValidAfter > now.addingTimeInterval(30 * 86_400),
                existing.issuer == caCertificate.subject
            {
                serverCertificate = existing
            } else {
                serverCertificate = try Certificate(
                    version: .v3, serialNumber: .init(), publicKey: .init(serverKey.publicKey),
                    notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(397 * 86_400),
                    issuer: caCertificate.subject, subject: try DistinguishedName { CommonName(serverNames.first ?? "localhost") },
                    signatureAlgorithm: .ecdsaWithSHA256,
                    extensions: try Certificate.Extensions {
                        Critical(BasicConstraints.notCertificateAuthority)
                        Critical(KeyUsage(digitalSignature: true))
                        try ExtendedKeyUsage([.serverAuth])
                        SubjectAlternativeNames(serverNames.map(Self.generalName))
                    },
                    issuerPrivateKey: .init(caKey))
                try Self.write(Data(try serverCertificate.serializeAsPEM().pemString.utf8), to: serverFile)
            }
            self.serverKey = Certificate.PrivateKey(serverKey)
            signingKeyRaw = try Self.raw(self.folder.appendingPathComponent("signing-ed25519.key"))
            _ = try Self.raw(self.folder.appendingPathComponent(Self.sealingKeyName))
            // Both must be keys (a corrupt file fails here, not at first use).
            _ = try signingKey()
            _ = try sealingKeyring()
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.keys, "the platform's keys in \(folder) cannot be read or made: \(error)", cause: error)
        }
    }

    /// The CA certificate, DER (what an enrolment token's pin is taken over).
    public var caDER: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(caCertificate)
        return serializer.serializedBytes
    }

    public var caPEM: String { (try? caCertificate.serializeAsPEM().pemString) ?? "" }

    /// The public half of the catalogue signing key (raw Ed25519, base64).
    /// Read from the folder each time: a key rotated by another process counts at once.
    public var signingPublicKey: String { ((try? signingKey())?.publicKey.rawRepresentation ?? Data()).base64EncodedString() }

    /// The catalogue signing key (from the folder: `catalog publish --rotate-signing-key` replaces it).
    public func signingKey() throws -> Curve25519.Signing.PrivateKey {
        let file = folder.appendingPathComponent("signing-ed25519.key")
        if let text = try? String(contentsOf: file, encoding: .utf8),
            let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: signingKeyRaw)
    }

    /// A certificate for the kiosk `kioskID`, for the key that signed `csrPEM`.
    public func issue(csrPEM: String, kioskID: String, now: Date) throws(PlatformError) -> (certificate: Certificate, pem: String) {
        let csr: CertificateSigningRequest
        do { csr = try CertificateSigningRequest(pemEncoded: csrPEM) } catch {
            throw PlatformError(.badRequest, "the certificate signing request cannot be read: \(error)")
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw PlatformError(.badRequest, "the certificate signing request is not signed by its key")
        }
        do {
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: csr.publicKey,
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(kioskCertificateLifetime),
                issuer: caCertificate.subject,
                subject: try DistinguishedName {
                    OrganizationName("kiosk")
                    CommonName(kioskID)
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.clientAuth])
                },
                issuerPrivateKey: caKey)
            return (certificate, try certificate.serializeAsPEM().pemString)
        } catch {
            throw PlatformError(.keys, "cannot issue a certificate: \(error)", cause: error)
        }
    }

    /// TLS for the platform's listener: its certificate; a kiosk's certificate is checked
    /// against the CA when presented (enrolment comes without one), and required on
    /// `/sync/` by ``CertificateAuthenticator``.
    public func serverTLS() throws(PlatformError) -> TLSConfiguration {
        do {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try Self.nio(serverCertificate))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(try serverKey.serializeAsPEM().pemString.utf8), format: .pem)))
            tls.certificateVerification = .optionalVerification
            tls.trustRoots = .certificates([try Self.nio(caCertificate)])
            tls.minimumTLSVersion = .tlsv12
            return tls
        } catch {
            throw PlatformError(.keys, "the platform's TLS keys cannot be used: \(error)", cause: error)
        }
    }

    /// SHA-256 (hex) of a public key's SubjectPublicKeyInfo: what a kiosk's key is known by.
    public static func keyDigest(_ key: Certificate.PublicKey) -> String {
        var serializer = DER.Serializer()
        try? serializer.serialize(key)
        return SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Files

    private static func p256(_ file: URL) throws -> P256.Signing.PrivateKey {
        if let pem = try? String(contentsOf: file, encoding: .utf8) { return try P256.Signing.PrivateKey(pemRepresentation: pem) }
        let key = P256.Signing.PrivateKey()
        try write(Data(key.pemRepresentation.utf8), to: file)
        return key
    }

    static func raw(_ file: URL) throws -> Data {
        if let text = try? String(contentsOf: file, encoding: .utf8),
            let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            return data
        }
        let bytes = Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
        try write(Data(bytes.base64EncodedString().utf8), to: file)
        return bytes
    }

    static func write(_ data: Data, to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw PlatformError(.keys, "cannot write \(temporary.path)")
        }
        guard rename(temporary.path, file.path) == 0 else { throw PlatformError(.keys, "cannot replace \(file.path)") }
    }

    private static func nio(_ certificate: Certificate) throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: Array(try certificate.serializeAsPEM().pemString.utf8), format: .pem)
    }

    private static func generalName(_ name: String) -> GeneralName {
        if let address = IPv4Address(name) { return .ipAddress(ASN1OctetString(contentBytes: address.bytes[...])) }
        return .dnsName(name)
    }

    private static func names(of certificate: Certificate) -> Set<String> {
        guard let alternatives = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return Set(
            alternatives.compactMap { name -> String? in
                switch name {
                case let .dnsName(dns): return dns
                case let .ipAddress(octets): return octets.bytes.map(String.init).joined(separator: ".")
                default: return nil
                }
            })
    }
}

/// An IPv4 address in dotted form, for a certificate's alternative names.
struct IPv4Address {
    let bytes: [UInt8]

    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            bytes.append(byte)
        }
        self.bytes = bytes
    }
}
