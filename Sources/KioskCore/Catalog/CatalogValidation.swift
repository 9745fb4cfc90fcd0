/// The part of a catalog a problem is about, so that a loader can point at its line.
public enum CatalogSubject: Sendable, Hashable {
    /// A bundle as a whole.
    case bundle(BundleID)
    /// One key of a bundle (`valid_until`, `items`, …).
    case bundleKey(BundleID, String)
    /// An item as a whole.
    case item(BundleID, ItemID)
    /// One key of an item (`promised_limit`, …).
    case itemKey(BundleID, ItemID, String)
    /// One entry of an item's list (`depends_on`, `fields`, `materials`,
    /// `waits_for_shared_data`) at an index.
    case itemListEntry(BundleID, ItemID, String, Int)
    /// A field definition.
    case field(FieldKey)
    /// A material definition.
    case material(MaterialID)
    /// A situation question of a bundle.
    case question(BundleID, QuestionID)
    /// One key of a situation question (`common`, `answers`).
    case questionKey(BundleID, QuestionID, String)
    /// A bundle's rule, by its index in `rules`.
    case rule(BundleID, Int)
    /// One entry of a rule: `when.QUESTION` (index -1 for the question itself, else the
    /// answer's index) or a list (`skip_items`, `skip_fields`, `optional_fields`,
    /// `skip_materials`) at an index.
    case ruleEntry(BundleID, Int, String, Int)
}

/// One thing wrong with a catalog, in words a technician can act on.
public struct CatalogProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case emptyBundle = "empty_bundle"
            case duplicateItem = "duplicate_item"
            case unknownField = "unknown_field"
            case unknownMaterial = "unknown_material"
            case duplicateEntry = "duplicate_entry"
            case danglingDependency = "dangling_dependency"
            case selfDependency = "self_dependency"
            case dependencyCycle = "dependency_cycle"
            case invalidLimit = "invalid_limit"
            case promiseExceedsLaw = "promise_exceeds_law"
            case invalidValidity = "invalid_validity"
            case invalidSteps = "invalid_steps"
            case enumWithoutOptions = "enum_without_options"
            case unknownItem = "unknown_item"
            case unknownQuestion = "unknown_question"
            case unknownAnswer = "unknown_answer"
            case invalidQuestion = "invalid_question"
            case invalidSharedDataWait = "invalid_shared_data_wait"
            case conflictingPerson = "conflicting_person"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A bundle without items.
        public static let emptyBundle = Code(.emptyBundle)
        /// Two items of a bundle with the same id.
        public static let duplicateItem = Code(.duplicateItem)
        /// An item asks for a field the field dictionary does not define.
        public static let unknownField = Code(.unknownField)
        /// An item asks for a material the material dictionary does not define.
        public static let unknownMaterial = Code(.unknownMaterial)
        /// The same entry twice in one of an item's lists.
        public static let duplicateEntry = Code(.duplicateEntry)
        /// An item depends on an item the bundle does not have.
        public static let danglingDependency = Code(.danglingDependency)
        /// An item depends on itself.
        public static let selfDependency = Code(.selfDependency)
        /// Items depend on each other in a circle, so none can ever be decided.
        public static let dependencyCycle = Code(.dependencyCycle)
        /// A negative time limit.
        public static let invalidLimit = Code(.invalidLimit)
        /// A promised time limit longer than the legal one.
        public static let promiseExceedsLaw = Code(.promiseExceedsLaw)
        /// A validity period that ends before it starts.
        public static let invalidValidity = Code(.invalidValidity)
        /// An item that takes fewer than one step (`steps_alone`).
        public static let invalidSteps = Code(.invalidSteps)
        /// An enum field without options.
        public static let enumWithoutOptions = Code(.enumWithoutOptions)
        /// An item the bundle does not have was asked for.
        public static let unknownItem = Code(.unknownItem)
        /// A rule names a situation question the bundle does not ask.
        public static let unknownQuestion = Code(.unknownQuestion)
        /// A rule or a question names an answer the question does not offer.
        public static let unknownAnswer = Code(.unknownAnswer)
        /// A question with fewer than two answers, or asked twice.
        public static let invalidQuestion = Code(.invalidQuestion)
        /// An item waits for a field it does not ask, or one the citizen or the card may fill.
        public static let invalidSharedDataWait = Code(.invalidSharedDataWait)
        /// A rule says a field is about the card holder and about someone else at once.
        public static let conflictingPerson = Code(.conflictingPerson)

        /// The code as it appears in JSON and lint output.
        public var description: String { base.rawValue }
    }

    /// Kind of problem.
    public var code: Code
    /// What is wrong.
    public var message: String
    /// Where it is.
    public var subject: CatalogSubject
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates a problem.
    public init(_ code: Code, _ message: String, at subject: CatalogSubject, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.subject = subject
        self.cause = cause
    }

    /// `message`.
    public var description: String { message }

    /// Problems are equal when their code, message and subject are; the cause is for logs only.
    public static func == (lhs: CatalogProblem, rhs: CatalogProblem) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.subject == rhs.subject
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(subject)
    }
}

