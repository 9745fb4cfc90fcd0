/// Checks of an ID number (GB 11643-1999) against itself and against the card it came from.
///
/// The card is authoritative: a failed check is reported as a flag, never as a refusal to
/// read, because numbers issued under older area codes or by other rules are still valid IDs.
public enum IDNumberCheck {
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Province-level prefixes of GB/T 2260 (with 71 Taiwan, 81 Hong Kong, 82 Macau and 83 for
    /// Taiwan residents' permits). Finer area codes change over the years; an ID keeps the code
    /// valid when it was issued, so only the province is checked.
    public static let provincePrefixes: Set<String> = [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
        "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
    ]

    /// The check character for the first 17 digits, or `nil` if they are not 17 digits.
    public static func checkCharacter(for first17: some StringProtocol) -> Character? {
        let digits = first17.compactMap(\.wholeNumberValue)
        guard first17.count == 17, digits.count == 17, first17.allSatisfy(\.isASCII) else { return nil }
        var sum = 0
        for (digit, weight) in zip(digits, weights) { sum += digit * weight }
        return checkCharacters[sum % 11]
    }

    /// Whether an 18-character number carries the right check character (`x` counts as `X`).
    public static func hasValidCheckCharacter(_ number: String) -> Bool {
        guard number.count == 18, let expected = checkCharacter(for: number.prefix(17)) else { return false }
        return number.last.map { Character($0.uppercased()) } == expected
    }

    /// Every finding for the ID number of a card of `type`, compared with the card's birth
    /// date (`YYYYMMDD`) and gender.
    public static func findings(
        number: String, type: IDCardType, birthDate: String?, gender: Gender
    ) -> [IDNumberFinding] {
        switch type {
        case .foreignPermanentResident2017:
            return foreign2017Findings(number: number, birthDate: birthDate)
        case .residentID, .residencePermitHMT, .foreignPermanentResident2023:
            return gb11643Findings(number: number, type: type, birthDate: birthDate, gender: gender)
        }
    }

    private static func gb11643Findings(
        number: String, type: IDCardType, birthDate: String?, gender: Gender
    ) -> [IDNumberFinding] {
        let characters = Array(number)
        guard characters.count == 18, characters.prefix(17).allSatisfy({ $0.isASCII && $0.isNumber }),
            characters[17].isASCII, characters[17].isNumber || characters[17] == "X" || characters[17] == "x"
        else { return [.malformed] }
        var findings: [IDNumberFinding] = []
        if !hasValidCheckCharacter(number) { findings.append(.checkCharacterMismatch) }
        let embeddedBirth = String(characters[6..<14])
        if !CardDate.isValid(embeddedBirth) {
            findings.append(.birthDateInvalid)
        } else if let birthDate, birthDate != embeddedBirth {
            findings.append(.birthDateMismatch)
        }
        let sequenceLast = characters[16].wholeNumberValue ?? 0
        let numberGender: Gender = sequenceLast % 2 == 1 ? .male : .female
        if (gender == .male || gender == .female) && gender != numberGender {
            findings.append(.genderMismatch)
        }
        // The foreigner 2023 number starts with 9 and carries the province in digits 2-3.
        let prefix = type == .foreignPermanentResident2023 ? String(characters[1...2]) : String(characters[0...1])
        if type == .foreignPermanentResident2023 && characters[0] != "9" {
            findings.append(.unknownAreaPrefix)
        } else if !provincePrefixes.contains(prefix) {
            findings.append(.unknownAreaPrefix)
        } else if type == .residencePermitHMT && !["81", "82", "83"].contains(prefix) {
            findings.append(.unknownAreaPrefix)
        }
        return findings
    }

    /// The 2017 foreigner card's 15-character number: 3-letter nationality, 4-digit office,
    /// `YYMMDD` birth date, sequence and check digit. Its check rule is not public: only the
    /// shape and the birth date are checked.
    private static func foreign2017Findings(number: String, birthDate: String?) -> [IDNumberFinding] {
        let characters = Array(number)
        guard characters.count == 15, characters.prefix(3).allSatisfy({ $0.isASCII && $0.isLetter }),
            characters.dropFirst(3).allSatisfy({ $0.isASCII && $0.isNumber })
        else { return [.malformed] }
        var findings: [IDNumberFinding] = [.checkCharacterNotVerifiable]
        let embedded = String(characters[7..<13])
        if let birthDate, birthDate.count == 8, String(birthDate.suffix(6)) != embedded {
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
