import Crypto
import Foundation
import KioskCatalog
import KioskCore
import KioskDocuments
import Synchronization

/// Answers the query-and-print services (查询打印): decides from the records whether a
/// certificate can be issued for a card, and renders it as PDF with its verification code and a
/// QR code to the platform's public verification address (`GET /verify/{code}`).
public final class CertificateOffice: Sendable {
    public let records: QueryServiceRecords
    let renderer: DocumentRenderer
    let timeZone: TimeZone
    /// `https://platform.example:8090`: known once the server is bound (port 0 in tests).
    private let verificationBase: Mutex<String>

    public init(records: QueryServiceRecords, templates: TemplateCatalog, timeZone: TimeZone, verificationBase: String) {
        self.records = records
        self.renderer = DocumentRenderer(templates: templates)
        self.timeZone = timeZone
        self.verificationBase = Mutex(verificationBase)
    }

    /// The address the platform is reached at by whoever checks a certificate.
    public func setVerificationBase(_ base: String) {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        verificationBase.withLock { $0 = trimmed }
    }

    public func verificationURL(code: String) -> String {
        verificationBase.withLock { $0 } + "/verify/" + code
    }

    /// Why no certificate is issued: `card-not-accepted` or `no-record` (422), `unknown-service` (404).
    public struct Refusal: Error, Sendable, Equatable {
        public var code: String
        public var message: String
    }

    /// What a query answers before anything is rendered.
    public struct Decision: Sendable {
        public var service: QueryServiceRecords.Service
        public var person: QueryServiceRecords.Person
        public var lines: [QueryServiceRecords.Line]
    }

    /// The service, the person and their record, or why not.
    public func decide(service id: String, idNumber: String, cardType: IDCardType) -> Result<Decision, Refusal> {
        guard let service = records.service(id) else {
            return .failure(Refusal(code: "unknown-service", message: "no query service '\(id)' on this platform"))
        }
        guard service.cardTypes.isEmpty || service.cardTypes.contains(cardType) else {
            let names = service.cardTypes.map(\.chineseName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            return .failure(
                Refusal(
                    code: "card-not-accepted",
                    message:
                        "“\(service.name)”须持\(names.joined(separator: "或"))查询，\(cardType.chineseName)不能在自助终端查询，请到\(service.issuer)窗口办理。"))
        }
        guard let person = records.person(idNumber: idNumber), let lines = person.records[service.id] else {
            return .failure(
                Refusal(code: "no-record", message: "未查询到您的“\(service.name)”相关记录。如有疑问，请咨询\(service.issuer)。"))
        }
        return .success(Decision(service: service, person: person, lines: lines))
    }

    /// The certificate as PDF, for the record kept (its code and time) and the card read.
    public func render(
        _ decision: Decision, record: CertificateRecord, idNumber: String, cardType: IDCardType
    ) throws(DocumentError)
        -> Data
    {
        let header = DocumentHeader(
            caseNumber: record.code, kioskID: record.kioskID, issuedAt: record.issuedAt,
            bundle: DocumentBundle(code: decision.service.id, name: decision.service.name), applicant: decision.person.name,
            statusURL: verificationURL(code: record.code))
        let document = CertificateDocument(
            header: header, cardType: cardType.chineseName, idNumber: idNumber, statement: decision.service.statement,
            lines: decision.lines.map { .init(label: $0.label, value: $0.value) }, issuer: decision.service.issuer,
            validUntil: record.validUntil.flatMap(DocumentDate.init))
        return try renderer.pdf(.certificate(document), paper: .a4).data
    }

    /// The last day a certificate issued at `issuedAt` is valid, in the platform's zone.
    public func validUntil(_ service: QueryServiceRecords.Service, issuedAt: Date) -> String? {
        guard let days = service.validDays else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let last = calendar.date(byAdding: .day, value: days - 1, to: issuedAt) else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: last)
        return DocumentDate(year: parts.year ?? 1, month: parts.month ?? 1, day: parts.day ?? 1)?.description
    }

    /// A fresh verification code: 16 characters (80 bits) from an alphabet without 0/O and 1/I,
    /// in groups of four, so it can be typed from the paper.
    public static func newCode() -> String {
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
        return stride(from: 0, to: 16, by: 4).map { String(characters[$0..<($0 + 4)]) }.joined(separator: "-")
    }

    /// Whether `text` has the shape of a verification code.
    public static func isCode(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.count == 4
            && groups.allSatisfy { $0.count == 4 && $0.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) } }
    }

    /// The `query-services.json` of the signed `services` bundle: what kiosks offer.
    public func publishedList() throws -> Data {
        struct Entry: Encodable {
            var id: String
            var name: String
            var cardTypes: [String]
            var holds: String
            var validDays: Int?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(
            records.services.map {
                Entry(id: $0.id, name: $0.name, cardTypes: $0.cardTypes.map(\.rawValue), holds: $0.holds, validDays: $0.validDays)
            })
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
