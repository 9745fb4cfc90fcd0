import Crypto
import Foundation
import KioskSeal
import Testing

@Suite("Sealing to the platform's key (HPKE)")
struct SealTests {
    static func privateKey() -> Data { Curve25519.KeyAgreement.PrivateKey().rawRepresentation }
    let application = Data(#"{"values":{"applicant.name":{"value":"林晓明","source":"id_card"}}}"#.utf8)

    @Test("Only the platform's keyring opens a box, and only for the case it was sealed for")
    func roundTrip() throws {
        let keyring = try SealingKeyring(current: Self.privateKey())
        let sealed = try keyring.current.seal(application, context: "case-1")
        #expect(sealed.range(of: Data("林晓明".utf8)) == nil)
        #expect(try SealedEnvelope(parsing: sealed).keyID == keyring.currentID)
        #expect(try keyring.open(sealed, context: "case-1") == application)
        // Moved to another case: refused.
        #expect { try keyring.open(sealed, context: "case-2") } throws: { ($0 as? SealError)?.code == .altered }
        // One byte changed anywhere in the ciphertext: refused.
        var altered = sealed
        altered[altered.count - 5] ^= 0x01
        #expect { try keyring.open(altered, context: "case-1") } throws: { ($0 as? SealError)?.code == .altered }
        // Another platform's keys: not even tried.
        let stranger = try SealingKeyring(current: Self.privateKey())
        #expect { try stranger.open(sealed, context: "case-1") } throws: { ($0 as? SealError)?.code == .unknownKey }
        // Two seals of the same data differ (a fresh encapsulated key each time).
        #expect(try keyring.current.seal(application, context: "case-1") != sealed)
    }

    @Test("After a rotation the keyring opens boxes sealed to the new key and to the retired one")
    func rotation() throws {
        let old = Self.privateKey()
        let new = Self.privateKey()
        let before = try SealingKeyring(current: old)
        let sealedBefore = try before.current.seal(application, context: "case-1")
        let after = try SealingKeyring(current: new, retired: [old])
        #expect(after.currentID != before.currentID)
        let sealedAfter = try after.current.seal(application, context: "case-2")
        #expect(try after.open(sealedBefore, context: "case-1") == application)
        #expect(try after.open(sealedAfter, context: "case-2") == application)
        #expect { try before.open(sealedAfter, context: "case-2") } throws: { ($0 as? SealError)?.code == .unknownKey }
    }

    @Test("Malformed boxes and keys are refused with their reason")
    func malformed() throws {
        #expect { try SealedEnvelope(parsing: Data("hello".utf8)) } throws: { ($0 as? SealError)?.code == .malformed }
        #expect { try SealedEnvelope(parsing: Data("KSL1\u{10}short".utf8)) } throws: { ($0 as? SealError)?.code == .malformed }
        #expect { try SealingKey(publicKey: Data(repeating: 1, count: 31)) } throws: { ($0 as? SealError)?.code == .badKey }
        let key = try SealingKeyring(current: Self.privateKey()).current
        // A key whose id does not match it (a swapped file): refused.
        #expect { try SealingKey(id: "0000000000000000", base64: key.publicKey.base64EncodedString()) } throws: {
            ($0 as? SealError)?.code == .badKey
        }
        #expect(try SealingKey(id: key.id, base64: key.publicKey.base64EncodedString()) == key)
    }
}
