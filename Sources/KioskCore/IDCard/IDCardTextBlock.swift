/// The card's 256-byte text block: fixed fields of UCS-2LE text padded with spaces, laid out
/// differently for each card type (see the reference's table).
public enum IDCardTextBlock {
    /// The block's size in bytes.
    public static let size = 256
    /// Where the card-type marker character is.
    public static let typeMarkerOffset = 248
    /// The additional address block's size in bytes.
    public static let additionalAddressSize = 70

    /// A field: byte offset and length in the block.
    struct Field {
        let offset: Int
        let length: Int
        init(_ offset: Int, _ length: Int) {
            self.offset = offset
            self.length = length
        }
    }

    /// Field positions per card type; `nil` means the type has no such field.
    struct Layout {
        var name: Field?
        var englishName: Field?
        var englishNameContinued: Field?
        var gender: Field
        var ethnicity: Field?
        var renewalCount: Field?
        var birthDate: Field
        var address: Field?
        var idNumber: Field
        var issuer: Field?
        var validFrom = Field(188, 16)
        var validUntil = Field(204, 16)
        var passNumber: Field?
        var issueCount: Field?
        var nationality: Field?
        var cardVersion: Field?
        var issuingOffice: Field?
        var previousNumberLink: Field?

        static func of(_ type: IDCardType) -> Layout {
            switch type {
            case .residentID:
                Layout(
                    name: Field(0, 30), gender: Field(30, 2), ethnicity: Field(32, 4), birthDate: Field(36, 16),
                    address: Field(52, 70), idNumber: Field(122, 36), issuer: Field(158, 30))
            case .residencePermitHMT:
                Layout(
                    name: Field(0, 30), gender: Field(30, 2), birthDate: Field(36, 16), address: Field(52, 70),
                    idNumber: Field(122, 36), issuer: Field(158, 30), passNumber: Field(220, 18),
                    issueCount: Field(238, 4))
            case .foreignPermanentResident2017:
                // The Chinese name sits where the other cards have the issuing authority.
                Layout(
                    name: Field(158, 30), englishName: Field(0, 120), gender: Field(120, 2), birthDate: Field(220, 16),
                    idNumber: Field(122, 30), nationality: Field(152, 6), cardVersion: Field(236, 4),
                    issuingOffice: Field(240, 8))
            case .foreignPermanentResident2023:
                Layout(
                    name: Field(0, 30), englishName: Field(52, 70), englishNameContinued: Field(220, 22),
                    gender: Field(30, 2), renewalCount: Field(32, 4), birthDate: Field(36, 16),
                    idNumber: Field(122, 36), nationality: Field(242, 6), previousNumberLink: Field(250, 6))
            }
        }
    }

    /// The card type named by the marker at offset 248.
    public static func cardType(of text: [UInt8]) -> IDCardType {
        guard text.count >= typeMarkerOffset + 2 else { return .residentID }
        let marker = string(text, Field(typeMarkerOffset, 2)).first
        return IDCardType(marker: marker)
    }

    /// Decodes a card's text block (and additional address block, if read) into card data.
    public static func decode(
        _ text: [UInt8], photo: [UInt8] = [], fingerprint: [UInt8]? = nil, additionalAddress: [UInt8]? = nil
    ) throws(SAMProtocolError) -> IDCardData {
        guard text.count == size else {
            throw SAMProtocolError(.malformedData, "the text block has \(text.count) bytes, expected \(size)")
        }
        let type = cardType(of: text)
        let layout = Layout.of(type)
        func read(_ field: Field?) -> String? { field.map { string(text, $0) } }
        let genderCode = string(text, layout.gender)
        var englishName = read(layout.englishName)
        if let first = layout.englishName, let continued = read(layout.englishNameContinued), !continued.isEmpty {
            // The 2023 card splits a long English name over two fields; the first is space padded.
            englishName = trimmed(string(text, first, trimming: false) + continued)
        }
        let extra = additionalAddress.map(decodeAdditionalAddress)
        var card = IDCardData(
            type: type, chineseName: read(layout.name), englishName: englishName, gender: Gender(code: genderCode),
            ethnicity: read(layout.ethnicity), birthDate: string(text, layout.birthDate), address: read(layout.address),
            idNumber: string(text, layout.idNumber), issuer: read(layout.issuer),
            validFrom: string(text, layout.validFrom), validUntil: CardValidUntil(field: string(text, layout.validUntil)),
            passNumber: read(layout.passNumber), issueCount: read(layout.issueCount),
            nationality: read(layout.nationality), cardVersion: read(layout.cardVersion),
            issuingOffice: read(layout.issuingOffice), renewalCount: read(layout.renewalCount),
            previousNumberLink: read(layout.previousNumberLink),
            additionalAddress: extra.flatMap { $0.isEmpty ? nil : $0 }, photo: CardPhoto(wlt: photo),
            fingerprint: fingerprint)
        card.genderCode = genderCode
        card.recheck()
        return card
    }