/// A bundle could not be compiled because its definition is wrong, or because the items asked
/// for are not in it.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidBundle = "invalid_bundle"
            case invalidSelection = "invalid_selection"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The bundle's definition breaks the catalog's rules (see ``CatalogError/problems``).
        public static let invalidBundle = Code(.invalidBundle)
        /// The items selected are not in the bundle, or none is selected.
        public static let invalidSelection = Code(.invalidSelection)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What is wrong, every problem on one line, for a technician.
    public var message: String
    /// The bundle concerned.
    public var bundle: BundleID
    /// Every problem found, not just the first.
    public var problems: [CatalogProblem]
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(
        _ code: Code, _ message: String, bundle: BundleID, problems: [CatalogProblem],
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.bundle = bundle
        self.problems = problems
        self.cause = cause
    }

    /// An error for `problems` of `bundle`, its message naming each of them.
    public init(_ code: Code, bundle: BundleID, problems: [CatalogProblem]) {
        self.init(
            code, "bundle '\(bundle)' is not valid: " + problems.map(\.message).joined(separator: "; "), bundle: bundle,
            problems: problems)
    }

    /// `message`.
    public var description: String { message }

    /// Errors are equal when their code, message, bundle and problems are; the cause is for
    /// logs only.
    public static func == (lhs: CatalogError, rhs: CatalogError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.bundle == rhs.bundle && lhs.problems == rhs.problems
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(bundle)
        hasher.combine(problems)
    }
}

extension Catalog {
    /// Every problem in the catalog: references to unknown fields and materials, dangling
    /// and circular dependencies, impossible limits and validity periods.
    public func problems() -> [CatalogProblem] {
        var problems: [CatalogProblem] = []
        for field in fields.values.sorted(by: { $0.key < $1.key }) {
            if case let .enumeration(options) = field.type, options.isEmpty {
                problems.append(
                    CatalogProblem(
                        .enumWithoutOptions, "field '\(field.key)' is an enum but lists no options", at: .field(field.key)))
            }
        }
        for bundle in bundles {
            problems += self.problems(in: bundle)
        }
        return problems
    }

    /// Problems of one bundle.
    public func problems(in bundle: ServiceBundle) -> [CatalogProblem] {
        var problems: [CatalogProblem] = []
        let b = bundle.id
        if bundle.items.isEmpty {
            problems.append(CatalogProblem(.emptyBundle, "bundle '\(b)' has no items", at: .bundleKey(b, "items")))
        }
        if let until = bundle.validUntil, until < bundle.validFrom {
            problems.append(
                CatalogProblem(
                    .invalidValidity, "valid_until \(until) is before valid_from \(bundle.validFrom)",
                    at: .bundleKey(b, "valid_until")))
        }
        var seen = Set<ItemID>()
        let ids = Set(bundle.items.map(\.id))
        for item in bundle.items {
            if !seen.insert(item.id).inserted {
                problems.append(
                    CatalogProblem(.duplicateItem, "item id '\(item.id)' is used twice in bundle '\(b)'", at: .item(b, item.id)))
            }
            for (key, limit) in [("legal_limit", item.legalLimit), ("promised_limit", item.promisedLimit)]
            where limit.days < 0 {
                problems.append(
                    CatalogProblem(.invalidLimit, "\(key) must not be negative", at: .itemKey(b, item.id, key)))
            }
            if item.promisedLimit.workingDayEquivalent > item.legalLimit.workingDayEquivalent {
                problems.append(
                    CatalogProblem(
                        .promiseExceedsLaw,
                        "promised limit (\(item.promisedLimit)) is longer than the legal limit (\(item.legalLimit))",
                        at: .itemKey(b, item.id, "promised_limit")))
            }
            if item.stepsAlone < 1 {
                problems.append(
                    CatalogProblem(.invalidSteps, "steps_alone must be at least 1", at: .itemKey(b, item.id, "steps_alone")))
            }
            problems += duplicates(item.fields, list: "fields", bundle: b, item: item.id)
            problems += duplicates(item.materials, list: "materials", bundle: b, item: item.id)
            problems += duplicates(item.dependsOn, list: "depends_on", bundle: b, item: item.id)
            problems += duplicates(item.waitsForSharedData, list: "waits_for_shared_data", bundle: b, item: item.id)
            for (index, key) in item.waitsForSharedData.enumerated() {
                let at = CatalogSubject.itemListEntry(b, item.id, "waits_for_shared_data", index)
                if !item.fields.contains(key) {
                    problems.append(
                        CatalogProblem(
                            .invalidSharedDataWait, "item '\(item.id)' waits for '\(key)', which is not one of its fields", at: at))
                } else if let definition = fields[key], !definition.needsSharedData {
                    // Only a field nobody may type can be missing offline; any other is asked.
                    problems.append(
                        CatalogProblem(
                            .invalidSharedDataWait,
                            "item '\(item.id)' cannot wait for '\(key)': only a field shared data fills and the citizen may not type (sources with shared_data, without citizen) can wait",
                            at: at))
                }
            }
            for (index, key) in item.fields.enumerated() where fields[key] == nil {
                var message = "unknown field '\(key)'"
                if let guess = Self.closest(to: key, in: fields.keys) { message += " (did you mean '\(guess)'?)" }
                problems.append(
                    CatalogProblem(.unknownField, message, at: .itemListEntry(b, item.id, "fields", index)))
            }
            for (index, id) in item.materials.enumerated() where materials[id] == nil {
                var message = "unknown material '\(id)'"
                if let guess = Self.closest(to: id, in: materials.keys) { message += " (did you mean '\(guess)'?)" }
                problems.append(
                    CatalogProblem(.unknownMaterial, message, at: .itemListEntry(b, item.id, "materials", index)))
            }
            for (index, dependency) in item.dependsOn.enumerated() {
                if dependency == item.id {
                    problems.append(
                        CatalogProblem(
                            .selfDependency, "item '\(item.id)' depends on itself",
                            at: .itemListEntry(b, item.id, "depends_on", index)))
                } else if !ids.contains(dependency) {
                    problems.append(
                        CatalogProblem(
                            .danglingDependency,
                            "item '\(item.id)' depends on '\(dependency)', which is not an item of bundle '\(b)'",
                            at: .itemListEntry(b, item.id, "depends_on", index)))
                }
            }
        }
        if case let .failure(cycle) = ApprovalPlan.compute(for: bundle.items, in: b) {
            problems.append(cycle)
        }
        problems += situationProblems(in: bundle)
        return problems
    }

