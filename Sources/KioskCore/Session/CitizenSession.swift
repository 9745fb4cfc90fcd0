import Foundation

/// Where a citizen is in their visit to the kiosk. The screen shows one step at a time.
public enum SessionStep: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nobody is using the kiosk: the bundles and "check my progress" are offered.
    case attract
    /// 一次告知: everything the chosen bundle needs, told once and completely.
    case notice
    /// Place the ID card (the form is prefilled from it).
    case card
    /// The one form: only what is not known yet.
    case form
    /// The one set of materials: provided, obtained electronically, or deferred under a pledge.
    case materials
    /// Everything once more before submitting.
    case review
    /// Submitted: the case is stored; the receipt is printed (or shown).
    case receipt
    /// 好差评: five levels.
    case rating
    /// "Check my progress": place the ID card.
    case progressCard = "progress_card"
    /// "Check my progress": the citizen's cases.
    case progress
}

/// How one material of the bundle reaches the departments.
public enum MaterialChoice: String, Sendable, Hashable, Codable, CaseIterable {
    /// Handed in at the kiosk (scanned or deposited).
    case provided
    /// Obtained electronically (电子证照, shared data): nothing to bring.
    case electronic
    /// Accepted as missing under a signed pledge (容缺受理), due by a deadline.
    case deferred
}

/// A form value and where it came from: values read from the card cannot be edited.
public struct SessionFieldValue: Sendable, Hashable, Codable {
    public var value: String
    public var source: PrefillSource

    public init(value: String, source: PrefillSource) {
        self.value = value
        self.source = source
    }
}

/// Why a session action was refused, in words the screen can show (Chinese, then English).
public struct SessionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code the screen branches on; a struct wrapping a private enum so that codes can
    /// grow without breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case wrongStep = "wrong-step"
            case unknownField = "unknown-field"
            case readOnlyField = "read-only-field"
            case invalidValue = "invalid-value"
            case incomplete
            case unknownMaterial = "unknown-material"
            case choiceNotAllowed = "choice-not-allowed"
            case signatureMissing = "signature-missing"
            case cardMissing = "card-missing"
            case cannotBeReceived = "cannot-be-received"
            case invalidRating = "invalid-rating"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The action does not belong to the session's current step.
        public static let wrongStep = Code(.wrongStep)
        /// The form has no such field.
        public static let unknownField = Code(.unknownField)
        /// The field is filled from the card or another source and cannot be changed.
        public static let readOnlyField = Code(.readOnlyField)
        /// A value breaks its field's rule (see ``SessionError/problems``).
        public static let invalidValue = Code(.invalidValue)
        /// Something required is still missing (empty fields), or the application could not be
        /// completed.
        public static let incomplete = Code(.incomplete)
        /// The bundle asks for no such material.
        public static let unknownMaterial = Code(.unknownMaterial)
        /// That way in is not allowed for the material (not electronic, not deferrable).
        public static let choiceNotAllowed = Code(.choiceNotAllowed)
        /// The pledge needs a signature first, or the signature is not valid.
        public static let signatureMissing = Code(.signatureMissing)
        /// The ID card must be on the reader to submit.
        public static let cardMissing = Code(.cardMissing)
        /// Required materials have no way in, so the application cannot be received yet.
        public static let cannotBeReceived = Code(.cannotBeReceived)
        /// The rating is not one the screen offers.
        public static let invalidRating = Code(.invalidRating)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
        /// The code as it appears in JSON and logs (same as `description`).
        public var rawValue: String { base.rawValue }
    }

    /// The kind of refusal.
    public var code: Code
    /// What happened, in words the citizen can act on.
    public var message: String
    /// The fields at fault, each with what is wrong (never the value).
    public var problems: [FieldValueProblem]
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, problems: [FieldValueProblem] = [], cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.problems = problems
        self.cause = cause
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// Errors are equal when their code, message and problems are; the cause is for logs only.
    public static func == (lhs: SessionError, rhs: SessionError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.problems == rhs.problems
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(problems)
    }
}

/// What the screen should tell the citizen besides the step itself.
public enum SessionAlert: String, Sendable, Hashable, Codable {
    /// The card was lifted before the application was submitted: place it again to go on.
    case cardRemoved = "card-removed"
    /// A different person's card was placed: what the first person entered is gone.
    case cardChanged = "card-changed"
}

