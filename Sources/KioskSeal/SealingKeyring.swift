import Crypto
import Foundation

/// The platform's private sealing keys, current and retired: a rotation keeps the old key, so
/// boxes sealed before it still open. Only the platform holds one (tests hold their own).
public struct SealingKeyring: Sendable {
    /// Key id → raw X25519 private key (swift-crypto's keys are not Sendable).
    private let keys: [String: Data]
    /// The public half of the key kiosks seal to now.
    public let current: SealingKey
    public var currentID: String { current.id }

    /// `current` first; `retired` open older boxes only.
    public init(current currentKey: Data, retired: [Data] = []) throws(SealError) {
        var keys: [String: Data] = [:]
        var current: SealingKey?
        for (index, raw) in ([currentKey] + retired).enumerated() {
            guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) else {
                throw SealError(.badKey, "a sealing private key must be raw X25519 (32 bytes), not \(raw.count) bytes")
            }
            let id = SealingKey.identifier(of: key.publicKey.rawRepresentation)
            keys[id] = raw
            if index == 0 { current = try SealingKey(publicKey: key.publicKey.rawRepresentation) }
        }
        self.keys = keys
        // `[current] + retired` is never empty.
        self.current = current ?? SealingKey(unchecked: Data(), id: "")
    }

    public var ids: [String] { keys.keys.sorted() }

    /// Opens a box sealed for `context`.
    public func open(_ sealed: Data, context: String) throws(SealError) -> Data {
        let envelope = try SealedEnvelope(parsing: sealed)
        guard let raw = keys[envelope.keyID], let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) else {
            throw SealError(.unknownKey, "sealed to key \(envelope.keyID), which this platform does not hold")
        }
        do {
            var recipient = try HPKE.Recipient(
                privateKey: key, ciphersuite: SealingKey.suite, info: SealingKey.info, encapsulatedKey: envelope.encapsulatedKey)
            return try recipient.open(envelope.ciphertext, authenticating: Data(context.utf8))
        } catch {
            throw SealError(.altered, "the sealed box does not open for \(context): altered, or sealed for another case")
        }
    }
}
