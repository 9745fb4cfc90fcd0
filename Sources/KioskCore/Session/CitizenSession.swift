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
    /// A query-and-print service (查询打印) was chosen: place the card.
    case queryCard = "query_card"
    /// The card was read: the citizen agrees that the platform is asked (or cancels).
    case queryConsent = "query_consent"
    /// The platform is asked and the certificate printed (or the citizen told why not).
    case certificate
}

/// How one material of the bundle reaches the departments.
public enum MaterialChoice: String, Sendable, Hashable, Codable, CaseIterable {
    /// Handed in at the kiosk (scanned or deposited): only where the site has a capture device.
    case provided
    /// Obtained electronically (电子证照, shared data): nothing to bring.
    case electronic
    /// Accepted as missing under a signed pledge (容缺受理), due by a deadline.
    case deferred
    /// To be handed in at the service centre's window by a date: a material that cannot be
    /// deferred and that this kiosk cannot take (no scanner, camera or deposit box).
    case window

    /// The value in the sync contract (the same four names).
    public var contractName: String { rawValue }
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
            case unknownQuestion = "unknown-question"
            case situationIncomplete = "situation-incomplete"
            case cardNotAccepted = "card-not-accepted"
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
        /// The bundle asks no such situation question, or offers no such answer.
        public static let unknownQuestion = Code(.unknownQuestion)
        /// A situation question is still unanswered.
        public static let situationIncomplete = Code(.situationIncomplete)
        /// The card's type cannot be used for this bundle.
        public static let cardNotAccepted = Code(.cardNotAccepted)
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
    /// The card placed cannot be used for this bundle (see ``CitizenSession/cardRefusal``).
    case cardNotAccepted = "card-not-accepted"
}

/// The application as submitted: what the runtime stores and prints. Pure data.
public struct SessionSubmission: Sendable, Hashable {
    public var bundle: ServiceBundle
    public var values: [FieldKey: SessionFieldValue]
    public var materials: [MaterialID: MaterialChoice]
    public var signaturePNG: Data?
    public var idNumber: String
    public var applicantName: String
    /// The card holder, when they apply on the applicant's behalf (a guardian); nil in person.
    public var agentName: String? = nil
    /// Items that wait for shared data, with the fields they wait for.
    public var sharedDataWaits: [SharedDataWait] = []
    /// Fields lacking shared data that the department completes.
    public var leftToDepartment: [FieldKey] = []
}

/// One citizen's visit, as a state machine with no I/O: the runtime feeds it what the card
/// reader, the touch screen and the API say, and carries out what it decides.
///
/// Every action checks the step it is allowed in; a refused action changes nothing.
public struct CitizenSession: Sendable {
    public internal(set) var step: SessionStep = .attract
    public private(set) var blueprint: BundleBlueprint?
    /// The card on the reader (or last read, while ``cardPresent`` is false before submitting).
    public internal(set) var card: IDCardData?
    public internal(set) var cardPresent = false
    public private(set) var values: [FieldKey: SessionFieldValue] = [:]
    public private(set) var materials: [MaterialID: MaterialChoice] = [:]
    public private(set) var signaturePNG: Data?
    public internal(set) var alert: SessionAlert?
    public private(set) var rating: Int?
    /// Set once the runtime has committed the case.
    public private(set) var receiptNumber: String?
    /// Whether this kiosk can take a physical material (a scanner, camera or deposit box is
    /// configured); without one, nothing is ever recorded as received here.
    public private(set) var materialCapture = false
    /// Why the card last placed cannot be used for the bundle, with what to do instead.
    public internal(set) var cardRefusal: String?
    /// The query-and-print service chosen (`+Query`).
    public internal(set) var query: QueryChoice?

    public init() {}

    /// Whether this session has anything of a citizen in it (else an idle timeout has nothing to wipe).
    public var isIdle: Bool { step == .attract }

    // MARK: Choosing

    /// A bundle was chosen on the attract screen: its one-time notice and situation questions
    /// come next. `materialCapture` says whether the kiosk can take physical materials.
    public mutating func choose(_ blueprint: BundleBlueprint, materialCapture: Bool = false) throws(SessionError) {
        try expect(.attract)
        self.blueprint = blueprint
        self.materialCapture = materialCapture
        resetMaterials()
        step = .notice
    }

    /// One tap on an answer to a situation question (问答式引导): the bundle is compiled again
    /// for the new situation, so the notice, form and materials fit the person.
    public mutating func answer(_ question: QuestionID, _ answer: AnswerID, catalog: Catalog) throws(SessionError) {
        try expect(.notice)
        guard let blueprint, let asked = blueprint.bundle.question(question) else {
            throw SessionError(.unknownQuestion, "本事项没有该问题 (this service asks no such question)")
        }
        guard asked.answer(answer) != nil else {
            throw SessionError(.unknownQuestion, "请从“\(asked.text)”的选项中选择 (not an answer to this question)")
        }
        var situation = blueprint.situation
        situation[question] = answer
        do {
            self.blueprint = try blueprint.answering(situation, catalog: catalog)
        } catch {
            throw SessionError(.wrongStep, "该事项暂不能办理，请联系工作人员 (the service is misconfigured)", cause: error)
        }
        resetMaterials()
    }

