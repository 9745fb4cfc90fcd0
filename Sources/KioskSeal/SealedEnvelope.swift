import Foundation

/// A sealed box on disk and on the wire:
///
///     "KSL1" | key id length (1 byte) | key id (ASCII) | encapsulated key (32) | ciphertext ‖ tag
///
/// The key id is in the clear on purpose: the platform picks its key by it, and it says
/// nothing about the citizen.
public struct SealedEnvelope: Sendable, Hashable {
    public var keyID: String
    public var encapsulatedKey: Data
    public var ciphertext: Data

    static let magic = Data("KSL1".utf8)
    static let encapsulatedKeyLength = 32

    public init(keyID: String, encapsulatedKey: Data, ciphertext: Data) {
        self.keyID = keyID
        self.encapsulatedKey = encapsulatedKey
        self.ciphertext = ciphertext
    }

    public init(parsing data: Data) throws(SealError) {
        let bytes = [UInt8](data)
        guard bytes.count > 5, Data(bytes[0..<4]) == Self.magic else {
            throw SealError(.malformed, "not a sealed box (\(bytes.count) bytes without the KSL1 mark)")
        }
        let idLength = Int(bytes[4])
        let keyEnd = 5 + idLength
        guard bytes.count > keyEnd + Self.encapsulatedKeyLength, let id = String(bytes: bytes[5..<keyEnd], encoding: .ascii) else {
            throw SealError(.malformed, "the sealed box is cut short (\(bytes.count) bytes)")
        }
        keyID = id
        encapsulatedKey = Data(bytes[keyEnd..<(keyEnd + Self.encapsulatedKeyLength)])
        ciphertext = Data(bytes[(keyEnd + Self.encapsulatedKeyLength)...])
    }

    public var bytes: Data {
        var data = Self.magic
        let id = Data(keyID.utf8.prefix(255))
        data.append(UInt8(id.count))
        data.append(id)
        data.append(encapsulatedKey)
        data.append(ciphertext)
        return data
    }
}
