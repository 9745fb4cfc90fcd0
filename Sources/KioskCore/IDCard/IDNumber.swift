/// Checks of an ID number (GB 11643-1999) against itself and against the card it came from.
///
/// The card is authoritative: a failed check is reported as a flag, never as a refusal to
/// read, because numbers issued under older area codes or by other rules are still valid IDs.
///
/// The checks work on the number's UTF-8 bytes: they run for every card read, and
/// `Character` properties cost microseconds each.
public enum IDNumberCheck {
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [UInt8] = Array("10X98765432".utf8)

    /// Province-level prefixes of GB/T 2260 (with 71 Taiwan, 81 Hong Kong, 82 Macau and 83 for
    /// Taiwan residents' permits). Finer area codes change over the years; an ID keeps the code
    /// valid when it was issued, so only the province is checked.
    public static let provincePrefixes: Set<Int> = [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
        62, 63, 64, 65, 71, 81, 82, 83,
    ]

    /// The check character for the first 17 digits, or `nil` if they are not 17 digits.
    public static func checkCharacter(for first17: some StringProtocol) -> Character? {
        let bytes = Array(first17.utf8)
        guard bytes.count == 17, let check = checkByte(bytes) else { return nil }
        return Character(Unicode.Scalar(check))
    }

    /// Whether an 18-character number carries the right check character (`x` counts as `X`).
    public static func hasValidCheckCharacter(_ number: String) -> Bool {
        let bytes = Array(number.utf8)
        guard bytes.count == 18, let expected = checkByte(bytes) else { return false }
        return (bytes[17] == 0x78 ? 0x58 : bytes[17]) == expected
    }

    /// Every finding for the ID number of a card of `type`, compared with the card's birth
    /// date (`YYYYMMDD`) and gender.
    public static func findings(
        number: String, type: IDCardType, birthDate: String?, gender: Gender
    ) -> [IDNumberFinding] {
        switch type {
        case .foreignPermanentResident2017:
            return foreign2017Findings(number: Array(number.utf8), birthDate: birthDate)
        case .residentID, .residencePermitHMT, .foreignPermanentResident2023:
            return gb11643Findings(number: Array(number.utf8), type: type, birthDate: birthDate, gender: gender)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    /// The check byte for the first 17 bytes, if they are digits.
    private static func checkByte(_ bytes: [UInt8]) -> UInt8? {
        var sum = 0
        for index in 0..<17 {
            guard isDigit(bytes[index]) else { return nil }
            sum += Int(bytes[index] - 0x30) * weights[index]
        }
        return checkCharacters[sum % 11]
    }

    private static func gb11643Findings(
        number bytes: [UInt8], type: IDCardType, birthDate: String?, gender: Gender
    ) -> [IDNumberFinding] {
        guard bytes.count == 18, bytes[0..<17].allSatisfy(isDigit),
            isDigit(bytes[17]) || bytes[17] == 0x58 || bytes[17] == 0x78, let expected = checkByte(bytes)
        else { return [.malformed] }
        var findings: [IDNumberFinding] = []
        if (bytes[17] == 0x78 ? 0x58 : bytes[17]) != expected { findings.append(.checkCharacterMismatch) }
        let embeddedBirth = bytes[6..<14]
        if !CardDate.isValid(String(decoding: embeddedBirth, as: UTF8.self)) {
            findings.append(.birthDateInvalid)
        } else if let birthDate, !birthDate.utf8.elementsEqual(embeddedBirth) {
            findings.append(.birthDateMismatch)
        }
        let numberGender: Gender = (bytes[16] - 0x30) % 2 == 1 ? .male : .female
        if (gender == .male || gender == .female) && gender != numberGender {
            findings.append(.genderMismatch)
        }
        // The foreigner 2023 number starts with 9 and carries the province in digits 2-3.
        let at = type == .foreignPermanentResident2023 ? 1 : 0
        let province = Int(bytes[at] - 0x30) * 10 + Int(bytes[at + 1] - 0x30)
        if type == .foreignPermanentResident2023 && bytes[0] != 0x39 {
            findings.append(.unknownAreaPrefix)
        } else if !provincePrefixes.contains(province) {
            findings.append(.unknownAreaPrefix)
        } else if type == .residencePermitHMT && !(81...83).contains(province) {
            findings.append(.unknownAreaPrefix)
        }
        return findings
    }

    /// The 2017 foreigner card's 15-character number: 3-letter nationality, 4-digit office,
    /// `YYMMDD` birth date, sequence and check digit. Its check rule is not public: only the
    /// shape and the birth date are checked.
    private static func foreign2017Findings(number bytes: [UInt8], birthDate: String?) -> [IDNumberFinding] {
        guard bytes.count == 15, bytes[0..<3].allSatisfy(isLetter), bytes[3...].allSatisfy(isDigit) else {
            return [.malformed]
        }
        var findings: [IDNumberFinding] = [.checkCharacterNotVerifiable]
        if let birthDate, birthDate.utf8.count == 8, !birthDate.utf8.dropFirst(2).elementsEqual(bytes[7..<13]) {
            findings.append(.birthDateMismatch)
        }
        return findings
    }
}

/// Something found wrong (or not checkable) in an ID number; the card is still read.
public enum IDNumberFinding: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not the shape its card type uses (length or characters).
    case malformed
    /// The GB 11643 check character does not match the other 17 digits.
    case checkCharacterMismatch
    /// The card type's check rule is not public, so the number could not be verified.
    case checkCharacterNotVerifiable
    /// The birth date in the number is not a real date.
    case birthDateInvalid
    /// The birth date in the number differs from the card's birth date.
    case birthDateMismatch
    /// The sequence number's parity (odd = male) disagrees with the card's gender.
    case genderMismatch
    /// The area prefix is not a known province (a warning: codes change over time).
    case unknownAreaPrefix

    /// Whether the finding casts doubt on the number (as opposed to an unverifiable rule).
    public var isProblem: Bool { self != .checkCharacterNotVerifiable && self != .unknownAreaPrefix }
}
