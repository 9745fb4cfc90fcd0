import Foundation

/// A case's identifier: a UUID version 7 (RFC 9562), so identifiers sort by creation time and
/// can be made offline on any kiosk without coordination.
public struct CaseID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The UUID.
    public let uuid: UUID

    /// Makes an identifier for `milliseconds` since the Unix epoch, its 74 random bits drawn
    /// from `generator`.
    public init(milliseconds: UInt64, using generator: inout some RandomNumberGenerator) {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        let a = generator.next()
        let b = generator.next()
        for index in 6..<16 {
            let word = index < 8 ? a : b
            bytes[index] = UInt8(truncatingIfNeeded: word >> (8 * (index % 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // variant 10
        uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// Makes an identifier for `date` with system randomness.
    public init(at date: Date) {
        var generator = SystemRandomNumberGenerator()
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        self.init(milliseconds: milliseconds, using: &generator)
    }

    /// Parses the text form; `nil` unless it is a version-7 UUID.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text), uuid.uuid.6 >> 4 == 7, uuid.uuid.8 >> 6 == 0b10 else { return nil }
        self.uuid = uuid
    }

    /// Milliseconds since the Unix epoch when the identifier was made.
    public var milliseconds: UInt64 {
        let u = uuid.uuid
        return [u.0, u.1, u.2, u.3, u.4, u.5].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Lower-case canonical text form.
    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: CaseID, rhs: CaseID) -> Bool { lhs.description < rhs.description }

    /// Decodes from the text form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = CaseID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a UUIDv7")
        }
        self = id
    }

    /// Encodes the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
