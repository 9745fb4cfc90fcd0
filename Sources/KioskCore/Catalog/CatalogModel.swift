/// Identifier of a form field in the shared field dictionary (e.g. `applicant.name`).
public typealias FieldKey = String
/// Identifier of a material in the shared material dictionary (e.g. `hukou_booklet`).
public typealias MaterialID = String
/// Identifier of a bundle (一件事), e.g. `newborn`.
public typealias BundleID = String
/// Identifier of a service item inside its bundle, e.g. `birth_certificate`.
public typealias ItemID = String

/// Where a form field's value can come from, best first.
public enum PrefillSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// Read from the resident ID card placed on the reader.
    case idCard = "id_card"
    /// Reused from the applicant's earlier applications, with consent (一人一档, 一次申报 多次复用).
    case earlierApplication = "earlier_application"
    /// Fetched from shared government data (electronic licences, registries).
    case sharedData = "shared_data"
    /// Typed in by the citizen.
    case citizen

    /// Whether a value from this source needs no typing by the citizen.
    public var isAutomatic: Bool { self != .citizen }
}

/// The kind of value a field holds, which decides how it is checked.
public enum FieldType: Sendable, Hashable {
    /// Free text.
    case text
    /// A Chinese name as the ID card holds it: standard characters (通用规范汉字表) and `·`.
    case personName
    /// A whole number.
    case number
    /// A date written `YYYY-MM-DD`.
    case date
    /// A mainland mobile number: 11 digits starting with 1.
    case phone
    /// An identity document's number: 18 characters with a valid GB 11643 check character
    /// (resident ID, HMT residence permit, 2023 foreigner card) or the 2017 foreigner card's 15.
    case idNumber
    /// An 18-character unified social credit code (GB 32100).
    case creditCode
    /// One of a fixed list of options.
    case enumeration([String])
    /// Any non-empty set of a fixed list of options, written in the list's order joined by `、`.
    case multipleChoice([String])
    /// A social security number (社会保障号码): the holder's ID number, checked by GB 11643.
    case socialSecurityNumber
    /// A vehicle identification number (GB 16735 / ISO 3779): 17 characters, check digit 9th.
    case vin

    /// The name used in catalog files.
    public var name: String {
        switch self {
        case .text: "text"
        case .personName: "person_name"
        case .number: "number"
        case .date: "date"
        case .phone: "phone"
        case .idNumber: "id_number"
        case .creditCode: "credit_code"
        case .enumeration: "enum"
        case .multipleChoice: "multi_enum"
        case .socialSecurityNumber: "social_security_number"
        case .vin: "vin"
        }
    }

    /// The options of an `enum` or `multi_enum` field.
    public var options: [String]? {
        switch self {
        case let .enumeration(options), let .multipleChoice(options): options
        default: nil
        }
    }

    /// Every type name a catalog file may use.
    public static let names = [
        "text", "person_name", "number", "date", "phone", "id_number", "credit_code", "enum", "multi_enum", "social_security_number", "vin",
    ]
}

extension FieldType {
    /// Whether a typed value of this type may say who someone is or where they live (names,
    /// ID numbers, phones, addresses, dates), so that logs never carry it.
    public var isPersonal: Bool {
        switch self {
        case .text, .personName, .date, .phone, .idNumber, .socialSecurityNumber: true
        case .number, .creditCode, .enumeration, .multipleChoice, .vin: false
        }
    }
}

/// One entry of the shared field dictionary.
public struct FieldDefinition: Sendable, Hashable {
    /// Key used by items.
    public var key: FieldKey
    /// Label shown to the citizen.
    public var label: String
    /// Value type and its check.
    public var type: FieldType
    /// Where the value can come from, best first; empty means the citizen types it.
    public var sources: [PrefillSource]
    /// `true` when the definition is a realistic example rather than taken from a source document.
    public var illustrative: Bool

    /// Whether shared data may fill it and the citizen may not type it (it would pass for
    /// verified data): offline, unless the card gives it, it stays empty.
    public var needsSharedData: Bool { sources.contains(.sharedData) && !sources.contains(.citizen) }

    /// Creates a field definition.
    public init(key: FieldKey, label: String, type: FieldType, sources: [PrefillSource], illustrative: Bool = false) {
        self.key = key
        self.label = label
        self.type = type
        self.sources = sources
        self.illustrative = illustrative
    }

    /// The best source, `.citizen` when none is listed.
    public var prefillSource: PrefillSource { sources.first ?? .citizen }
}

/// One entry of the shared material dictionary.
public struct MaterialDefinition: Sendable, Hashable {
    /// Identifier used by items.
    public var id: MaterialID
    /// Name shown to the citizen.
    public var name: String
    /// Obtainable electronically (electronic licence, shared data, issued by a co-handling
    /// department): then it is fetched, never asked for (免提交).
    public var electronic: Bool
    /// May be handed in later under a signed pledge (容缺受理 / 告知承诺).
    public var deferrable: Bool
    /// The original must be seen (it is checked and returned, a copy is kept).
    public var originalRequired: Bool
    /// `true` when the definition is a realistic example rather than taken from a source document.
    public var illustrative: Bool

    /// Creates a material definition.
    public init(
        id: MaterialID, name: String, electronic: Bool, deferrable: Bool, originalRequired: Bool,
        illustrative: Bool = false
    ) {
        self.id = id
        self.name = name
        self.electronic = electronic
        self.deferrable = deferrable
        self.originalRequired = originalRequired
        self.illustrative = illustrative
    }
}