    /// Problems of a bundle's situation questions and rules: every name must be the bundle's own.
    private func situationProblems(in bundle: ServiceBundle) -> [CatalogProblem] {
        var problems: [CatalogProblem] = []
        let b = bundle.id
        var questionIDs = Set<QuestionID>()
        for question in bundle.questions {
            if !questionIDs.insert(question.id).inserted {
                problems.append(
                    CatalogProblem(.invalidQuestion, "question '\(question.id)' is asked twice", at: .question(b, question.id)))
            }
            if question.answers.count < 2 {
                problems.append(
                    CatalogProblem(
                        .invalidQuestion, "question '\(question.id)' needs at least two answers",
                        at: .questionKey(b, question.id, "answers")))
            }
            if let field = question.field {
                if !bundle.items.contains(where: { $0.fields.contains(field) }) {
                    problems.append(
                        CatalogProblem(
                            .unknownField, "question '\(question.id)' fills field '\(field)', which no item of bundle '\(b)' asks",
                            at: .questionKey(b, question.id, "field")))
                } else if let options = fields[field]?.type.options {
                    for answer in question.answers where !options.contains(answer.label) {
                        problems.append(
                            CatalogProblem(
                                .unknownAnswer,
                                "answer '\(answer.id)' of question '\(question.id)' fills field '\(field)' with '\(answer.label)', "
                                    + "which is not one of its options (\(options.joined(separator: "、")))",
                                at: .questionKey(b, question.id, "field")))
                    }
                }
            }
            if question.answer(question.common) == nil {
                problems.append(
                    CatalogProblem(
                        .unknownAnswer,
                        "common answer '\(question.common)' is not an answer of question '\(question.id)' "
                            + "(one of: \(question.answers.map(\.id).joined(separator: ", ")))",
                        at: .questionKey(b, question.id, "common")))
            }
        }
        let itemIDs = Set(bundle.items.map(\.id))
        let fieldKeys = Set(bundle.items.flatMap(\.fields))
        let materialIDs = Set(bundle.items.flatMap(\.materials))
        func unknown(
            _ kind: String, _ name: String, in known: Set<String>, _ code: CatalogProblem.Code, at subject: CatalogSubject
        )
            -> CatalogProblem
        {
            var message = "unknown \(kind) '\(name)' in bundle '\(b)'"
            if let guess = Self.closest(to: name, in: known) { message += " (did you mean '\(guess)'?)" }
            return CatalogProblem(code, message, at: subject)
        }
        for (index, rule) in bundle.rules.enumerated() {
            if rule.when.isEmpty {
                problems.append(CatalogProblem(.unknownQuestion, "rule \(index + 1) has no 'when'", at: .rule(b, index)))
            }
            for (questionID, answers) in rule.when.sorted(by: { $0.key < $1.key }) {
                if questionID == SituationQuestion.cardType {
                    let types = Set(IDCardType.allCases.map(\.rawValue))
                    for (answerIndex, answer) in answers.enumerated() where !types.contains(answer) {
                        problems.append(
                            unknown(
                                "card type", answer, in: types, .unknownAnswer, at: .ruleEntry(b, index, "when.\(questionID)", answerIndex))
                        )
                    }
                    continue
                }
                guard let question = bundle.question(questionID) else {
                    problems.append(
                        unknown(
                            "question", questionID, in: questionIDs, .unknownQuestion, at: .ruleEntry(b, index, "when.\(questionID)", -1)))
                    continue
                }
                for (answerIndex, answer) in answers.enumerated() where question.answer(answer) == nil {
                    problems.append(
                        unknown(
                            "answer", answer, in: Set(question.answers.map(\.id)), .unknownAnswer,
                            at: .ruleEntry(b, index, "when.\(questionID)", answerIndex)))
                }
            }
            let lists: [(String, [String], String, Set<String>, CatalogProblem.Code)] = [
                ("skip_items", rule.skipItems, "item", itemIDs, .unknownItem),
                ("skip_fields", rule.skipFields, "field", fieldKeys, .unknownField),
                ("optional_fields", rule.optionalFields, "field", fieldKeys, .unknownField),
                ("skip_materials", rule.skipMaterials, "material", materialIDs, .unknownMaterial),
                ("from_card", rule.fromCard, "field", fieldKeys, .unknownField),
                ("not_card_holder", rule.notCardHolder, "field", fieldKeys, .unknownField),
            ]
            for (key, entries, kind, known, code) in lists {
                for (entryIndex, entry) in entries.enumerated() where !known.contains(entry) {
                    problems.append(unknown(kind, entry, in: known, code, at: .ruleEntry(b, index, key, entryIndex)))
                }
            }
            for (entryIndex, key) in rule.fromCard.enumerated() {
                let part = key.split(separator: ".").last.map(String.init) ?? key
                if fieldKeys.contains(key) && !SituationRule.cardParts.contains(part) {
                    problems.append(
                        CatalogProblem(
                            .unknownField,
                            "the card gives no '\(part)' for field '\(key)' (it gives: \(SituationRule.cardParts.joined(separator: ", ")))",
                            at: .ruleEntry(b, index, "from_card", entryIndex)))
                }
            }
            // One person cannot both hold the card and not hold it.
            for (entryIndex, key) in rule.notCardHolder.enumerated() where rule.fromCard.contains(key) {
                problems.append(
                    CatalogProblem(
                        .conflictingPerson,
                        "field '\(key)' is in both from_card and not_card_holder of one rule: is it about the card holder or not?",
                        at: .ruleEntry(b, index, "not_card_holder", entryIndex)))
            }
        }
        // Nor may two rules that hold together disagree about it (a role rule and a card rule).
        let cards = bundle.rulesNameCardType ? IDCardType.allCases.map(\.rawValue) : []
        let situations = bundle.allSituations.flatMap { situation in
            [situation] + cards.map { situation.merging([SituationQuestion.cardType: $0]) { _, card in card } }
        }
        var reported = Set<String>()
        for situation in situations {
            let holding = bundle.rules.enumerated().filter { $0.element.applies(to: situation) }
            let fromCard = Set(holding.flatMap(\.element.fromCard))
            for (index, rule) in holding {
                for (entryIndex, key) in rule.notCardHolder.enumerated()
                where fromCard.contains(key) && !rule.fromCard.contains(key) && reported.insert("\(index).\(entryIndex)").inserted {
                    problems.append(
                        CatalogProblem(
                            .conflictingPerson,
                            "field '\(key)' is not the card holder's here, but another rule that holds with this one fills it from the card",
                            at: .ruleEntry(b, index, "not_card_holder", entryIndex)))
                }
            }
        }
        return problems
    }

    private func duplicates(_ list: [String], list name: String, bundle: BundleID, item: ItemID) -> [CatalogProblem] {
        var seen = Set<String>()
        var problems: [CatalogProblem] = []
        for (index, entry) in list.enumerated() where !seen.insert(entry).inserted {
            problems.append(
                CatalogProblem(
                    .duplicateEntry, "'\(entry)' is listed twice in \(name)",
                    at: .itemListEntry(bundle, item, name, index)))
        }
        return problems
    }

    /// The candidate nearest to a misspelt identifier, if near enough to be a typo.
    static func closest(to key: String, in candidates: some Sequence<String>) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(key, candidate)
            if let current = best, distance > current.1 || (distance == current.1 && candidate >= current.0) {
                continue
            }
            best = (candidate, distance)
        }
        guard let best, best.1 <= max(2, key.count / 4) else { return nil }
        return best.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
