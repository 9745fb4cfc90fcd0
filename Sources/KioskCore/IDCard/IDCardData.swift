import Foundation

/// The four kinds of card a citizen may place on the reader, told apart by the character at
/// text offset 248.
public enum IDCardType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// 居民身份证, the resident ID card (offset 248 is normally a space).
    case residentID = "resident-id"
    /// 港澳台居民居住证, the Hong Kong/Macau/Taiwan residence permit (`J`).
    case residencePermitHMT = "hmt-residence-permit"
    /// 外国人永久居留身份证, 2017 layout (`I`).
    case foreignPermanentResident2017 = "foreign-permanent-resident-2017"
    /// 外国人永久居留身份证, 2023 layout (`Y`).
    case foreignPermanentResident2023 = "foreign-permanent-resident-2023"

    /// The marker at offset 248, or `nil` for the resident ID card (whose marker is a space).
    public var marker: Character? {
        switch self {
        case .residentID: nil
        case .residencePermitHMT: "J"
        case .foreignPermanentResident2017: "I"
        case .foreignPermanentResident2023: "Y"
        }
    }

    /// The type for a marker; anything unknown is a resident ID card, as readers treat it.
    public init(marker: Character?) {
        switch marker {
        case "J": self = .residencePermitHMT
        case "I": self = .foreignPermanentResident2017
        case "Y": self = .foreignPermanentResident2023
        default: self = .residentID
        }
    }

    public var description: String { rawValue }

    /// The document's name as the citizen knows it.
    public var chineseName: String {
        switch self {
        case .residentID: "居民身份证"
        case .residencePermitHMT: "港澳台居民居住证"
        case .foreignPermanentResident2017, .foreignPermanentResident2023: "外国人永久居留身份证"
        }
    }
}

/// Gender as the card encodes it (GB/T 2261.1).
public enum Gender: String, Sendable, Hashable, Codable, CaseIterable {
    case unknown
    case male
    case female
    case notStated = "not-stated"

    /// The gender for the card's one-character code; unknown codes are `.unknown`.
    public init(code: String) {
        switch code {
        case "1": self = .male
        case "2": self = .female
        case "9": self = .notStated
        default: self = .unknown
        }
    }

    /// The card's code.
    public var code: String {
        switch self {
        case .unknown: "0"
        case .male: "1"
        case .female: "2"
        case .notStated: "9"
        }
    }

    /// The Chinese word printed on the card.
    public var chinese: String {
        switch self {
        case .unknown: "未知"
        case .male: "男"
        case .female: "女"
        case .notStated: "未说明"
        }
    }
}

/// Ethnicity (民族) as a two-digit GB 3304 code and its name.
public struct Ethnicity: Sendable, Hashable, Codable {
    public var code: String
    /// The name, or `nil` for a code the table does not have.
    public var name: String?

    /// The ethnicity for a code, with its name looked up.
    public init(code: String) {
        self.code = code
        self.name = Self.names[code]
    }

    /// GB 3304 names by code.
    public static let names: [String: String] = {
        let list = [
            "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣",
            "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉",
            "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
            "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
        ]
        var names: [String: String] = [:]
        for (index, name) in list.enumerated() {
            let number = index + 1
            names[number < 10 ? "0\(number)" : "\(number)"] = name
        }
        names["97"] = "其他"
        names["98"] = "外国血统中国籍人士"
        return names
    }()
}

/// The end of a card's validity: a date, or `长期` (no expiry), or other text as printed.
public enum CardValidUntil: Sendable, Hashable, Codable {
    case date(String)
    case longTerm
    case text(String)

    /// Interprets the field: starting with a digit means a date, `长期` means no expiry.
    public init(field: String) {
        if field.first?.isASCII == true && field.first?.isNumber == true {
            self = .date(field)
        } else if field == "长期" {
            self = .longTerm
        } else {
            self = .text(field)
        }
    }