    /// Whether the value of `key` is given by an answer to a situation question.
    public func isAnswered(_ key: FieldKey) -> Bool { blueprint?.answered[key] != nil }

    /// The ways in a material has at this kiosk: electronic when it can be fetched; otherwise
    /// at the window (or, where the catalogue allows, deferred under the signed pledge), and at
    /// the kiosk only with a capture device.
    public func allowedChoices(for requirement: MaterialRequirement) -> [MaterialChoice] {
        var allowed: [MaterialChoice]
        switch requirement.disposition {
        case .obtainedElectronically: allowed = [.electronic]
        case .deferrable: allowed = [.deferred, .window]
        case .required: allowed = [.window]
        }
        if materialCapture && requirement.disposition != .obtainedElectronically { allowed.insert(.provided, at: 0) }
        return allowed
    }

    /// Materials with a single way in are decided already: nothing to tap.
    private mutating func resetMaterials() {
        materials = [:]
        signaturePNG = nil
        for requirement in blueprint?.materials ?? [] {
            let allowed = allowedChoices(for: requirement)
            if allowed.count == 1 { materials[requirement.definition.id] = allowed[0] }
        }
    }

    /// "Check my progress" was chosen: the card comes next.
    public mutating func checkProgress() throws(SessionError) {
        try expect(.attract)
        step = .progressCard
    }

    /// The citizen read the notice and answered its questions, and goes on to place the card.
    public mutating func acknowledgeNotice() throws(SessionError) {
        try expect(.notice)
        if let blueprint, let open = blueprint.bundle.questions.first(where: { blueprint.situation[$0.id] == nil }) {
            throw SessionError(.situationIncomplete, "请先回答：\(open.text) (answer the question first)")
        }
        step = .card
    }

    // MARK: The card

    /// A card was read. `prefill` holds what shared data and earlier applications know of
    /// this person (looked up by the runtime); the card's own fields are taken from `card`.
    /// `catalog` compiles the bundle again when its rules depend on the card's type.
    public mutating func cardRead(_ card: IDCardData, prefill: [FieldKey: SessionFieldValue] = [:], catalog: Catalog? = nil) {
        switch step {
        case .card:
            if let refusal = refusal(for: card) {
                // Not kept: this card cannot apply here, so nothing of it stays in the session.
                cardRefusal = refusal
                alert = .cardNotAccepted
                return
            }
            cardRefusal = nil
            alert = nil
            fitToCardType(card.type, catalog: catalog)
            adopt(card, prefill: prefill)
            step = .form
        case .form, .materials, .review:
            if let refusal = refusal(for: card) {
                cardRefusal = refusal
                alert = .cardNotAccepted
                return
            }
            if let previous = self.card, previous.idNumber == card.idNumber {
                self.card = card
                cardPresent = true
                alert = nil
            } else {
                // Someone else: nothing the first person entered may be shown to them.
                forgetPerson()
                fitToCardType(card.type, catalog: catalog)
                adopt(card, prefill: prefill)
                alert = .cardChanged
                step = .form
            }
        case .progressCard:
            self.card = card
            cardPresent = true
            step = .progress
        case .queryCard:
            queryCardRead(card)
        case .attract, .notice, .receipt, .rating, .progress, .queryConsent, .certificate:
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
        case .progress, .queryConsent:
            return true
        case .attract, .notice, .card, .progressCard, .receipt, .rating, .queryCard, .certificate:
            cardPresent = false
            return false
        }
    }

    /// Why a card of this type cannot be used for the bundle, and what to do instead; `nil`
    /// when it can.
    public func refusal(for card: IDCardData) -> String? {
        guard let bundle = blueprint?.bundle, !bundle.accepts(card.type) else { return nil }
        var names: [String] = []
        for type in bundle.cardTypes where !names.contains(type.chineseName) { names.append(type.chineseName) }
        let accepted = names.joined(separator: "或")
        return "“\(bundle.name)”须持\(accepted)办理，您放置的\(card.type.chineseName)不能在本机办理。请到\(bundle.window)办理，或取回证件。"
    }

