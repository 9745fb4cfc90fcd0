import Crypto
import Foundation

/// A catalogue, calendar, configuration, sealing key or maintenance tickets as the platform signs it (TUF's lessons).
///
/// The signature covers the exact bytes of `payload` (JSON of ``BundleContent``, base64 on the
/// wire), never a re-encoding of it: what is verified is what is installed.
public struct SignedBundle: Codable, Sendable, Equatable {
    public struct Signature: Codable, Sendable, Equatable {
        /// First 8 bytes of the public key's SHA-256, hex.
        public var keyID: String
        /// Ed25519 over the payload bytes, base64.
        public var signature: String

        public init(keyID: String, signature: String) {
            self.keyID = keyID
            self.signature = signature
        }
    }

    /// The payload bytes, base64.
    public var payload: String
    public var signatures: [Signature]

    public init(payload: String, signatures: [Signature]) {
        self.payload = payload
        self.signatures = signatures
    }

    /// Signs `content` with each of `keys` (raw Ed25519 private keys).
    public static func sign(_ content: BundleContent, with keys: [Curve25519.Signing.PrivateKey]) throws -> SignedBundle {
        let bytes = try EnrolmentJSON.encoder.encode(content)
        return SignedBundle(
            payload: bytes.base64EncodedString(),
            signatures: try keys.map {
                Signature(keyID: keyID(of: $0.publicKey.rawRepresentation), signature: try $0.signature(for: bytes).base64EncodedString())
            })
    }

    /// The id of a raw Ed25519 public key.
    public static func keyID(of publicKey: Data) -> String {
        SHA256.hash(data: publicKey).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

/// What a bundle holds: its kind, a version that only grows, an expiry, its files, and (for a
/// key rotation) the signing keys trusted from this bundle on.
public struct BundleContent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case catalog, calendar, configuration, sealing, maintenance, services
    }

    public var kind: Kind
    public var version: Int
    public var publishedAt: Date
    public var expires: Date
    /// Relative path → file bytes (base64).
    public var files: [String: String]
    /// Set in a rotation: the raw Ed25519 public keys (base64) that sign from now on.
    public var signingKeys: [String]?

    public init(
        kind: Kind, version: Int, publishedAt: Date, expires: Date, files: [String: String], signingKeys: [String]? = nil
    ) {
        self.kind = kind
        self.version = version
        self.publishedAt = publishedAt
        self.expires = expires
        self.files = files
        self.signingKeys = signingKeys
    }
}

/// Checks a bundle before anything of it is used: signed by a key the kiosk trusts, of the kind
/// announced, newer than the last version trusted, not expired. Pure: the caller persists.
public struct BundleVerifier: Sendable {
    /// Raw Ed25519 public keys (base64) trusted now.
    public var trustedKeys: [String]

    public init(trustedKeys: [String]) { self.trustedKeys = trustedKeys }

    public func verify(
        _ bundle: SignedBundle, kind: BundleContent.Kind, newerThan lastTrusted: Int?, now: Date
    ) throws(TrustError) -> BundleContent {
        guard let bytes = Data(base64Encoded: bundle.payload) else {
            throw TrustError(.tampered, "the \(kind.rawValue) bundle's payload is not base64: tampered with")
        }
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        for key in trustedKeys {
            guard let raw = Data(base64Encoded: key), let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                continue
            }
            keys[SignedBundle.keyID(of: raw)] = publicKey
        }
        let known = bundle.signatures.filter { keys[$0.keyID] != nil }
        guard !known.isEmpty else {
            throw TrustError(
                .wrongKey,
                "the \(kind.rawValue) bundle is signed with a key this kiosk does not trust (\(bundle.signatures.map(\.keyID).joined(separator: ", ")))"
            )
        }
        let valid = known.contains { signature in
            guard let raw = Data(base64Encoded: signature.signature), let key = keys[signature.keyID] else { return false }
            return key.isValidSignature(raw, for: bytes)
        }
        guard valid else {
            throw TrustError(.tampered, "the \(kind.rawValue) bundle's signature does not match its content: tampered with")
        }
        let content: BundleContent
        do { content = try EnrolmentJSON.decoder.decode(BundleContent.self, from: bytes) } catch {
            throw TrustError(.tampered, "the \(kind.rawValue) bundle's content cannot be read: \(error)")
        }
        guard content.kind == kind else {
            throw TrustError(.tampered, "a \(content.kind.rawValue) bundle came as the \(kind.rawValue)")
        }
        if let lastTrusted, content.version <= lastTrusted {
            throw TrustError(
                .rollback,
                "the \(kind.rawValue) bundle's version \(content.version) is not newer than version \(lastTrusted) trusted already (a replay)"
            )
        }
        guard content.expires > now else {
            throw TrustError(.expired, "the \(kind.rawValue) bundle version \(content.version) expired at \(content.expires)")
        }
        for path in content.files.keys {
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains(".."),
                Data(base64Encoded: content.files[path] ?? "") != nil
            else { throw TrustError(.tampered, "the \(kind.rawValue) bundle holds a file it may not: '\(path)'") }
        }
        return content
    }
}
