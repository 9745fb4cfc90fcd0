import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The kiosk's identity on disk, in `identity/` under the state folder:
///
/// - `device-key.pem`: the P-256 key made here, mode 0600, never sent anywhere;
/// - `certificate.pem`: the certificate the platform's CA issued for it;
/// - `platform-ca.pem`: the only root trusted for sync;
/// - `trust.json`: who the kiosk is and the platform's other keys (``EnrolmentAnswer``).
///
/// Files are replaced by rename, so a crash leaves the old identity or the new one.
public struct IdentityFolder: Sendable, Equatable {
    public let folder: URL

    public init(stateDirectory: String) {
        folder = URL(fileURLWithPath: stateDirectory).appendingPathComponent("identity")
    }

    /// The state folder this identity lives in.
    public var stateDirectory: String { folder.deletingLastPathComponent().path }

    var keyFile: URL { folder.appendingPathComponent("device-key.pem") }
    var certificateFile: URL { folder.appendingPathComponent("certificate.pem") }
    var authorityFile: URL { folder.appendingPathComponent("platform-ca.pem") }
    var trustFile: URL { folder.appendingPathComponent("trust.json") }

    /// The enrolled identity: the answer as stored, with the platform it came from.
    public struct Enrolled: Codable, Sendable, Equatable {
        public var platform: URL
        public var answer: EnrolmentAnswer
        public var notBefore: Date
        public var notAfter: Date

        /// Renewal is due from half the certificate's lifetime on.
        public var renewalDue: Date { notBefore.addingTimeInterval(notAfter.timeIntervalSince(notBefore) / 2) }
    }

    /// Whether a key exists (enrolled or half-way).
    public var hasKey: Bool { FileManager.default.fileExists(atPath: keyFile.path) }

    /// The stored identity, or `nil` when the kiosk was never enrolled.
    public func enrolled() throws(TrustError) -> Enrolled? {
        guard FileManager.default.fileExists(atPath: trustFile.path) else { return nil }
        do {
            return try EnrolmentJSON.decoder.decode(Enrolled.self, from: Data(contentsOf: trustFile))
        } catch {
            throw TrustError(.files, "\(trustFile.path) cannot be read (\(error)); enrol again with 'kioskctl enroll'")
        }
    }

    /// The device key, made now (0600, owned like the state folder) when there is none.
    public func key() throws(TrustError) -> P256.Signing.PrivateKey {
        if let pem = try? String(contentsOf: keyFile, encoding: .utf8) {
            do { return try P256.Signing.PrivateKey(pemRepresentation: pem) } catch {
                throw TrustError(.files, "\(keyFile.path) is not a P-256 key; remove the identity folder and enrol again")
            }
        }
        let key = P256.Signing.PrivateKey()
        try write(Data(key.pemRepresentation.utf8), to: keyFile, exclusive: true)
        return key
    }

    /// A signing request for the device key, naming the kiosk when it has a name already.
    public func signingRequest(name: String?) throws(TrustError) -> String {
        let key = try key()
        do {
            let subject = try DistinguishedName { CommonName(name ?? "kiosk") }
            let csr = try CertificateSigningRequest(
                version: .v1, subject: subject, privateKey: Certificate.PrivateKey(key), attributes: .init(),
                signatureAlgorithm: .ecdsaWithSHA256)
            return try csr.serializeAsPEM().pemString
        } catch {
            throw TrustError(.files, "cannot make a signing request: \(error)")
        }
    }

    /// Stores what the platform answered; the certificate must be for this kiosk's key.
    public func store(_ answer: EnrolmentAnswer, platform: URL) throws(TrustError) -> Enrolled {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: answer.certificate)
            _ = try Certificate(pemEncoded: answer.authority)
        } catch {
            throw TrustError(.wrongPlatform, "the platform's answer holds no valid certificate (\(error))")
        }
        guard certificate.publicKey == Certificate.PublicKey(try key().publicKey) else {
            throw TrustError(.refused, "the platform issued a certificate for another key; nothing was changed")
        }
        let enrolled = Enrolled(
            platform: platform, answer: answer, notBefore: certificate.notValidBefore, notAfter: certificate.notValidAfter)
        try write(Data(answer.authority.utf8), to: authorityFile)
        try write(Data(answer.certificate.utf8), to: certificateFile)
        do {
            try write(EnrolmentJSON.encoder.encode(enrolled), to: trustFile)
        } catch let error as TrustError {
            throw error
        } catch {
            throw TrustError(.files, "cannot encode the identity: \(error)")
        }
        return enrolled
    }

    /// Mutual TLS for sync: this kiosk's certificate and key, and the platform's CA as the
    /// only root (the system's roots are not trusted).
    public func clientTLS() throws(TrustError) -> TLSConfiguration {
        do {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile.path).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile.path, format: .pem))
            tls.trustRoots = .file(authorityFile.path)
            tls.minimumTLSVersion = .tlsv12
            return tls
        } catch {
            throw TrustError(
                .notEnrolled, "this kiosk has no usable identity in \(folder.path) (\(error)); enrol it with 'kioskctl enroll'")
        }
    }

    /// Writes `data` by rename (0600), owned by the owner of the state folder when run as root.
    private func write(_ data: Data, to file: URL, exclusive: Bool = false) throws(TrustError) {
        do {
            let manager = FileManager.default
            let state = folder.deletingLastPathComponent()
            try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if exclusive, manager.fileExists(atPath: file.path) {
                throw TrustError(.files, "\(file.path) exists already")
            }
            let temporary = folder.appendingPathComponent(".\(file.lastPathComponent).\(getpid())")
            guard manager.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw TrustError(.files, "cannot write \(temporary.path)")
            }
            let owner = try manager.attributesOfItem(atPath: state.path)
            if getuid() == 0, let uid = owner[.ownerAccountID] as? NSNumber, let gid = owner[.groupOwnerAccountID] as? NSNumber {
                // Enrolled by root for the kiosk user: the files are the kiosk user's.
                chown(temporary.path, uid.uint32Value, gid.uint32Value)
                chown(folder.path, uid.uint32Value, gid.uint32Value)
            }
            guard rename(temporary.path, file.path) == 0 else {
                throw TrustError(.files, "cannot replace \(file.path): \(String(cString: strerror(errno)))")
            }
        } catch let error as TrustError {
            throw error
        } catch {
            throw TrustError(.files, "cannot write \(file.path): \(error)")
        }
    }
}