    /// The reader answers the bundle's card-type rules: the household booklet a foreigner does
    /// not have is not asked for. Nothing is chosen yet at this point, so nothing is lost.
    private mutating func fitToCardType(_ type: IDCardType, catalog: Catalog?) {
        guard let blueprint, let catalog, blueprint.bundle.rulesNameCardType,
            blueprint.situation[SituationQuestion.cardType] != type.rawValue
        else { return }
        var situation = blueprint.situation
        situation[SituationQuestion.cardType] = type.rawValue
        guard let fitted = try? blueprint.answering(situation, catalog: catalog) else { return }
        self.blueprint = fitted
        resetMaterials()
    }

    /// Drops the card and everything typed or chosen for its holder; keeps the bundle.
    private mutating func forgetPerson() {
        card = nil
        cardPresent = false
        values = [:]
        resetMaterials()
    }

    private mutating func adopt(_ card: IDCardData, prefill: [FieldKey: SessionFieldValue]) {
        self.card = card
        cardPresent = true
        guard let blueprint else { return }
        let fromCard = Self.cardValues(card)
        for field in blueprint.form {
            let key = field.definition.key
            if let label = blueprint.answered[key] {
                values[key] = SessionFieldValue(value: label, source: .citizen)
            } else if blueprint.notCardHolder.contains(key) {
                // About someone else (the ward): neither the card nor the holder's records know it.
                continue
            } else if let holderKey = blueprint.fromCard[key], let value = fromCard[holderKey] {
                // The person this field is about holds the card on the reader.
                values[key] = SessionFieldValue(value: value, source: .idCard)
            } else if field.definition.sources.contains(.idCard), let value = fromCard[key] {
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
        // A resident's social security number is their ID number (社会保险法 第五十八条), and a
        // Hong Kong, Macao or Taiwan resident's is their permit's number; a foreigner's is
        // issued apart and comes from the social security records.
        if card.type == .residentID || card.type == .residencePermitHMT { values["applicant.insurance_number"] = card.idNumber }
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

    /// Required fields still empty (a field the situation makes optional may stay empty).
    public var missingFields: [FormField] {
        blueprint?.form.filter { $0.required && values[$0.definition.key] == nil && !lacksSharedData($0) } ?? []
    }

    /// A field only shared data may fill, which it did not fill (offline, or nothing on record):
    /// never typed by the citizen, since it would pass for verified data. The catalogue says
    /// what follows: an item that cannot proceed without it waits for it (``sharedDataWaits``);
    /// otherwise the department completes it from its own records (``isLeftToDepartment(_:)``).
    func lacksSharedData(_ field: FormField) -> Bool {
        values[field.definition.key] == nil && field.definition.needsSharedData && blueprint?.fromCard[field.definition.key] == nil
    }

    /// A field lacking shared data that no item waits for: the department completes it, and
    /// the receipt says so.
    public func isLeftToDepartment(_ field: FormField) -> Bool {
        lacksSharedData(field) && !waitsFor(field)
    }

    /// A field lacking shared data that some item of the application waits for.
    public func waitsFor(_ field: FormField) -> Bool {
        lacksSharedData(field) && (blueprint?.bundle.items ?? []).contains { $0.waitsForSharedData.contains(field.definition.key) }
    }

    /// The fields left to the department, in form order.
    public var fieldsLeftToDepartment: [FormField] { blueprint?.form.filter(isLeftToDepartment) ?? [] }

    /// The items that wait for shared data, in catalogue order, each with the fields it waits for.
    public var sharedDataWaits: [SharedDataWait] {
        guard let blueprint else { return [] }
        let lacking = blueprint.form.filter(lacksSharedData).map(\.definition.key)
        return blueprint.bundle.items.compactMap { item in
            let fields = lacking.filter(item.waitsForSharedData.contains)
            return fields.isEmpty ? nil : SharedDataWait(item: item.id, fields: fields)
        }
    }

    /// Whether the citizen may change `field` now: never what the ID card gave, what an answer
    /// set, or what only shared data may give. The view's `editable` and ``fill(_:)`` both ask
    /// this, so the screen never offers what the kiosk then refuses.
    public func isEditable(_ field: FormField) -> Bool {
        if isAnswered(field.definition.key) || lacksSharedData(field) { return false }
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
        var cleared = Set<FieldKey>()
        for (key, raw) in entries.sorted(by: { $0.key < $1.key }) {
            guard let field = blueprint.form.first(where: { $0.definition.key == key }) else {
                throw SessionError(.unknownField, "表单中没有该项 (the form has no field '\(key)')")
            }
            // A field the citizen may not supply is typed only when its source had nothing
            // (offline, no shared data); a value that came from that source stays.
            if isAnswered(key) {
                throw SessionError(
                    .readOnlyField, "\(field.definition.label)由您对问题的回答确定；如需更改，请返回上一步重新选择 (set by your answer)")
            }
            if waitsFor(field) {
                throw SessionError(
                    .readOnlyField,
                    "\(field.definition.label)只能取自共享数据，无需填写；相关事项将在数据可用后继续办理 (the item proceeds once shared data is available)")
            }
            if isLeftToDepartment(field) {
                throw SessionError(
                    .readOnlyField, "\(field.definition.label)由部门通过共享数据核实补全，无需填写 (completed by the department from shared data)")
            }
            if !isEditable(field), let known = values[key] {
                throw SessionError(
                    .readOnlyField,
                    known.source == .idCard
                        ? "\(field.definition.label)取自身份证，不能修改 (read from the ID card)"
                        : "\(field.definition.label)由\(Self.sourceName(known.source))提供，不能修改 (provided by \(known.source.rawValue))")
            }
            let value = field.definition.normalised(raw)
            if value.isEmpty && !field.required {
                // An optional field may be emptied again (once every value is known to be good).
                cleared.insert(key)
                continue
            }
            if let problem = field.definition.validate(value) {
                problems.append(problem)
            } else {
                let source: PrefillSource =
                    values[key].map { $0.value == value ? $0.source : .citizen } ?? .citizen
                accepted[key] = SessionFieldValue(value: value, source: source)
            }
        }
        problems += contradictions(values.merging(accepted) { _, new in new })
        guard problems.isEmpty else {
            throw SessionError(.invalidValue, "请检查标红的内容 (please check the marked fields)", problems: problems)
        }
        values.merge(accepted) { _, new in new }
        for key in cleared { values[key] = nil }
    }

    /// A person typed with the card holder's ID number but another name: the card is right, so
    /// the typed name is refused, saying what to do. And the ward's number is never the card
    /// holder's own: that person is someone else in the situation the citizen chose.
    private func contradictions(_ merged: [FieldKey: SessionFieldValue]) -> [FieldValueProblem] {
        guard let card, let blueprint else { return [] }
        var problems: [FieldValueProblem] = []
        for field in blueprint.form where field.definition.type == .idNumber && blueprint.notCardHolder.contains(field.definition.key) {
            guard let number = merged[field.definition.key]?.value, number.uppercased() == card.idNumber.uppercased() else { continue }
            problems.append(
                FieldValueProblem(
                    field: field.definition.key,
                    message:
                        "\(field.definition.label)：您选择了代为办理，请填写被代办人的证件号码，而不是您本人的；如为本人办理，请返回上一步重新选择 (this is the card holder's own number)"
                ))
        }
        for field in blueprint.form
        where field.definition.type == .idNumber && field.definition.key != "applicant.id_number"
            && !blueprint.notCardHolder.contains(field.definition.key)
        {
            let key = field.definition.key
            guard let number = merged[key]?.value, number.uppercased() == card.idNumber.uppercased(),
                let dot = key.lastIndex(of: ".")
            else { continue }
            let nameKey = key[..<dot] + ".name"
            guard let name = merged[String(nameKey)]?.value, name != card.name,
                let label = blueprint.form.first(where: { $0.definition.key == nameKey })?.definition.label
            else { continue }
            problems.append(
                FieldValueProblem(
                    field: String(nameKey),
                    message: "\(label)：与该证件号码的身份证姓名不一致，请按身份证填写，或核对\(field.definition.label) (does not match the ID card)"))
        }
        return problems
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
            throw SessionError(.choiceNotAllowed, "\(name)不适用容缺受理，请到窗口提交 (cannot be deferred)")
        case .provided? where !materialCapture:
            throw SessionError(
                .choiceNotAllowed,
                "本机无法收取\(name)，请\(requirement.disposition == .deferrable ? "容缺后补" : "到窗口提交") (this kiosk cannot take materials)")
        case .window? where requirement.disposition == .obtainedElectronically:
            throw SessionError(.choiceNotAllowed, "\(name)由部门电子调取，无需提交 (fetched electronically)")
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
            // Only what the citizen must do now: choose how each of these comes in.
            throw SessionError(
                .cannotBeReceived,
                "请为以下材料选择提交方式：\(undecided.map(\.definition.name).joined(separator: "、")) (choose how each material comes in)")
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
        case .queryCard, .queryConsent:
            // Nothing was asked yet: back is the attract screen, with nothing of the card kept.
            self = CitizenSession()
        case .attract, .receipt, .rating, .progressCard, .progress, .certificate:
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
            idNumber: card.idNumber,
            // The application's applicant: the card holder, or the person a guardian applies for.
            applicantName: values["applicant.name"]?.value ?? card.name,
            agentName: blueprint.notCardHolder.isEmpty ? nil : card.name, sharedDataWaits: sharedDataWaits,
            leftToDepartment: fieldsLeftToDepartment.map(\.definition.key))
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

    func expect(_ allowed: SessionStep) throws(SessionError) {
        guard step == allowed else {
            throw SessionError(.wrongStep, "当前步骤不能进行此操作 (not possible at step '\(step.rawValue)', only at '\(allowed.rawValue)')")
        }
    }
}
