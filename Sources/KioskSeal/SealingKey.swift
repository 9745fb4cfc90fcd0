import Crypto
import Foundation

/// The platform's public sealing key as a kiosk holds it: only the platform opens what is sealed
/// to it, so a kiosk (its disk, its root user) cannot read back what its citizens gave.
///
/// HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305. Each
/// box is bound to its context (the case, the attachment) as associated data, so a box moved to
/// another case does not open there.
public struct SealingKey: Sendable, Hashable, Codable {
    /// First 8 bytes of the public key's SHA-256, hex: travels in every box, so the platform
    /// knows which of its keys opens it after a rotation.
    public var id: String
    /// Raw X25519 public key (32 bytes).
    public var publicKey: Data

    public init(publicKey: Data) throws(SealError) {
        guard (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey)) != nil else {
            throw SealError(.badKey, "a sealing key must be a raw X25519 public key (32 bytes), not \(publicKey.count) bytes")
        }
        self.publicKey = publicKey
        id = Self.identifier(of: publicKey)
    }

    init(unchecked publicKey: Data, id: String) {
        self.publicKey = publicKey
        self.id = id
    }

    /// The key from its wire form (id and base64), checking the id matches the key.
    public init(id: String, base64 publicKey: String) throws(SealError) {
        guard let raw = Data(base64Encoded: publicKey) else {
            throw SealError(.badKey, "the sealing key \(id) is not base64")
        }
        try self.init(publicKey: raw)
        guard self.id == id else {
            throw SealError(.badKey, "the sealing key's id \(id) does not match the key (\(self.id))")
        }
    }

    /// A key whose private half is dropped at once: what is sealed to it opens nowhere.
    public static func throwaway() -> SealingKey {
        let raw = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation
        return SealingKey(unchecked: raw, id: identifier(of: raw))
    }

    public static func identifier(of publicKey: Data) -> String {
        SHA256.hash(data: publicKey).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    static var suite: HPKE.Ciphersuite { .Curve25519_SHA256_ChachaPoly }
    static let info = Data("kiosk sealed application v1".utf8)

    /// Seals `plain` for the platform; `context` (a case id, `case/attachment`) must be given
    /// again to open it.
    public func seal(_ plain: Data, context: String) throws(SealError) -> Data {
        do {
            let recipient = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey)
            var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: Self.suite, info: Self.info)
            let ciphertext = try sender.seal(plain, authenticating: Data(context.utf8))
            return SealedEnvelope(keyID: id, encapsulatedKey: sender.encapsulatedKey, ciphertext: ciphertext).bytes
        } catch {
            throw SealError(.badKey, "sealing failed: \(error)")
        }
    }
}
