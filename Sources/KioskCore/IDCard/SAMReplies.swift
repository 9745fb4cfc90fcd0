import Foundation

/// The security module's identity: 16 raw bytes, and the string form vendors print.
public struct SAMID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The bytes as the SAM sent them.
    public var raw: [UInt8]

    /// Reads the id from a read-SAM-ID reply's data.
    public init(data: [UInt8]) throws(SAMProtocolError) {
        guard data.count == 16 else {
            throw SAMProtocolError(.malformedData, "a SAM ID has 16 bytes, the reply has \(data.count)")
        }
        raw = data
    }

    /// `d0.d2-u32le(d4)-u32le(d8)-u32le(d12)` zero padded to 2.2-8-10-10 digits, the form
    /// most vendor tools print (some use other separators; the raw bytes are kept too).
    public var description: String {
        func u32(_ at: Int) -> UInt32 {
            UInt32(raw[at]) | UInt32(raw[at + 1]) << 8 | UInt32(raw[at + 2]) << 16 | UInt32(raw[at + 3]) << 24
        }
        return "\(pad(raw[0], 2)).\(pad(raw[2], 2))-\(pad(u32(4), 8))-\(pad(u32(8), 10))-\(pad(u32(12), 10))"
    }

    /// The raw bytes in hex.
    public var hexString: String { raw.hexString }
}

private func pad(_ value: some BinaryInteger, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

/// What the card returns to a read command, before its text is interpreted.
public struct SAMCardRecord: Sendable, Hashable {
    /// The 256-byte text block (UCS-2LE).
    public var text: [UInt8]
    /// The photo as compressed WLT bytes (normally 1024).
    public var photo: [UInt8]
    /// Fingerprint templates (0, 512 or 1024 bytes), when they were asked for.
    public var fingerprint: [UInt8]?

    /// Creates a record.
    public init(text: [UInt8], photo: [UInt8], fingerprint: [UInt8]? = nil) {
        self.text = text
        self.photo = photo
        self.fingerprint = fingerprint
    }

    /// Splits a read reply's data: `TL PL [FL]` (2 bytes each, big-endian), then the blocks.
    public init(data: [UInt8], withFingerprint: Bool) throws(SAMProtocolError) {
        let lengthsSize = withFingerprint ? 6 : 4
        guard data.count >= lengthsSize else {
            throw SAMProtocolError(.malformedData, "a read reply starts with \(lengthsSize) length bytes, it has \(data.count) bytes")
        }
        let textLength = Int(data[0]) << 8 | Int(data[1])
        let photoLength = Int(data[2]) << 8 | Int(data[3])
        let fingerprintLength = withFingerprint ? Int(data[4]) << 8 | Int(data[5]) : 0
        let expected = lengthsSize + textLength + photoLength + fingerprintLength
        guard data.count == expected else {
            throw SAMProtocolError(
                .malformedData,
                "a read reply announcing text \(textLength), photo \(photoLength)\(withFingerprint ? ", fingerprint \(fingerprintLength)" : "") bytes must have \(expected) data bytes, it has \(data.count)"
            )
        }
        guard textLength == IDCardTextBlock.size else {
            throw SAMProtocolError(.malformedData, "the text block has \(textLength) bytes, expected \(IDCardTextBlock.size)")
        }
        var offset = lengthsSize
        text = Array(data[offset..<offset + textLength])
        offset += textLength
        photo = Array(data[offset..<offset + photoLength])
        offset += photoLength
        fingerprint = withFingerprint ? Array(data[offset..<offset + fingerprintLength]) : nil
    }

    /// The reply data for this record (what a SAM sends after the status bytes).
    public var replyData: [UInt8] {
        var data = [UInt8]()
        func length(_ count: Int) { data += [UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count)] }
        length(text.count)
        length(photo.count)
        if let fingerprint { length(fingerprint.count) }
        data += text
        data += photo
        if let fingerprint { data += fingerprint }
        return data
    }
}

/// The card's serial from select card: 8 bytes that say whether the card on the reader is
/// still the one read (it says nothing about the person).
public struct CardSerial: Sendable, Hashable, Codable, CustomStringConvertible {
    public var raw: [UInt8]

    /// Reads the serial from a select-card reply's data.
    public init(data: [UInt8]) throws(SAMProtocolError) {
        guard data.count == 8 else {
            throw SAMProtocolError(.malformedData, "select card answers 8 bytes, the reply has \(data.count)")
        }
        raw = data
    }

    public var description: String { raw.hexString }
}

extension Collection<UInt8> {
    /// The bytes as upper-case hex without separators.
    public var hexString: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Parsing captured frames that a technician pastes or saves as hex text.
public enum SAMHexText {
    /// Bytes from hex text: whitespace, `0x` prefixes, commas, colons and dashes are ignored.
    public static func bytes(from text: String) throws(SAMProtocolError) -> [UInt8] {
        var cleaned = text.replacingOccurrences(of: "0x", with: " ").replacingOccurrences(of: "0X", with: " ")
        cleaned = String(cleaned.unicodeScalars.filter { !" \t\r\n,:-".unicodeScalars.contains($0) })
        guard cleaned.count % 2 == 0 else {
            throw SAMProtocolError(.malformedText, "hex text has an odd number of digits (\(cleaned.count))")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(cleaned.count / 2)
        var iterator = cleaned.unicodeScalars.makeIterator()
        var position = 0
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else {
                throw SAMProtocolError(.malformedText, "'\(high)\(low)' at digit \(position + 1) is not hex")
            }
            bytes.append(h << 4 | l)
            position += 2
        }
        return bytes
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0x41...0x46: UInt8(scalar.value - 0x41 + 10)
        case 0x61...0x66: UInt8(scalar.value - 0x61 + 10)
        default: nil
        }
    }
}
