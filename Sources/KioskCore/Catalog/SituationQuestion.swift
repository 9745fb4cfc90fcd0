/// Identifier of a situation question in its bundle, e.g. `retirement_kind`.
public typealias QuestionID = String
/// Identifier of an answer to a situation question, e.g. `early_special_job`.
public typealias AnswerID = String

/// A situation question (问答式引导): asked before the form and answered with one tap, so that
/// the one form asks only what fits the person (正常退休 or 提前退休, 新办 or 换领, …).
public struct SituationQuestion: Sendable, Hashable {
    /// One possible answer.
    public struct Answer: Sendable, Hashable {
        /// Identifier used by rules.
        public var id: AnswerID
        /// The words on the button.
        public var label: String

        /// Creates an answer.
        public init(id: AnswerID, label: String) {
            self.id = id
            self.label = label
        }
    }

    /// Identifier used by rules.
    public var id: QuestionID
    /// The question as the citizen reads it.
    public var text: String
    /// The answers, in the order they are offered.
    public var answers: [Answer]
    /// The answer most applicants give: the situation `catalog kpi` and `bundle show` measure.
    public var common: AnswerID
    /// A form field the answer fills with its label (退休类型 from 正常退休): asked once, here.
    public var field: FieldKey?

    /// Creates a question.
    public init(id: QuestionID, text: String, answers: [Answer], common: AnswerID, field: FieldKey? = nil) {
        self.id = id
        self.text = text
        self.answers = answers
        self.common = common
        self.field = field
    }

    /// The answer with `id`.
    public func answer(_ id: AnswerID) -> Answer? { answers.first { $0.id == id } }
}

/// What one situation leaves out of the bundle: catalogue data, never code. A rule applies when
/// every question it names was given one of the answers it lists.
public struct SituationRule: Sendable, Hashable {
    /// Question → the answers for which the rule applies; every question must match.
    public var when: [QuestionID: [AnswerID]]
    /// Items not applied for in this situation (their fields and materials go unless another
    /// item still needs them).
    public var skipItems: [ItemID]
    /// Fields not asked in this situation, even though an item lists them.
    public var skipFields: [FieldKey]
    /// Fields shown but not required in this situation (the citizen may leave them empty).
    public var optionalFields: [FieldKey]
    /// Materials not needed in this situation.
    public var skipMaterials: [MaterialID]
    /// Fields about a person who, in this situation, is the card holder (the legal
    /// representative applying in person): filled from the card by the part after the last dot
    /// (`legal_rep.name` from the card's name), never typed.
    public var fromCard: [FieldKey]
    /// Fields about a person who, in this situation, is not the card holder (the ward a
    /// guardian applies for): typed, never filled from the card or from the card holder's
    /// records, and never the card holder's own ID number.
    public var notCardHolder: [FieldKey]

    /// The parts of a person the card gives, as field key endings.
    public static let cardParts = ["name", "id_number", "gender", "birth_date", "hukou_address", "ethnicity"]

    /// Creates a rule.
    public init(
        when: [QuestionID: [AnswerID]], skipItems: [ItemID] = [], skipFields: [FieldKey] = [],
        optionalFields: [FieldKey] = [], skipMaterials: [MaterialID] = [], fromCard: [FieldKey] = [],
        notCardHolder: [FieldKey] = []
    ) {
        self.notCardHolder = notCardHolder
        self.when = when
        self.skipItems = skipItems
        self.skipFields = skipFields
        self.optionalFields = optionalFields
        self.skipMaterials = skipMaterials
        self.fromCard = fromCard
    }

    /// Whether the rule applies to `situation` (an unanswered question never matches).
    public func applies(to situation: Situation) -> Bool {
        when.allSatisfy { question, answers in situation[question].map(answers.contains) ?? false }
    }
}

/// The answers a citizen gave to a bundle's situation questions.
public typealias Situation = [QuestionID: AnswerID]

extension SituationQuestion {
    /// The question the card reader answers, never asked on screen: rules may name it with
    /// card types (`when: {card: [hmt-residence-permit]}`) for what differs by document, such
    /// as the household booklet a resident has and a foreigner has not.
    public static let cardType: QuestionID = "card"
}

extension ServiceBundle {
    /// The situation most applicants are in: every question at its common answer.
    public var commonSituation: Situation {
        Dictionary(uniqueKeysWithValues: questions.map { ($0.id, $0.common) })
    }

    /// Whether some rule depends on the card's type.
    public var rulesNameCardType: Bool { rules.contains { $0.when[SituationQuestion.cardType] != nil } }

    /// Every combination of answers (for tests and reports; bundles ask a few questions).
    public var allSituations: [Situation] {
        questions.reduce([Situation()]) { partial, question in
            partial.flatMap { situation in
                question.answers.map { answer in situation.merging([question.id: answer.id]) { _, new in new } }
            }
        }
    }

    /// The answer labels a rule's condition names, e.g. `正常退休`: the reason the citizen reads.
    public func reason(for rule: SituationRule, in situation: Situation) -> String {
        var labels = questions.filter { rule.when[$0.id] != nil }
            .compactMap { question in situation[question.id].flatMap(question.answer)?.label }
        if rule.when[SituationQuestion.cardType] != nil,
            let type = situation[SituationQuestion.cardType].flatMap(IDCardType.init(rawValue:))
        {
            labels.append("持\(type.chineseName)")
        }
        return labels.joined(separator: "、")
    }
}