/// A time limit: a number of working or natural days.
public struct TimeLimit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Number of days.
    public var days: Int
    /// How they are counted.
    public var counting: DayCounting

    /// Creates a time limit.
    public init(days: Int, counting: DayCounting) {
        self.days = days
        self.counting = counting
    }

    /// The limit in working-day equivalents, for comparing limits of both kinds: natural days
    /// count 5 working days per 7, rounded up.
    public var workingDayEquivalent: Int {
        switch counting {
        case .working: days
        case .natural: (days * 5 + 6) / 7
        }
    }

    /// `5 working days` or `30 natural days`.
    public var description: String { "\(days) \(counting.rawValue) day\(days == 1 ? "" : "s")" }
}

/// One government service item inside a bundle, handled by one department.
public struct ServiceItem: Sendable, Hashable {
    /// Identifier, unique in the bundle.
    public var id: ItemID
    /// Official name.
    public var name: String
    /// Department that decides it.
    public var department: String
    /// Time limit set by law.
    public var legalLimit: TimeLimit
    /// Shorter limit the department promises (承诺时限).
    public var promisedLimit: TimeLimit
    /// Items whose result this item needs before it can be decided.
    public var dependsOn: [ItemID]
    /// Form fields this item needs.
    public var fields: [FieldKey]
    /// Materials this item needs.
    public var materials: [MaterialID]
    /// Visits or separate interactions an applicant needs when handling the item alone
    /// (consult, apply, fetch the result, …): the baseline of the steps measure.
    public var stepsAlone: Int
    /// Fields only shared data fills that this item cannot proceed without: when shared data
    /// gave nothing (offline), the item waits for it instead of leaving the field to the
    /// department, and the case still goes through. Any other such field is left to the department.
    public var waitsForSharedData: [FieldKey]

    /// Creates an item.
    public init(
        id: ItemID, name: String, department: String, legalLimit: TimeLimit, promisedLimit: TimeLimit,
        dependsOn: [ItemID] = [], fields: [FieldKey] = [], materials: [MaterialID] = [], stepsAlone: Int = 4,
        waitsForSharedData: [FieldKey] = []
    ) {
        self.waitsForSharedData = waitsForSharedData
        self.id = id
        self.name = name
        self.department = department
        self.legalLimit = legalLimit
        self.promisedLimit = promisedLimit
        self.dependsOn = dependsOn
        self.fields = fields
        self.materials = materials
        self.stepsAlone = stepsAlone
    }
}

/// A bundle (一件事): items one or more departments handle together for one applicant.
public struct ServiceBundle: Sendable, Hashable {
    /// Identifier, used on the command line and in cases.
    public var id: BundleID
    /// Official name.
    public var name: String
    /// Lead department (牵头部门).
    public var leadDepartment: String
    /// Co-handling departments (联办部门).
    public var coDepartments: [String]
    /// Version of this definition, changed whenever it changes.
    public var version: String
    /// First day the definition applies.
    public var validFrom: CivilDate
    /// Last day it applies, if it is known to end.
    public var validUntil: CivilDate?
    /// Where the items and departments come from (document and row).
    public var source: String
    /// Which parts are realistic examples because the source is silent on them
    /// (`time_limits`, `fields`, `materials`, `dependencies`).
    public var illustrative: [String]
    /// The items.
    public var items: [ServiceItem]
    /// Situation questions asked before the form (问答式引导), each answered with one tap.
    public var questions: [SituationQuestion]
    /// What each situation leaves out: items, fields, materials, or fields made optional.
    public var rules: [SituationRule]
    /// The identity documents that may apply; empty means every card the reader takes.
    public var cardTypes: [IDCardType]
    /// Where materials the kiosk cannot take are handed in (the window of the service centre).
    public var window: String

    /// The window materials go to when a bundle names none.
    public static let defaultWindow = "县政务服务中心“高效办成一件事”综合受理窗口"

    /// Creates a bundle.
    public init(
        id: BundleID, name: String, leadDepartment: String, coDepartments: [String] = [], version: String,
        validFrom: CivilDate, validUntil: CivilDate? = nil, source: String = "", illustrative: [String] = [],
        items: [ServiceItem], questions: [SituationQuestion] = [], rules: [SituationRule] = [],
        cardTypes: [IDCardType] = [], window: String = ServiceBundle.defaultWindow
    ) {
        self.questions = questions
        self.rules = rules
        self.cardTypes = cardTypes
        self.window = window
        self.id = id
        self.name = name
        self.leadDepartment = leadDepartment
        self.coDepartments = coDepartments
        self.version = version
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.source = source
        self.illustrative = illustrative
        self.items = items
    }

    /// The item with `id`.
    public func item(_ id: ItemID) -> ServiceItem? { items.first { $0.id == id } }

    /// Whether an applicant holding a card of `type` may apply here.
    public func accepts(_ type: IDCardType) -> Bool { cardTypes.isEmpty || cardTypes.contains(type) }

    /// The question with `id`.
    public func question(_ id: QuestionID) -> SituationQuestion? { questions.first { $0.id == id } }
}

/// The whole catalog: shared dictionaries and bundles.
public struct Catalog: Sendable {
    /// Field dictionary by key.
    public var fields: [FieldKey: FieldDefinition]
    /// Material dictionary by id.
    public var materials: [MaterialID: MaterialDefinition]
    /// Bundles in the order they were given.
    public var bundles: [ServiceBundle]

    /// Creates a catalog.
    public init(fields: [FieldDefinition], materials: [MaterialDefinition], bundles: [ServiceBundle]) {
        self.fields = Dictionary(fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        self.materials = Dictionary(materials.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.bundles = bundles
    }

    /// The bundle with `id` (or with that exact name).
    public func bundle(_ id: String) -> ServiceBundle? {
        bundles.first { $0.id == id } ?? bundles.first { $0.name == id }
    }
}