/// The application as submitted: what the runtime stores and prints. Pure data.
public struct SessionSubmission: Sendable, Hashable {
    public var bundle: ServiceBundle
    public var values: [FieldKey: SessionFieldValue]
    public var materials: [MaterialID: MaterialChoice]
    public var signaturePNG: Data?
    public var idNumber: String
    public var applicantName: String
}

/// One citizen's visit, as a state machine with no I/O: the runtime feeds it what the card
/// reader, the touch screen and the API say, and carries out what it decides.
///
/// Every action checks the step it is allowed in; a refused action changes nothing.
public struct CitizenSession: Sendable {
    public private(set) var step: SessionStep = .attract
    public private(set) var blueprint: BundleBlueprint?
    /// The card on the reader (or last read, while ``cardPresent`` is false before submitting).
    public private(set) var card: IDCardData?
    public private(set) var cardPresent = false
    public private(set) var values: [FieldKey: SessionFieldValue] = [:]
    public private(set) var materials: [MaterialID: MaterialChoice] = [:]
    public private(set) var signaturePNG: Data?
    public private(set) var alert: SessionAlert?
    public private(set) var rating: Int?
    /// Set once the runtime has committed the case.
    public private(set) var receiptNumber: String?

    public init() {}

    /// Whether this session has anything of a citizen in it (else an idle timeout has nothing to wipe).
    public var isIdle: Bool { step == .attract }

    // MARK: Choosing

    /// A bundle was chosen on the attract screen: its one-time notice comes next.
    public mutating func choose(_ blueprint: BundleBlueprint) throws(SessionError) {
        try expect(.attract)
        self.blueprint = blueprint
        materials = Dictionary(
            uniqueKeysWithValues: blueprint.materials.filter { $0.disposition == .obtainedElectronically }
                .map { ($0.definition.id, .electronic) })
        step = .notice
    }

    /// "Check my progress" was chosen: the card comes next.
    public mutating func checkProgress() throws(SessionError) {
        try expect(.attract)
        step = .progressCard
    }

    /// The citizen read the notice and goes on to place the card.
    public mutating func acknowledgeNotice() throws(SessionError) {
        try expect(.notice)
        step = .card
    }

    // MARK: The card

    /// A card was read. `prefill` holds what shared data and earlier applications know of
    /// this person (looked up by the runtime); the card's own fields are taken from `card`.
    public mutating func cardRead(_ card: IDCardData, prefill: [FieldKey: SessionFieldValue] = [:]) {
        switch step {
        case .card:
            adopt(card, prefill: prefill)
            step = .form
        case .form, .materials, .review:
            if let previous = self.card, previous.idNumber == card.idNumber {
                self.card = card
                cardPresent = true
                alert = nil
            } else {
                // Someone else: nothing the first person entered may be shown to them.
                forgetPerson()
                adopt(card, prefill: prefill)
                alert = .cardChanged
                step = .form
            }
        case .progressCard:
            self.card = card
            cardPresent = true
            step = .progress
        case .attract, .notice, .receipt, .rating, .progress:
            // Not asked for: the card is ignored (and never kept).
            break
        }
    }

    /// The card was lifted. Returns `true` when the session must end (its personal screen
    /// would otherwise stay visible).
    public mutating func cardRemoved() -> Bool {
        switch step {
        case .form, .materials, .review:
            cardPresent = false
            alert = .cardRemoved
            return false
        case .progress:
            return true
        case .attract, .notice, .card, .progressCard, .receipt, .rating:
            cardPresent = false
            return false
        }
    }

    /// Drops the card and everything typed or chosen for its holder; keeps the bundle.
    private mutating func forgetPerson() {
        card = nil
        cardPresent = false
        values = [:]
        signaturePNG = nil
        materials = [:]
        for m in blueprint?.materials ?? [] where m.disposition == .obtainedElectronically {
            materials[m.definition.id] = .electronic
        }
    }

    private mutating func adopt(_ card: IDCardData, prefill: [FieldKey: SessionFieldValue]) {
        self.card = card
        cardPresent = true
        guard let blueprint else { return }
        let fromCard = Self.cardValues(card)
        for field in blueprint.form {
            let key = field.definition.key
            if field.definition.sources.contains(.idCard), let value = fromCard[key] {
                values[key] = SessionFieldValue(value: value, source: .idCard)
            } else if let known = prefill[key], field.definition.sources.contains(known.source),
                field.definition.validate(known.value) == nil
            {
                values[key] = known
            }
        }
    }

