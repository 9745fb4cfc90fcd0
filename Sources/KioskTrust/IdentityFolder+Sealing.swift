import Foundation
import KioskSeal

/// The platform key this kiosk seals every case to. It arrives at enrolment (over the channel
/// the token's pin proved), and later only in a signed `sealing` bundle: nobody can make a
/// kiosk seal to a key of their own without the platform's signing key.
extension IdentityFolder {
    /// The file a `sealing` bundle carries: `{"id", "publicKey"}` (base64 raw X25519).
    public static let sealingKeyFile = "sealing-key.json"

    /// The newest signed sealing bundle's key, else the enrolment's; nil when not enrolled.
    public func sealingKey() throws(TrustError) -> SealingKey? {
        if let folder = BundleShelf(stateDirectory: stateDirectory).current(.sealing) {
            return try Self.sealingKey(inBundle: folder)
        }
        guard let enrolled = try enrolled() else { return nil }
        let wire = enrolled.answer.sealingKey
        do { return try SealingKey(id: wire.id, base64: wire.publicKey) } catch {
            throw TrustError(.files, "the enrolment's sealing key cannot be used (\(error.message)); enrol again with 'kioskctl enroll'")
        }
    }

    /// The key a verified sealing bundle holds.
    public static func sealingKey(inBundle folder: URL) throws(TrustError) -> SealingKey {
        let file = folder.appendingPathComponent(sealingKeyFile)
        do {
            let wire = try EnrolmentJSON.decoder.decode(EnrolmentAnswer.SealingKey.self, from: Data(contentsOf: file))
            return try SealingKey(id: wire.id, base64: wire.publicKey)
        } catch {
            throw TrustError(.tampered, "the sealing bundle's key \(file.path) cannot be used: \(error)")
        }
    }
}
