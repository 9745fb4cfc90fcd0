/// One field of the bundle's single form (一表申请): asked once for every item that needs it.
public struct FormField: Sendable, Hashable {
    /// The field's definition.
    public var definition: FieldDefinition
    /// Where its value comes from (the best source listed).
    public var source: PrefillSource
    /// Items that need it, in catalog order.
    public var items: [ItemID]
    /// Whether it must be filled in; a situation rule may make it optional.
    public var required = true
}

/// A field of the bundle the applicant's situation leaves out, and why.
public struct SkippedField: Sendable, Hashable {
    /// The field's definition.
    public var definition: FieldDefinition
    /// The answers that left it out, e.g. `正常退休`.
    public var reason: String
}

/// What happens to one material of the bundle's single set (一套材料).
public enum MaterialDisposition: String, Sendable, Hashable, Codable {
    /// Fetched electronically; never asked for (免提交).
    case obtainedElectronically = "obtained_electronically"
    /// Must be handed in before acceptance.
    case required
    /// May be handed in later under a signed pledge (容缺受理).
    case deferrable
}

/// One material of the bundle's single set: collected once for all items that need it.
public struct MaterialRequirement: Sendable, Hashable {
    /// The material's definition.
    public var definition: MaterialDefinition
    /// What happens to it.
    public var disposition: MaterialDisposition
    /// Items that need it, in catalog order.
    public var items: [ItemID]
}

/// A bundle compiled for use at the kiosk: its one form, one set of materials and approval plan.
public struct BundleBlueprint: Sendable {
    /// The bundle definition.
    public let bundle: ServiceBundle
    /// Union of all items' fields, each once, in the order items first ask for them.
    public let form: [FormField]
    /// Union of all items' materials, each once, with what happens to it.
    public let materials: [MaterialRequirement]
    /// Stages of parallel approval.
    public let plan: ApprovalPlan
    /// The applicant's answers to the bundle's situation questions.
    public let situation: Situation
    /// Fields some item of the bundle lists that this situation does not ask, with the reason.
    public let skipped: [SkippedField]
    /// Fields an answer fills (field → the answer's label).
    public let answered: [FieldKey: String]
    /// Fields about the card holder in this situation (field → the card value's key,
    /// `applicant.name` for `legal_rep.name`).
    public let fromCard: [FieldKey: FieldKey]
    /// Fields about someone other than the card holder in this situation (the ward a guardian
    /// applies for): typed by the citizen, never filled from the card or the holder's records.
    public let notCardHolder: Set<FieldKey>

    /// Compiles `bundle` against the catalog's dictionaries; throws every problem of the
    /// bundle if it is not valid.
    ///
    /// `selecting` limits the application to the items an applicant needs (a bundle lists
    /// alternatives such as early-retirement approvals that apply to some applicants only);
    /// every item a selected item depends on is included too, since its result is needed.
    /// `nil` selects every item.
    ///
    /// `situation` holds the applicant's answers to the bundle's questions: the catalogue's rules
    /// for it leave items, fields and materials out, or make fields optional.
    public init(
        bundle full: ServiceBundle, catalog: Catalog, selecting requested: Set<ItemID>? = nil, situation: Situation = [:]
    ) throws(CatalogError) {
        let problems = catalog.problems(in: full)
        guard problems.isEmpty else { throw CatalogError(.invalidBundle, bundle: full.id, problems: problems) }
        var bundle = full
        let rules = full.rules.filter { $0.applies(to: situation) }
        let skippedItems = Set(rules.flatMap(\.skipItems))
        var selecting = requested
        if !skippedItems.isEmpty {
            let remaining = (requested ?? Set(full.items.map(\.id))).subtracting(skippedItems)
            if !remaining.isEmpty { selecting = remaining }
        }
        if let selecting {
            let known = Set(full.items.map(\.id))
            let unknown = selecting.subtracting(known).sorted()
            guard unknown.isEmpty, !selecting.isEmpty else {
                let message =
                    selecting.isEmpty
                    ? "no item selected"
                    : "bundle '\(full.id)' has no item \(unknown.map { "'\($0)'" }.joined(separator: ", "))"
                throw CatalogError(
                    .invalidSelection, bundle: full.id,
                    problems: [CatalogProblem(.unknownItem, message, at: .bundleKey(full.id, "items"))])
            }
            var included = Set<ItemID>()
            var pending = Array(selecting)
            while let id = pending.popLast() {
                // An item the situation leaves out is not applied for, even where another
                // item could use its result: that item is decided without it.
                guard !skippedItems.contains(id), included.insert(id).inserted, let item = full.item(id) else { continue }
                pending += item.dependsOn
            }
            bundle = full.applying(included)
        }
        let skippedFields = Set(rules.flatMap(\.skipFields))
        let optionalFields = Set(rules.flatMap(\.optionalFields))
        let skippedMaterials = Set(rules.flatMap(\.skipMaterials))
        let notCardHolder = Set(rules.flatMap(\.notCardHolder))
        var fromCard: [FieldKey: FieldKey] = [:]
        for key in rules.flatMap(\.fromCard) where !notCardHolder.contains(key) {
            fromCard[key] = "applicant." + (key.split(separator: ".").last.map(String.init) ?? key)
        }
        var answered: [FieldKey: String] = [:]
        for question in full.questions {
            if let field = question.field, let label = situation[question.id].flatMap(question.answer)?.label {
                answered[field] = label
            }
        }
        var form: [FormField] = []
        var fieldIndex: [FieldKey: Int] = [:]
        var materials: [MaterialRequirement] = []
        var materialIndex: [MaterialID: Int] = [:]
        for item in bundle.items {
            for key in item.fields where !skippedFields.contains(key) {
                if let index = fieldIndex[key] {
                    form[index].items.append(item.id)
                } else if let definition = catalog.fields[key] {
                    fieldIndex[key] = form.count
                    form.append(
                        FormField(
                            definition: definition,
                            source: fromCard[key] != nil ? .idCard : notCardHolder.contains(key) ? .citizen : definition.prefillSource,
                            items: [item.id], required: !optionalFields.contains(key)))
                }
            }
            for id in item.materials where !skippedMaterials.contains(id) {
                if let index = materialIndex[id] {
                    materials[index].items.append(item.id)
                } else if let definition = catalog.materials[id] {
                    let disposition: MaterialDisposition =
                        definition.electronic ? .obtainedElectronically : definition.deferrable ? .deferrable : .required
                    materialIndex[id] = materials.count
                    materials.append(MaterialRequirement(definition: definition, disposition: disposition, items: [item.id]))
                }
            }
        }
        switch ApprovalPlan.compute(for: bundle.items, in: bundle.id) {
        case let .success(plan): self.plan = plan
        case let .failure(problem): throw CatalogError(.invalidBundle, bundle: bundle.id, problems: [problem])
        }
        self.bundle = bundle
        self.form = form
        self.materials = materials
        self.situation = situation
        self.answered = answered.filter { fieldIndex[$0.key] != nil }
        self.fromCard = fromCard.filter { fieldIndex[$0.key] != nil }
        self.notCardHolder = notCardHolder.filter { fieldIndex[$0] != nil }
        // Why each field of the bundle is not asked: its own rule, else the rule that left out
        // every item asking for it.
        var skipped: [SkippedField] = []
        var seen = Set(form.map(\.definition.key))
        for item in full.items {
            for key in item.fields where seen.insert(key).inserted {
                guard let definition = catalog.fields[key] else { continue }
                let rule =
                    rules.first { $0.skipFields.contains(key) }
                    ?? rules.first { rule in rule.skipItems.contains(item.id) }
                skipped.append(SkippedField(definition: definition, reason: rule.map { full.reason(for: $0, in: situation) } ?? ""))
            }
        }
        self.skipped = skipped
    }