    /// The text block a card with these fields carries (for the simulator and tests).
    public static func encode(_ card: IDCardData) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: size)
        // Unused space on real cards is UCS-2 spaces.
        for index in stride(from: 0, to: size, by: 2) { block[index] = 0x20 }
        let layout = Layout.of(card.type)
        func write(_ value: String?, _ field: Field?) {
            guard let value, let field else { return }
            var offset = field.offset
            for unit in value.utf16 where offset + 1 < field.offset + field.length {
                block[offset] = UInt8(truncatingIfNeeded: unit)
                block[offset + 1] = UInt8(truncatingIfNeeded: unit >> 8)
                offset += 2
            }
        }
        write(card.chineseName ?? (card.englishName == nil ? card.name : nil), layout.name)
        if let english = card.englishName, let first = layout.englishName {
            let firstCount = first.length / 2
            write(String(english.prefix(firstCount)), first)
            if english.count > firstCount { write(String(english.dropFirst(firstCount)), layout.englishNameContinued) }
        }
        write(card.genderCode, layout.gender)
        write(card.ethnicity?.code, layout.ethnicity)
        write(card.renewalCount, layout.renewalCount)
        write(card.birthDate, layout.birthDate)
        write(card.address, layout.address)
        write(card.idNumber, layout.idNumber)
        write(card.issuer, layout.issuer)
        write(card.validFrom, layout.validFrom)
        write(card.validUntil.text, layout.validUntil)
        write(card.passNumber, layout.passNumber)
        write(card.issueCount, layout.issueCount)
        write(card.nationality, layout.nationality)
        write(card.cardVersion, layout.cardVersion)
        write(card.issuingOffice, layout.issuingOffice)
        write(card.previousNumberLink, layout.previousNumberLink)
        if let marker = card.type.marker { write(String(marker), Field(typeMarkerOffset, 2)) }
        return block
    }

    /// The text of an additional address block.
    public static func decodeAdditionalAddress(_ block: [UInt8]) -> String {
        string(block, Field(0, min(block.count, additionalAddressSize)))
    }

    /// The additional address block for an address (70 bytes, space padded).
    public static func encodeAdditionalAddress(_ address: String) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: additionalAddressSize)
        for index in stride(from: 0, to: additionalAddressSize, by: 2) { block[index] = 0x20 }
        var offset = 0
        for unit in address.utf16 where offset + 1 < additionalAddressSize {
            block[offset] = UInt8(truncatingIfNeeded: unit)
            block[offset + 1] = UInt8(truncatingIfNeeded: unit >> 8)
            offset += 2
        }
        return block
    }

    /// The text of a UCS-2LE field, padding trimmed. Transcoded to UTF-8 by hand: the
    /// standard library's generic UTF-16 path costs more than the whole rest of a read.
    private static func string(_ bytes: [UInt8], _ field: Field, trimming: Bool = true) -> String {
        var start = min(field.offset, bytes.count)
        var end = min(field.offset + field.length, bytes.count)
        end = start + (end - start) / 2 * 2
        func unit(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        func isPadding(_ value: UInt16) -> Bool { value == 0x20 || value == 0 || value == 0x3000 }
        if trimming {
            while end > start, isPadding(unit(end - 2)) { end -= 2 }
            while start < end, isPadding(unit(start)) { start += 2 }
        }
        var utf8: [UInt8] = []
        utf8.reserveCapacity((end - start) / 2 * 3)
        var index = start
        while index < end {
            let value = unit(index)
            index += 2
            switch value {
            case 0..<0x80:
                utf8.append(UInt8(value))
            case 0x80..<0x800:
                utf8.append(0xC0 | UInt8(value >> 6))
                utf8.append(0x80 | UInt8(value & 0x3F))
            case 0xD800..<0xDC00 where index < end && (0xDC00..<0xE000).contains(unit(index)):
                let scalar = 0x10000 + (UInt32(value - 0xD800) << 10) + UInt32(unit(index) - 0xDC00)
                index += 2
                utf8.append(0xF0 | UInt8(scalar >> 18))
                utf8.append(0x80 | UInt8((scalar >> 12) & 0x3F))
                utf8.append(0x80 | UInt8((scalar >> 6) & 0x3F))
                utf8.append(0x80 | UInt8(scalar & 0x3F))
            case 0xD800..<0xE000:
                // An unpaired surrogate: the replacement character, as String(decoding:) would.
                utf8.append(0xEF)
                utf8.append(0xBF)
                utf8.append(0xBD)
            default:
                utf8.append(0xE0 | UInt8(value >> 12))
                utf8.append(0x80 | UInt8((value >> 6) & 0x3F))
                utf8.append(0x80 | UInt8(value & 0x3F))
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let last = scalars.last, last == " " || last == "\0" || last == "\u{3000}" { scalars.removeLast() }
        while let first = scalars.first, first == " " || first == "\0" || first == "\u{3000}" { scalars.removeFirst() }
        return String(scalars)
    }
}

extension SAMCardRecord {
    /// The card data in this record.
    public func cardData(additionalAddress: [UInt8]? = nil) throws(SAMProtocolError) -> IDCardData {
        try IDCardTextBlock.decode(text, photo: photo, fingerprint: fingerprint, additionalAddress: additionalAddress)
    }
}
