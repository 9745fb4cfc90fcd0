import Foundation
import KioskCore
import KioskFiles

/// A sample card for the simulator, from a YAML file in `Devices/idcard/cards/`. The people
/// are invented; their ID numbers carry valid check characters.
///
/// ```yaml
/// type: resident-id
/// chinese_name: 林晓明
/// gender: male
/// ethnicity: "01"
/// birth_date: "19900307"
/// ...
/// serial: "0102030405060708"
/// ```
public enum SampleCardFile {
    private struct Contents: Decodable {
        var type: IDCardType
        var chineseName: String?
        var englishName: String?
        var gender: Gender
        var ethnicity: String?
        var birthDate: String
        var address: String?
        var idNumber: String
        var issuer: String?
        var validFrom: String
        var validUntil: String
        var passNumber: String?
        var issueCount: String?
        var nationality: String?
        var cardVersion: String?
        var issuingOffice: String?
        var renewalCount: String?
        var previousNumberLink: String?
        var additionalAddress: String?
        var serial: String
        var fingerprintTemplates: Int?

        enum CodingKeys: String, CodingKey {
            case type, gender, ethnicity, address, issuer, nationality, serial
            case chineseName = "chinese_name"
            case englishName = "english_name"
            case birthDate = "birth_date"
            case idNumber = "id_number"
            case validFrom = "valid_from"
            case validUntil = "valid_until"
            case passNumber = "pass_number"
            case issueCount = "issue_count"
            case cardVersion = "card_version"
            case issuingOffice = "issuing_office"
            case renewalCount = "renewal_count"
            case previousNumberLink = "previous_number_link"
            case additionalAddress = "additional_address"
            case fingerprintTemplates = "fingerprint_templates"
        }
    }

    private static let shape: YAMLShape = .mapping(
        Dictionary(
            uniqueKeysWithValues: [
                "type", "chinese_name", "english_name", "gender", "ethnicity", "birth_date", "address", "id_number", "issuer",
                "valid_from", "valid_until", "pass_number", "issue_count", "nationality", "card_version", "issuing_office",
                "renewal_count", "previous_number_link", "additional_address", "serial", "fingerprint_templates",
            ].map { ($0, YAMLShape.scalar) }))

    /// Loads a card file; problems come with their line.
    public static func load(path: String) throws(FileProblem) -> SimulatedCard {
        try parse(try YAMLFile.load(path: path))
    }

    /// Parses card YAML text.
    public static func parse(text: String, file: String) throws(FileProblem) -> SimulatedCard {
        try parse(try YAMLFile(text: text, file: file))
    }

    private static func parse(_ file: YAMLFile) throws(FileProblem) -> SimulatedCard {
        if let problem = file.unknownKeys(shape).first { throw problem }
        let contents = try file.decode(Contents.self)
        let serial: [UInt8]
        do {
            serial = try SAMHexText.bytes(from: contents.serial)
        } catch {
            throw FileProblem(SourceLocation(file: file.file, line: 1), "serial: \(error.message)")
        }
        guard serial.count == 8 else {
            throw FileProblem(SourceLocation(file: file.file, line: 1), "serial must be 8 bytes (16 hex digits), it has \(serial.count)")
        }
        let data = IDCardData(
            type: contents.type, chineseName: contents.chineseName, englishName: contents.englishName,
            gender: contents.gender, ethnicity: contents.ethnicity, birthDate: contents.birthDate, address: contents.address,
            idNumber: contents.idNumber, issuer: contents.issuer, validFrom: contents.validFrom,
            validUntil: CardValidUntil(field: contents.validUntil), passNumber: contents.passNumber,
            issueCount: contents.issueCount, nationality: contents.nationality, cardVersion: contents.cardVersion,
            issuingOffice: contents.issuingOffice, renewalCount: contents.renewalCount,
            previousNumberLink: contents.previousNumberLink)
        let fingerprint = contents.fingerprintTemplates.map { count in
            (0..<(512 * max(0, min(count, 2)))).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        }
        return SimulatedCard(data: data, serial: serial, additionalAddress: contents.additionalAddress, fingerprint: fingerprint)
    }
}
