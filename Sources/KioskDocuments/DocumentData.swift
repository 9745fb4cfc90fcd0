import Foundation

/// The documents a kiosk prints for a citizen.
public enum DocumentKind: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// 收件回执: proof that the application was received, with the case number and a status QR code.
    case receipt
    /// 一次告知书: everything still missing, told once and completely.
    case notice
    /// 告知承诺书: the citizen's signed pledge to bring deferred materials by their deadline.
    case pledge
    /// A certificate a query-and-print service answers (无犯罪记录证明...), with its
    /// verification code and a QR code to the platform's verification address. The platform
    /// renders it; the kiosk only prints the PDF.
    case certificate

    /// The documents a kiosk renders itself.
    public static let renderedByKiosk: [DocumentKind] = [.receipt, .notice, .pledge]

    public var description: String { rawValue }
}

/// A calendar day as printed on documents (`2026-12-07`), without time or zone: promised
/// completion dates and material deadlines are days, counted in working days by the domain.
public struct DocumentDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// A day; `nil` when the numbers are not a real date.
    public init?(year: Int, month: Int, day: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let components = DateComponents(year: year, month: month, day: day)
        guard (1...9999).contains(year), components.isValidDate(in: calendar) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = DocumentDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a date is written YYYY-MM-DD, e.g. 2026-12-07, not '\(text)'")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: DocumentDate, rhs: DocumentDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// The bundle (一件事) the application is for.
public struct DocumentBundle: Sendable, Hashable, Codable {
    /// The catalog code, e.g. `newborn`.
    public var code: String
    /// The name citizens know it by, e.g. `新生儿出生一件事`.
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// One service item of the bundle, with who handles it and when it is promised.
public struct DocumentItem: Sendable, Hashable, Codable {
    /// The item's name, e.g. `出生医学证明办理`.
    public var name: String
    /// The department that handles it, e.g. `市卫生健康委员会`.
    public var department: String
    /// The day by which it is promised to be done; absent for items done on the spot.
    public var promisedBy: DocumentDate?

    public init(name: String, department: String, promisedBy: DocumentDate? = nil) {
        self.name = name
        self.department = department
        self.promisedBy = promisedBy
    }
}

/// A material the citizen handed in at the kiosk (scanned or deposited).
public struct ReceivedMaterial: Sendable, Hashable, Codable {
    public var name: String
    /// How it was received, e.g. `原件扫描`, `复印件`.
    public var form: String?

    public init(name: String, form: String? = nil) {
        self.name = name
        self.form = form
    }
}

/// A material the kiosk obtained electronically instead of asking the citizen (免提交).
public struct ElectronicMaterial: Sendable, Hashable, Codable {
    public var name: String
    /// Where it came from, e.g. `电子证照库`.
    public var source: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

/// A material accepted as missing under the pledge system (容缺受理), due by a deadline.
public struct DeferredMaterial: Sendable, Hashable, Codable {
    public var name: String
    /// The last day to bring it.
    public var deadline: DocumentDate

    public init(name: String, deadline: DocumentDate) {
        self.name = name
        self.deadline = deadline
    }
}

/// A material the kiosk could not take, to be handed in at the window by a deadline.
public struct WindowMaterial: Sendable, Hashable, Codable {
    public var name: String
    /// The last day to hand it in.
    public var deadline: DocumentDate
    /// Where: the service centre's window.
    public var place: String

    public init(name: String, deadline: DocumentDate, place: String) {
        self.name = name
        self.deadline = deadline
        self.place = place
    }
}

/// A material still required before the application can be accepted (for the one-time notice).
public struct MissingMaterial: Sendable, Hashable, Codable {
    public var name: String
    /// What exactly is needed (original, copies, who signs), in the catalog's words.
    public var requirement: String?
    /// Where to get it, if the citizen does not have it.
    public var whereToObtain: String?

    public init(name: String, requirement: String? = nil, whereToObtain: String? = nil) {
        self.name = name
        self.requirement = requirement
        self.whereToObtain = whereToObtain
    }
}

/// The materials of an application, split by how the kiosk got them.
public struct DocumentMaterials: Sendable, Hashable, Codable {
    public var received: [ReceivedMaterial]
    public var electronic: [ElectronicMaterial]
    public var deferred: [DeferredMaterial]
    /// Materials to hand in at the window (the kiosk cannot take them, and they cannot be deferred).
    public var window: [WindowMaterial]

    public init(
        received: [ReceivedMaterial] = [], electronic: [ElectronicMaterial] = [], deferred: [DeferredMaterial] = [],
        window: [WindowMaterial] = []
    ) {
        self.received = received
        self.electronic = electronic
        self.deferred = deferred
        self.window = window
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        received = try container.decodeIfPresent([ReceivedMaterial].self, forKey: .received) ?? []
        electronic = try container.decodeIfPresent([ElectronicMaterial].self, forKey: .electronic) ?? []
        deferred = try container.decodeIfPresent([DeferredMaterial].self, forKey: .deferred) ?? []
        window = try container.decodeIfPresent([WindowMaterial].self, forKey: .window) ?? []
    }
}

/// The fields every kiosk document carries.
public struct DocumentHeader: Sendable, Hashable, Codable {
    /// The case (receipt) number, printed and encoded in the status QR code.
    public var caseNumber: String
    /// The kiosk that issued the document.
    public var kioskID: String
    /// When the document was issued.
    public var issuedAt: Date
    /// The bundle applied for.
    public var bundle: DocumentBundle
    /// The applicant's name as it may be printed: already masked by the caller (`张*明`).
    public var applicant: String?
    /// Who applied on the applicant's behalf (a guardian), masked likewise; nil in person.
    public var agent: String?
    /// The address the status QR code points to.
    public var statusURL: String

    public init(
        caseNumber: String, kioskID: String, issuedAt: Date, bundle: DocumentBundle, applicant: String? = nil,
        agent: String? = nil, statusURL: String
    ) {
        self.agent = agent
        self.caseNumber = caseNumber
        self.kioskID = kioskID
        self.issuedAt = issuedAt
        self.bundle = bundle
        self.applicant = applicant
        self.statusURL = statusURL
    }
}

/// 收件回执: the receipt for a submitted application.
public struct ReceiptDocument: Sendable, Hashable, Codable {
    public var header: DocumentHeader
    public var items: [DocumentItem]
    public var materials: DocumentMaterials
    /// Form entries only shared data may give, which it did not (offline): the department
    /// completes them from its records; the citizen typed nothing for them.
    public var departmentFields: [DepartmentField]
    /// Items that proceed once shared data they cannot go without is available (offline at
    /// the kiosk): the case is received, these items wait.
    public var waitingItems: [WaitingItem]

    public init(
        header: DocumentHeader, items: [DocumentItem], materials: DocumentMaterials, departmentFields: [DepartmentField] = [],
        waitingItems: [WaitingItem] = []
    ) {
        self.header = header
        self.items = items
        self.materials = materials
        self.departmentFields = departmentFields
        self.waitingItems = waitingItems
    }

    /// Receipts queued before `departmentFields` or `waitingItems` existed decode with none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        header = try container.decode(DocumentHeader.self, forKey: .header)
        items = try container.decode([DocumentItem].self, forKey: .items)
        materials = try container.decode(DocumentMaterials.self, forKey: .materials)
        departmentFields = try container.decodeIfPresent([DepartmentField].self, forKey: .departmentFields) ?? []
        waitingItems = try container.decodeIfPresent([WaitingItem].self, forKey: .waitingItems) ?? []
    }
}

/// An item waiting for shared data, by its name, with the labels of the fields it waits for
/// (joined by `、`).
public struct WaitingItem: Sendable, Hashable, Codable {
    public var name: String
    public var fields: String

    public init(name: String, fields: String) {
        self.name = name
        self.fields = fields
    }
}

/// A form entry left to the department, by its label.
public struct DepartmentField: Sendable, Hashable, Codable {
    public var name: String

    public init(name: String) { self.name = name }
}

/// 一次告知书: what is missing, told once and completely.
public struct NoticeDocument: Sendable, Hashable, Codable {
    public var header: DocumentHeader
    public var items: [DocumentItem]
    public var materials: DocumentMaterials
    public var missing: [MissingMaterial]

    public init(header: DocumentHeader, items: [DocumentItem], materials: DocumentMaterials, missing: [MissingMaterial]) {
        self.header = header
        self.items = items
        self.materials = materials
        self.missing = missing
    }
}

/// 告知承诺书: the citizen's pledge to bring deferred materials, with their signature.
public struct PledgeDocument: Sendable, Hashable, Codable {
    public var header: DocumentHeader
    /// The materials pledged, each with its deadline.
    public var deferred: [DeferredMaterial]
    /// The signature drawn on the touch screen, as PNG (base64 in JSON).
    public var signaturePNG: Data
    /// When the citizen signed.
    public var signedAt: Date

    public init(header: DocumentHeader, deferred: [DeferredMaterial], signaturePNG: Data, signedAt: Date) {
        self.header = header
        self.deferred = deferred
        self.signaturePNG = signaturePNG
        self.signedAt = signedAt
    }
}

/// A certificate answered by a query-and-print service. The header carries the verification
/// code as its number, the service as its bundle, the holder's name as the applicant and the
/// verification address as its status URL.
public struct CertificateDocument: Sendable, Hashable, Codable {
    public struct Line: Sendable, Hashable, Codable {
        public var label: String
        public var value: String

        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    public var header: DocumentHeader
    /// The holder's card type and number, printed whole: the paper is the citizen's own.
    public var cardType: String
    public var idNumber: String
    public var statement: String
    public var lines: [Line]
    /// 出具单位.
    public var issuer: String
    public var validUntil: DocumentDate?

    public init(
        header: DocumentHeader, cardType: String, idNumber: String, statement: String, lines: [Line], issuer: String,
        validUntil: DocumentDate?
    ) {
        self.header = header
        self.cardType = cardType
        self.idNumber = idNumber
        self.statement = statement
        self.lines = lines
        self.issuer = issuer
        self.validUntil = validUntil
    }
}

/// One document to render: its kind decides the template and the data's shape.
public enum KioskDocument: Sendable, Hashable {
    case receipt(ReceiptDocument)
    case notice(NoticeDocument)
    case pledge(PledgeDocument)
    case certificate(CertificateDocument)

    public var kind: DocumentKind {
        switch self {
        case .receipt: .receipt
        case .notice: .notice
        case .pledge: .pledge
        case .certificate: .certificate
        }
    }

    /// The common header.
    public var header: DocumentHeader {
        switch self {
        case let .receipt(document): document.header
        case let .notice(document): document.header
        case let .pledge(document): document.header
        case let .certificate(document): document.header
        }
    }

    /// Decodes a document of `kind` from its JSON form (see `docs/document-data.md`).
    public static func decode(_ kind: DocumentKind, json: Data) throws(DocumentError) -> KioskDocument {
        let decoder = DocumentJSON.decoder()
        do {
            switch kind {
            case .receipt: return .receipt(try decoder.decode(ReceiptDocument.self, from: json))
            case .notice: return .notice(try decoder.decode(NoticeDocument.self, from: json))
            case .pledge:
                let pledge = try decoder.decode(PledgeDocument.self, from: json)
                guard pledge.signaturePNG.starts(with: [0x89, 0x50, 0x4E, 0x47]) else {
                    throw DocumentError(.invalidData, "'signaturePNG' is not a PNG image (base64 of the file's bytes)")
                }
                return .pledge(pledge)
            case .certificate: return .certificate(try decoder.decode(CertificateDocument.self, from: json))
            }
        } catch let error as DocumentError {
            throw error
        } catch let error as DecodingError {
            throw DocumentError(.invalidData, DocumentJSON.describe(error), cause: error)
        } catch {
            throw DocumentError(.invalidData, "the data is not valid JSON", cause: error)
        }
    }

    /// The document's JSON form.
    public func encoded() throws(DocumentError) -> Data {
        let encoder = DocumentJSON.encoder()
        do {
            switch self {
            case let .receipt(document): return try encoder.encode(document)
            case let .notice(document): return try encoder.encode(document)
            case let .pledge(document): return try encoder.encode(document)
            case let .certificate(document): return try encoder.encode(document)
            }
        } catch {
            throw DocumentError(.invalidData, "the document cannot be encoded", cause: error)
        }
    }
}

/// The JSON conventions of document data: ISO 8601 times with offset, base64 images.
public enum DocumentJSON {
    /// A decoder for document data.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseTime(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "a time is written in ISO 8601 with its offset, e.g. 2026-11-23T15:04:05+08:00, not '\(text)'"
                )
            }
            return date
        }
        return decoder
    }

    /// An encoder for document data (sorted keys, times with offset).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Parses an ISO 8601 time with offset, with or without fractional seconds.
    public static func parseTime(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    /// A decoding error as a path and a reason a person can act on.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case let .keyNotFound(key, context):
            let parent = path(context.codingPath)
            return "missing field '\(parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)'"
        case let .typeMismatch(type, context):
            return "'\(path(context.codingPath))' has the wrong type (expected \(type))"
        case let .valueNotFound(type, context):
            return "'\(path(context.codingPath))' is null (expected \(type))"
        case let .dataCorrupted(context):
            let at = path(context.codingPath)
            return at.isEmpty ? "the data is not valid JSON" : "'\(at)': \(context.debugDescription)"
        @unknown default:
            return "the data does not match the document format"
        }
    }
}
