import Crypto
import Foundation
import KioskSeal
import KioskTrust

/// The sealing keys: kiosks seal each case's personal part to the current public key; only
/// this folder opens it. A rotation keeps the old key (in `sealing-retired/`), so what was
/// sealed before still opens, and announces the new public key in a signed `sealing` bundle.
extension PlatformAuthority {
    static let sealingKeyName = "sealing-x25519.key"
    static let retiredSealingFolder = "sealing-retired"

    /// The current key and every retired one, read from the folder each time: a rotation by
    /// another instance counts at once.
    public func sealingKeyring() throws(PlatformError) -> SealingKeyring {
        let current: Data
        do { current = try Self.raw(folder.appendingPathComponent(Self.sealingKeyName)) } catch {
            throw PlatformError(.keys, "the sealing key cannot be read: \(error)")
        }
        let retiredFolder = folder.appendingPathComponent(Self.retiredSealingFolder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: retiredFolder.path)) ?? []
        let retired = names.filter { $0.hasSuffix(".key") }.sorted().compactMap { name -> Data? in
            guard let text = try? String(contentsOf: retiredFolder.appendingPathComponent(name), encoding: .utf8) else { return nil }
            return Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        do { return try SealingKeyring(current: current, retired: retired) } catch {
            throw PlatformError(.keys, "the sealing keys in \(folder.path) cannot be used: \(error.message)")
        }
    }

    /// The current sealing key's public half, as kiosks receive it at enrolment.
    public var sealingPublicKey: EnrolmentAnswer.SealingKey {
        let key = (try? sealingKeyring())?.current
        return .init(id: key?.id ?? "", publicKey: key?.publicKey.base64EncodedString() ?? "")
    }

    /// Opens a case's sealed application (or attachment: `context` is `case/attachment`).
    public func openSealed(_ sealed: Data, context: String) throws(PlatformError) -> Data {
        do { return try sealingKeyring().open(sealed, context: context) } catch let error as SealError {
            throw PlatformError(.badRequest, "the sealed data of \(context) cannot be opened: \(error.message)")
        } catch {
            throw PlatformError(.keys, "\(error)")
        }
    }

    /// Makes a new sealing key, announces its public half to every kiosk in a signed `sealing`
    /// bundle, and makes it current. The new private key is kept before the bundle leaves (a
    /// kiosk may seal to it at once); the old one is kept after (cases sealed to it still open).
    public func rotateSealingKey(
        storage: any PlatformStorage, expiresIn: TimeInterval = 10 * 365 * 86_400, now: Date = Date()
    ) async throws(PlatformError) -> (version: Int, key: SealingKey) {
        let old = try sealingKeyring()
        let next = Curve25519.KeyAgreement.PrivateKey()
        let key: SealingKey
        do { key = try SealingKey(publicKey: next.publicKey.rawRepresentation) } catch {
            throw PlatformError(.keys, "\(error.message)")
        }
        let retiredFolder = folder.appendingPathComponent(Self.retiredSealingFolder)
        let currentFile = folder.appendingPathComponent(Self.sealingKeyName)
        do {
            try FileManager.default.createDirectory(
                at: retiredFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Self.write(
                Data(next.rawRepresentation.base64EncodedString().utf8), to: retiredFolder.appendingPathComponent("\(key.id).key"))
        } catch {
            throw PlatformError(.keys, "the new sealing key cannot be stored: \(error)")
        }
        let wire = EnrolmentAnswer.SealingKey(id: key.id, publicKey: key.publicKey.base64EncodedString())
        let file: Data
        do { file = try EnrolmentJSON.encoder.encode(wire) } catch { throw PlatformError(.keys, "\(error)") }
        let version = try await publish(
            files: [IdentityFolder.sealingKeyFile: file.base64EncodedString()], kind: .sealing, expiresIn: expiresIn, storage: storage,
            now: now)
        do {
            let current = try Data(contentsOf: currentFile)
            try Self.write(current, to: retiredFolder.appendingPathComponent("\(old.currentID).key"))
            try Self.write(Data(next.rawRepresentation.base64EncodedString().utf8), to: currentFile)
        } catch {
            throw PlatformError(.keys, "bundle \(version) names the new sealing key, but it could not be made current: \(error)")
        }
        return (version, key)
    }
}