    static func sourceName(_ source: PrefillSource) -> String {
        switch source {
        case .idCard: "身份证"
        case .sharedData: "共享数据"
        case .earlierApplication: "历史申报"
        case .citizen: "本人"
        }
    }

    /// The form values a resident ID card gives.
    public static func cardValues(_ card: IDCardData) -> [FieldKey: String] {
        var values: [FieldKey: String] = [
            "applicant.name": card.name, "applicant.id_number": card.idNumber, "applicant.gender": card.gender.chinese,
        ]
        let b = card.birthDate
        if b.count == 8 {
            values["applicant.birth_date"] = "\(b.prefix(4))-\(b.dropFirst(4).prefix(2))-\(b.suffix(2))"
        }
        if let address = card.address, !address.isEmpty { values["applicant.hukou_address"] = address }
        if let name = card.ethnicity?.name { values["applicant.ethnicity"] = name }
        return values
    }

    // MARK: The form

    /// The form's fields the citizen still has to fill in or may change.
    public var fieldsToAsk: [FormField] {
        blueprint?.form.filter { values[$0.definition.key]?.source != .idCard } ?? []
    }

    /// Fields still empty.
    public var missingFields: [FormField] {
        blueprint?.form.filter { values[$0.definition.key] == nil } ?? []
    }

    /// Whether the citizen may change `field` now: never what the ID card gave, and a field the
    /// citizen may not supply only while its source had nothing for it. The view's `editable`
    /// and ``fill(_:)`` both ask this, so the screen never offers what the kiosk then refuses.
    public func isEditable(_ field: FormField) -> Bool {
        guard let known = values[field.definition.key] else { return true }
        if known.source == .idCard { return false }
        return field.definition.sources.contains(.citizen) || known.source == .citizen
    }

    /// Sets form values typed or chosen by the citizen. Every value is checked against its
    /// field; if any is wrong, none is kept and every problem is reported.
    public mutating func fill(_ entries: [FieldKey: String]) throws(SessionError) {
        try expect(.form)
        guard let blueprint else { throw SessionError(.wrongStep, "请先选择要办理的事项 (choose a service first)") }
        var problems: [FieldValueProblem] = []
        var accepted: [FieldKey: SessionFieldValue] = [:]
        for (key, raw) in entries.sorted(by: { $0.key < $1.key }) {
            guard let field = blueprint.form.first(where: { $0.definition.key == key }) else {
                throw SessionError(.unknownField, "表单中没有该项 (the form has no field '\(key)')")
            }
            // A field the citizen may not supply is typed only when its source had nothing
            // (offline, no shared data); a value that came from that source stays.
            if !isEditable(field), let known = values[key] {
                throw SessionError(
                    .readOnlyField,
                    known.source == .idCard
                        ? "\(field.definition.label)取自身份证，不能修改 (read from the ID card)"
                        : "\(field.definition.label)由\(Self.sourceName(known.source))提供，不能修改 (provided by \(known.source.rawValue))")
            }
            let value = raw.trimmingCharacters(in: .whitespaces)
            if let problem = field.definition.validate(value) {
                problems.append(problem)
            } else {
                let source: PrefillSource =
                    values[key].map { $0.value == value ? $0.source : .citizen } ?? .citizen
                accepted[key] = SessionFieldValue(value: value, source: source)
            }
        }
        guard problems.isEmpty else {
            throw SessionError(.invalidValue, "请检查标红的内容 (please check the marked fields)", problems: problems)
        }
        values.merge(accepted) { _, new in new }
    }

    /// The form is complete: on to the materials.
    public mutating func confirmForm() throws(SessionError) {
        try expect(.form)
        let missing = missingFields
        guard missing.isEmpty else {
            throw SessionError(
                .incomplete, "还有\(missing.count)项未填写 (\(missing.count) fields are still empty)",
                problems: missing.map { FieldValueProblem(field: $0.definition.key, message: "\($0.definition.label)：不能为空 (required)") })
        }
        step = .materials
    }

    // MARK: Materials

