import Crypto
import Foundation
import KioskTrust
import Testing

/// Signed catalogues, calendars and configuration: what the kiosk refuses, and why (TUF's lessons).
@Suite("Signed bundles: tampered, wrong-key, replayed and expired bundles are refused; keys rotate only through the old key")
struct BundleVerifierTests {
    let key = Curve25519.Signing.PrivateKey()
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var trusted: BundleVerifier { BundleVerifier(trustedKeys: [key.publicKey.rawRepresentation.base64EncodedString()]) }

    func content(version: Int, expiresIn: TimeInterval = 86_400, signingKeys: [String]? = nil) -> BundleContent {
        BundleContent(
            kind: .catalog, version: version, publishedAt: now, expires: now.addingTimeInterval(expiresIn),
            files: ["bundles/newborn.yaml": Data("id: newborn\n".utf8).base64EncodedString()], signingKeys: signingKeys)
    }

    func refusal(_ body: () throws(TrustError) -> BundleContent) -> TrustError? {
        do {
            _ = try body()
            return nil
        } catch { return error }
    }

    @Test("A bundle signed by the trusted key, newer and unexpired, is accepted with its files")
    func accepted() throws {
        let bundle = try SignedBundle.sign(content(version: 3), with: [key])
        let accepted = try trusted.verify(bundle, kind: .catalog, newerThan: 2, now: now)
        #expect(accepted.version == 3)
        #expect(accepted.files.keys.sorted() == ["bundles/newborn.yaml"])
    }

    @Test("One changed byte of the payload, or a signature moved to other content, is tampering")
    func tampered() throws {
        var bundle = try SignedBundle.sign(content(version: 3), with: [key])
        var bytes = try #require(Data(base64Encoded: bundle.payload))
        bytes[bytes.count / 2] ^= 0x01
        bundle.payload = bytes.base64EncodedString()
        #expect(
            refusal { () throws(TrustError) in try trusted.verify(bundle, kind: .catalog, newerThan: nil, now: now) }?.code == .tampered)

        var swapped = try SignedBundle.sign(content(version: 4), with: [key])
        swapped.signatures = try SignedBundle.sign(content(version: 5), with: [key]).signatures
        #expect(
            refusal { () throws(TrustError) in try trusted.verify(swapped, kind: .catalog, newerThan: nil, now: now) }?.code == .tampered)
    }

    @Test("A bundle signed by another key is refused, naming the key")
    func wrongKey() throws {
        let stranger = Curve25519.Signing.PrivateKey()
        let bundle = try SignedBundle.sign(content(version: 3), with: [stranger])
        let error = refusal { () throws(TrustError) in try trusted.verify(bundle, kind: .catalog, newerThan: nil, now: now) }
        #expect(error?.code == .wrongKey)
        #expect(error?.message.contains(SignedBundle.keyID(of: stranger.publicKey.rawRepresentation)) == true)
    }

    @Test("A replay of the trusted version or an older one is refused; an expired bundle is refused")
    func replayAndExpiry() throws {
        let old = try SignedBundle.sign(content(version: 2), with: [key])
        #expect(refusal { () throws(TrustError) in try trusted.verify(old, kind: .catalog, newerThan: 2, now: now) }?.code == .rollback)
        #expect(refusal { () throws(TrustError) in try trusted.verify(old, kind: .catalog, newerThan: 5, now: now) }?.code == .rollback)
        let lapsed = try SignedBundle.sign(content(version: 6, expiresIn: -1), with: [key])
        #expect(refusal { () throws(TrustError) in try trusted.verify(lapsed, kind: .catalog, newerThan: 5, now: now) }?.code == .expired)
    }

    @Test("A calendar offered as the catalogue, or a file outside the bundle's folder, is refused")
    func wrongKindAndPaths() throws {
        let bundle = try SignedBundle.sign(content(version: 3), with: [key])
        #expect(
            refusal { () throws(TrustError) in try trusted.verify(bundle, kind: .calendar, newerThan: nil, now: now) }?.code == .tampered)
        var escaping = content(version: 3)
        escaping.files = ["../../etc/passwd": "AA=="]
        let bad = try SignedBundle.sign(escaping, with: [key])
        #expect(refusal { () throws(TrustError) in try trusted.verify(bad, kind: .catalog, newerThan: nil, now: now) }?.code == .tampered)
    }

    @Test("A new key is trusted only through a bundle signed by the old key that names it")
    func rotation() throws {
        let next = Curve25519.Signing.PrivateKey()
        let nextPublic = next.publicKey.rawRepresentation.base64EncodedString()
        // The new key alone is not trusted.
        let early = try SignedBundle.sign(content(version: 4), with: [next])
        #expect(refusal { () throws(TrustError) in try trusted.verify(early, kind: .catalog, newerThan: 3, now: now) }?.code == .wrongKey)
        // The rotation bundle, signed by the old key, names the new one.
        let rotation = try SignedBundle.sign(content(version: 4, signingKeys: [nextPublic]), with: [key])
        let accepted = try trusted.verify(rotation, kind: .catalog, newerThan: 3, now: now)
        let rotated = BundleVerifier(trustedKeys: try #require(accepted.signingKeys))
        // From then on the new key signs, and the old one no longer does.
        #expect(
            try rotated.verify(try SignedBundle.sign(content(version: 5), with: [next]), kind: .catalog, newerThan: 4, now: now).version
                == 5)
        let stale = try SignedBundle.sign(content(version: 5), with: [key])
        #expect(refusal { () throws(TrustError) in try rotated.verify(stale, kind: .catalog, newerThan: 4, now: now) }?.code == .wrongKey)
    }
}
