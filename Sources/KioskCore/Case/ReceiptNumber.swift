/// The number printed on the receipt (收件回执) that the applicant quotes to follow the case:
/// `AAAAAA-YYYYMMDD-KKKK-SSSSS-C` — administrative division code of the county (6 digits), the
/// day of reception, the kiosk's number in the county (4 digits), the kiosk's sequence that day
/// (5 digits), and an ISO 7064 MOD 11,10 check digit over the 23 digits before it, so that a
/// number mistyped at a window or on the phone is caught.
public struct ReceiptNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Administrative division code, e.g. 410721 (新乡县).
    public let division: Int
    /// Day of reception.
    public let day: CivilDate
    /// Kiosk number in the county, 1–9999.
    public let kiosk: Int
    /// Sequence on that kiosk that day, 1–99999.
    public let sequence: Int

    /// Creates a receipt number; `nil` if a part is out of range.
    public init?(division: Int, day: CivilDate, kiosk: Int, sequence: Int) {
        guard (100_000...999_999).contains(division), (1...9999).contains(kiosk), (1...99_999).contains(sequence),
            (1000...9999).contains(day.year)
        else { return nil }
        self.division = division
        self.day = day
        self.kiosk = kiosk
        self.sequence = sequence
    }

    /// Parses the printed form (dashes optional); `nil` if malformed or the check digit is wrong.
    public init?(_ text: String) {
        let digits = text.filter { $0 != "-" }
        guard digits.count == 24, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let values = digits.compactMap(\.wholeNumberValue)
        guard Self.checkDigit(Array(values.prefix(23))) == values[23] else { return nil }
        func number(_ range: Range<Int>) -> Int { values[range].reduce(0) { $0 * 10 + $1 } }
        guard let day = CivilDate(year: number(6..<10), month: number(10..<12), day: number(12..<14)) else {
            return nil
        }
        self.init(division: number(0..<6), day: day, kiosk: number(14..<18), sequence: number(18..<23))
    }

    /// The check digit.
    public var check: Int { Self.checkDigit(bodyDigits) }

    /// `AAAAAA-YYYYMMDD-KKKK-SSSSS-C`.
    public var description: String {
        let (y, m, d) = day.components
        return "\(Self.pad(division, 6))-\(Self.pad(y, 4))\(Self.pad(m, 2))\(Self.pad(d, 2))-"
            + "\(Self.pad(kiosk, 4))-\(Self.pad(sequence, 5))-\(check)"
    }

    private var bodyDigits: [Int] {
        let (y, m, d) = day.components
        let text =
            Self.pad(division, 6) + Self.pad(y, 4) + Self.pad(m, 2) + Self.pad(d, 2)
            + Self.pad(kiosk, 4) + Self.pad(sequence, 5)
        return text.compactMap(\.wholeNumberValue)
    }

    /// ISO 7064 MOD 11,10 (a hybrid system giving one decimal check digit).
    static func checkDigit(_ digits: [Int]) -> Int {
        var product = 10
        for digit in digits {
            var sum = (product + digit) % 10
            if sum == 0 { sum = 10 }
            product = (sum * 2) % 11
        }
        return (11 - product) % 10
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// Decodes the printed form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let number = ReceiptNumber(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a receipt number")
        }
        self = number
    }

    /// Encodes the printed form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