    /// Records how a material will be supplied.
    public mutating func choose(_ choice: MaterialChoice?, for material: MaterialID) throws(SessionError) {
        try expect(.materials)
        guard let requirement = blueprint?.materials.first(where: { $0.definition.id == material }) else {
            throw SessionError(.unknownMaterial, "本事项不需要该材料 (not a material of this service)")
        }
        let name = requirement.definition.name
        switch choice {
        case .electronic? where requirement.disposition != .obtainedElectronically:
            throw SessionError(.choiceNotAllowed, "\(name)无法电子调取，请现场提交 (cannot be fetched electronically)")
        case .deferred? where requirement.disposition != .deferrable:
            throw SessionError(.choiceNotAllowed, "\(name)不适用容缺受理，必须现场提交 (cannot be deferred)")
        default:
            materials[material] = choice
        }
        if !materials.values.contains(.deferred) { signaturePNG = nil }
    }

    /// The pledge signature drawn on the screen (PNG).
    public mutating func sign(_ png: Data) throws(SessionError) {
        try expect(.materials)
        signaturePNG = png
    }

    /// Materials still without a choice.
    public var undecidedMaterials: [MaterialRequirement] {
        blueprint?.materials.filter { materials[$0.definition.id] == nil } ?? []
    }

    /// Whether a pledge must be signed (some material is deferred).
    public var needsPledge: Bool { materials.values.contains(.deferred) }

    /// Every material has a way in, and the pledge is signed if needed: on to review.
    public mutating func confirmMaterials() throws(SessionError) {
        try expect(.materials)
        let undecided = undecidedMaterials
        guard undecided.isEmpty else {
            throw SessionError(
                .cannotBeReceived,
                "缺少必需材料：\(undecided.map(\.definition.name).joined(separator: "、"))。请备齐后再办理，或选择容缺受理 (required materials are missing)")
        }
        if needsPledge && signaturePNG == nil {
            throw SessionError(.signatureMissing, "容缺受理须签署告知承诺书，请在框内签名 (sign the pledge)")
        }
        step = .review
    }

    // MARK: Going back and submitting

    /// One step back (the screen's 上一步).
    public mutating func back() throws(SessionError) {
        switch step {
        case .notice:
            self = CitizenSession()
        case .card, .form:
            // Back before the card: nothing read or typed may wait there for the next person.
            step = .notice
            forgetPerson()
        case .materials: step = .form
        case .review: step = .materials
        case .attract, .receipt, .rating, .progressCard, .progress:
            throw SessionError(.wrongStep, "此处不能返回 (cannot go back from here)")
        }
    }

    /// What to commit. The runtime stores it durably, then calls ``submitted(receiptNumber:)``.
    public func submission() throws(SessionError) -> SessionSubmission {
        try expect(.review)
        guard let blueprint, let card else { throw SessionError(.wrongStep, "请先选择事项并放置身份证 (choose and place the card)") }
        guard cardPresent else {
            throw SessionError(.cardMissing, "请将身份证放回读卡区后提交 (place your ID card on the reader to submit)")
        }
        return SessionSubmission(
            bundle: blueprint.bundle, values: values, materials: materials, signaturePNG: signaturePNG,
            idNumber: card.idNumber, applicantName: card.name)
    }

    /// The case is stored: the receipt step shows its number.
    public mutating func submitted(receiptNumber: String) throws(SessionError) {
        try expect(.review)
        self.receiptNumber = receiptNumber
        step = .receipt
        alert = nil
    }

    /// The citizen took the receipt: on to rating.
    public mutating func finishReceipt() throws(SessionError) {
        try expect(.receipt)
        step = .rating
    }

    /// 好差评: 1 (非常不满意) to 5 (非常满意). The session is over afterwards.
    public mutating func rate(_ level: Int) throws(SessionError) {
        try expect(.rating)
        guard (1...5).contains(level) else { throw SessionError(.invalidRating, "请选择1到5星 (choose 1 to 5 stars)") }
        rating = level
    }

    private func expect(_ allowed: SessionStep) throws(SessionError) {
        guard step == allowed else {
            throw SessionError(.wrongStep, "当前步骤不能进行此操作 (not possible at step '\(step.rawValue)', only at '\(allowed.rawValue)')")
        }
    }
}