    /// The same bundle compiled for another situation (the citizen changed an answer).
    public func answering(_ situation: Situation, catalog: Catalog) throws(CatalogError) -> BundleBlueprint {
        guard let full = catalog.bundle(bundle.id) else {
            throw CatalogError(.invalidSelection, bundle: bundle.id, problems: [])
        }
        return try BundleBlueprint(bundle: full, catalog: catalog, situation: situation)
    }

    /// Whether every situation question has an answer.
    public var situationComplete: Bool { bundle.questions.allSatisfy { situation[$0.id] != nil } }

    /// Materials the applicant hands in (required or deferrable), in order.
    public var materialsToSubmit: [MaterialRequirement] {
        materials.filter { $0.disposition != .obtainedElectronically }
    }

    /// The one-time notice (一次告知) for an applicant who has the materials in `have`:
    /// everything still missing, at once.
    public func notice(have: Set<MaterialID>) -> OneTimeNotice {
        var missingRequired: [MaterialRequirement] = []
        var missingDeferrable: [MaterialRequirement] = []
        for requirement in materialsToSubmit where !have.contains(requirement.definition.id) {
            if requirement.disposition == .deferrable {
                missingDeferrable.append(requirement)
            } else {
                missingRequired.append(requirement)
            }
        }
        let originals = materialsToSubmit.filter { $0.definition.originalRequired && have.contains($0.definition.id) }
        return OneTimeNotice(
            bundle: bundle.id, missingRequired: missingRequired, missingDeferrable: missingDeferrable,
            originalsToShow: originals,
            fetchedElectronically: materials.filter { $0.disposition == .obtainedElectronically })
    }
}

/// The one-time notice (一次告知): what an applicant still lacks, told at once, and what the
/// kiosk fetches itself.
public struct OneTimeNotice: Sendable, Hashable {
    /// The bundle applied for.
    public var bundle: BundleID
    /// Missing materials without which the application cannot be accepted.
    public var missingRequired: [MaterialRequirement]
    /// Missing materials that may follow later under a signed pledge (容缺受理).
    public var missingDeferrable: [MaterialRequirement]
    /// Materials the applicant has whose original must be shown.
    public var originalsToShow: [MaterialRequirement]
    /// Materials fetched electronically, listed so the applicant knows not to bring them.
    public var fetchedElectronically: [MaterialRequirement]

    /// Whether the application can be received now (possibly under a pledge).
    public var canBeReceived: Bool { missingRequired.isEmpty }
    /// Whether receiving it now needs the applicant's signed pledge for deferred materials.
    public var needsPledge: Bool { !missingDeferrable.isEmpty }
}