    /// As printed on the card.
    public var text: String {
        switch self {
        case let .date(date): date
        case .longTerm: "长期"
        case let .text(text): text
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(field: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// Dates on the card, `YYYYMMDD`.
public enum CardDate {
    /// Whether `text` is a real calendar date written `YYYYMMDD`.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        // Byte arithmetic: this runs for every card read and Character properties are slow.
        var value = 0
        var count = 0
        for byte in text.utf8 {
            guard byte >= 0x30 && byte <= 0x39, count < 8 else { return false }
            value = value * 10 + Int(byte - 0x30)
            count += 1
        }
        guard count == 8 else { return false }
        let year = value / 10000
        let month = value / 100 % 100
        let day = value % 100
        guard year >= 1800, (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }
}

/// Something odd about a card's own fields (not its ID number); reported, never fatal.
public enum CardDataFinding: String, Sendable, Hashable, Codable, CaseIterable {
    case birthDateInvalid = "birth-date-invalid"
    case validFromInvalid = "valid-from-invalid"
    case validUntilInvalid = "valid-until-invalid"
    case unknownGenderCode = "unknown-gender-code"
    case unknownEthnicityCode = "unknown-ethnicity-code"
}

/// The photo: compressed "WLT" bytes straight from the card, and whether they could be
/// turned into an image on this kiosk (only a licensed vendor library can).
public struct CardPhoto: Sendable, Hashable, Codable {
    /// Whether the photo can be shown.
    public enum State: Sendable, Hashable {
        /// No WLT decoder is configured on this kiosk: the raw bytes are all there is.
        case notDecodableHere
        /// The configured decoder produced a bitmap (a BMP file, 102×126, 24-bit).
        case decoded(bmp: Data)
        /// The configured decoder failed; the reason names the library, not the person.
        case decodeFailed(reason: String)
    }

    /// The 1024 compressed bytes as read.
    public var wlt: Data
    public var state: State

    /// A photo that has not been decoded.
    public init(wlt: [UInt8], state: State = .notDecodableHere) {
        self.wlt = Data(wlt)
        self.state = state
    }

    /// A short word for the state, for status output (`not-decodable-here`).
    public var stateName: String {
        switch state {
        case .notDecodableHere: "not-decodable-here"
        case .decoded: "decoded"
        case .decodeFailed: "decode-failed"
        }
    }

    private enum CodingKeys: String, CodingKey { case state, wlt, bmp, reason }

    /// `{"state": "not-decodable-here", "wlt": "<base64>"}`, plus `bmp` or `reason`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stateName, forKey: .state)
        try container.encode(wlt, forKey: .wlt)
        switch state {
        case let .decoded(bmp): try container.encode(bmp, forKey: .bmp)
        case let .decodeFailed(reason): try container.encode(reason, forKey: .reason)
        case .notDecodableHere: break
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        wlt = try container.decode(Data.self, forKey: .wlt)
        switch try container.decode(String.self, forKey: .state) {
        case "decoded": state = .decoded(bmp: try container.decode(Data.self, forKey: .bmp))
        case "decode-failed": state = .decodeFailed(reason: try container.decode(String.self, forKey: .reason))
        default: state = .notDecodableHere
        }
    }

    /// Runs `decoder` over the WLT bytes and records the outcome.
    public mutating func decode(with decoder: any WLTPhotoDecoder) {
        do {
            state = .decoded(bmp: Data(try decoder.decode(wlt: Array(wlt))))
        } catch {
            state = .decodeFailed(reason: "\(error)")
        }
    }
}

/// A WLT photo decoder: in practice a licensed vendor library loaded at run time.
public protocol WLTPhotoDecoder: Sendable {
    /// Decodes the card's compressed photo into a BMP file's bytes.
    func decode(wlt: [UInt8]) throws -> [UInt8]
}

/// Everything read from one card, as the card says it; held in memory for one citizen's
/// session only.
///
/// `description`, `debugDescription` and `dump` show the card type only, so that a stray
/// log line or crash report cannot leak a person's data. Encoding gives all fields, for the
/// session and the UI.
public struct IDCardData: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var type: IDCardType
    /// The name to address the person by: Chinese name when the card has one, else English.
    public var name: String
    /// Chinese name (resident, `J`, `Y`; the `I` card's Chinese name field).
    public var chineseName: String?
    /// English name (`I`, `Y`).
    public var englishName: String?
    public var gender: Gender
    /// The one-character gender code as stored.
    public var genderCode: String
    /// Resident ID card only.
    public var ethnicity: Ethnicity?
    /// `YYYYMMDD` as stored.
    public var birthDate: String
    /// Resident ID card and `J` permit.
    public var address: String?
    public var idNumber: String
    /// Issuing authority (resident ID card and `J` permit).
    public var issuer: String?
    /// `YYYYMMDD`.
    public var validFrom: String
    public var validUntil: CardValidUntil
    /// `J` permit: the Hong Kong/Macau/Taiwan travel permit number.
    public var passNumber: String?
    /// `J` permit: how many times it was issued.
    public var issueCount: String?
    /// Foreigner cards: ISO 3166 alpha-3 nationality code.
    public var nationality: String?
    /// `I` card: card version.
    public var cardVersion: String?
    /// `I` card: issuing office code.
    public var issuingOffice: String?
    /// `Y` card: renewal count.
    public var renewalCount: String?
    /// `Y` card: link to the previous card's number.
    public var previousNumberLink: String?
    /// The address written after a move, when the card has one.
    public var additionalAddress: String?
    public var photo: CardPhoto
    /// Fingerprint templates, raw, when they were read.
    public var fingerprint: Data?
    /// Checks of the ID number (empty: all checks passed).
    public var idNumberFindings: [IDNumberFinding]
    /// Checks of the other fields (empty: all fine).
    public var dataFindings: [CardDataFinding]

    /// Creates card data field by field (simulator cards, tests); findings are computed.
    public init(
        type: IDCardType, chineseName: String?, englishName: String? = nil, gender: Gender, ethnicity: String? = nil,
        birthDate: String, address: String? = nil, idNumber: String, issuer: String? = nil, validFrom: String,
        validUntil: CardValidUntil, passNumber: String? = nil, issueCount: String? = nil, nationality: String? = nil,
        cardVersion: String? = nil, issuingOffice: String? = nil, renewalCount: String? = nil,
        previousNumberLink: String? = nil, additionalAddress: String? = nil, photo: CardPhoto = CardPhoto(wlt: []),
        fingerprint: [UInt8]? = nil
    ) {
        self.type = type
        self.name = chineseName.flatMap { $0.isEmpty ? nil : $0 } ?? englishName ?? ""
        self.chineseName = chineseName
        self.englishName = englishName
        self.gender = gender
        self.genderCode = gender.code
        self.ethnicity = ethnicity.map(Ethnicity.init(code:))
        self.birthDate = birthDate
        self.address = address
        self.idNumber = idNumber
        self.issuer = issuer
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.passNumber = passNumber
        self.issueCount = issueCount
        self.nationality = nationality
        self.cardVersion = cardVersion
        self.issuingOffice = issuingOffice
        self.renewalCount = renewalCount
        self.previousNumberLink = previousNumberLink
        self.additionalAddress = additionalAddress
        self.photo = photo
        self.fingerprint = fingerprint.map { Data($0) }
        self.idNumberFindings = []
        self.dataFindings = []
        recheck()
    }

    /// Recomputes ``idNumberFindings`` and ``dataFindings`` from the fields.
    public mutating func recheck() {
        idNumberFindings = IDNumberCheck.findings(number: idNumber, type: type, birthDate: birthDate, gender: gender)
        var findings: [CardDataFinding] = []
        if !CardDate.isValid(birthDate) { findings.append(.birthDateInvalid) }
        if !CardDate.isValid(validFrom) { findings.append(.validFromInvalid) }
        if case let .date(date) = validUntil, !CardDate.isValid(date) { findings.append(.validUntilInvalid) }
        if !["0", "1", "2", "9"].contains(genderCode) { findings.append(.unknownGenderCode) }
        if let ethnicity, ethnicity.name == nil { findings.append(.unknownEthnicityCode) }
        dataFindings = findings
    }

    /// The card's personal text values, to register with the log ``Redactor`` for the
    /// session (`redactor.remember(card.personalValues)`) so none of them can reach a log line.
    public var personalValues: [String] {
        [name, chineseName, englishName, idNumber, birthDate, address, additionalAddress, passNumber, previousNumberLink]
            .compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// Whether the ID number passed every check that could be made.
    public var idNumberLooksValid: Bool { !idNumberFindings.contains { $0.isProblem } }

    public var description: String { "IDCardData(type: \(type), personal data redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["type": type], displayStyle: .struct) }
}
