import Foundation
import KioskCore
import KioskFiles

/// A catalog read from a directory, with every problem found at its `file:line:column`.
public struct LoadedCatalog: Sendable {
    /// What could be read; bundles whose file has structural problems are left out.
    public var catalog: Catalog
    /// Every problem, sorted by file, line and column.
    public var problems: [FileProblem]
    /// Where each bundle came from, by bundle id.
    public var bundleFiles: [BundleID: String]

    /// Compiles `bundle` (by id or name), limited to `selecting` items and what they depend on
    /// when given, for `situation` (none by default: every item, every field; pass
    /// `commonSituation` for what most applicants see); throws its
    /// problems if it is not valid.
    public func blueprint(
        _ bundle: String, selecting: Set<ItemID>? = nil, situation: Situation? = nil
    ) throws(CatalogLoadError) -> BundleBlueprint {
        guard let definition = catalog.bundle(bundle) else {
            let known = catalog.bundles.map(\.id).joined(separator: ", ")
            throw CatalogLoadError(.unknownBundle, "no bundle '\(bundle)' in the catalog (known: \(known))")
        }
        do {
            return try BundleBlueprint(
                bundle: definition, catalog: catalog, selecting: selecting, situation: situation ?? [:])
        } catch {
            throw CatalogLoadError(.invalidBundle, error.description, cause: error)
        }
    }
}

/// The catalog could not be used.
public struct CatalogLoadError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownBundle = "unknown_bundle"
            case invalidBundle = "invalid_bundle"
            case unreadableDirectory = "unreadable_directory"
            case invalidCatalog = "invalid_catalog"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No bundle of that id or name in the catalog.
        public static let unknownBundle = Code(.unknownBundle)
        /// The bundle cannot be compiled (see the ``CatalogError`` cause).
        public static let invalidBundle = Code(.invalidBundle)
        /// The catalog directory cannot be read.
        public static let unreadableDirectory = Code(.unreadableDirectory)
        /// The catalog has problems.
        public static let invalidCatalog = Code(.invalidCatalog)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
    }

    /// Kind of failure.
    public var code: Code
    /// What went wrong, for a technician.
    public var message: String
    /// The underlying cause (a ``CatalogError``), for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `message`.
    public var description: String { message }
}

/// Reads a catalog directory: `fields.yaml` (the field dictionary), `materials.yaml` (the
/// material dictionary) and every other `*.yaml` below it, one bundle per file.
public enum CatalogLoader {
    /// File holding the field dictionary.
    public static let fieldsFile = "fields.yaml"
    /// File holding the material dictionary.
    public static let materialsFile = "materials.yaml"

    static let fieldShape: YAMLShape = .mapping([
        "fields": .list(
            .mapping([
                "key": .scalar, "label": .scalar, "type": .scalar, "options": .list(.scalar),
                "sources": .list(.scalar), "illustrative": .scalar,
            ]))
    ])
    static let materialShape: YAMLShape = .mapping([
        "materials": .list(
            .mapping([
                "id": .scalar, "name": .scalar, "electronic": .scalar, "deferrable": .scalar, "original": .scalar,
                "illustrative": .scalar,
            ]))
    ])
    static let limitShape: YAMLShape = .mapping(["days": .scalar, "counting": .scalar])
    static let bundleShape: YAMLShape = .mapping([
        "id": .scalar, "name": .scalar, "lead_department": .scalar, "co_departments": .list(.scalar),
        "version": .scalar, "valid_from": .scalar, "valid_until": .scalar, "source": .scalar,
        "illustrative": .list(.scalar),
        "items": .list(
            .mapping([
                "id": .scalar, "name": .scalar, "department": .scalar, "legal_limit": limitShape,
                "promised_limit": limitShape, "depends_on": .list(.scalar), "fields": .list(.scalar),
                "materials": .list(.scalar), "steps_alone": .scalar, "waits_for_shared_data": .list(.scalar),
            ])),
        "questions": .list(
            .mapping([
                "id": .scalar, "text": .scalar, "common": .scalar, "field": .scalar,
                "answers": .list(.mapping(["id": .scalar, "label": .scalar])),
            ])),
        "rules": .list(
            .mapping([
                "when": .dictionary(.any), "skip_items": .list(.scalar), "skip_fields": .list(.scalar),
                "optional_fields": .list(.scalar), "skip_materials": .list(.scalar), "from_card": .list(.scalar),
                "not_card_holder": .list(.scalar),
            ])),
        "card_types": .list(.scalar),
        "window": .scalar,
    ])

    /// Loads the catalog under `directory`. Never throws: an unreadable directory or file is
    /// a problem in the result like any other.
    public static func load(directory: String) -> LoadedCatalog {
        var problems: [FileProblem] = []
        var locations: [CatalogSubject: SourceLocation] = [:]
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var bundlePaths: [String] = []
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: base, isDirectory: &isDirectory) || !isDirectory.boolValue {
            problems.append(FileProblem(SourceLocation(file: base, line: 1), "is not a catalog directory"))
        } else if let walker = FileManager.default.enumerator(atPath: base) {
            for case let relative as String in walker
            where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                if relative == fieldsFile || relative == materialsFile { continue }
                bundlePaths.append("\(base)/\(relative)")
            }
        }
        bundlePaths.sort()

        var fields: [FieldDefinition] = []
        var materials: [MaterialDefinition] = []
        if let file = open("\(base)/\(fieldsFile)", &problems) {
            fields = readFields(file, &problems, &locations)
        }
        if let file = open("\(base)/\(materialsFile)", &problems) {
            materials = readMaterials(file, &problems, &locations)
        }
        var bundles: [ServiceBundle] = []
        var bundleFiles: [BundleID: String] = [:]
        for path in bundlePaths {
            guard let file = open(path, &problems), let bundle = readBundle(file, &problems, &locations) else { continue }
            if let other = bundleFiles[bundle.id] {
                problems.append(
                    FileProblem(
                        locations[.bundle(bundle.id)] ?? SourceLocation(file: path, line: 1),
                        "bundle id '\(bundle.id)' is already used by \(other)"))
                continue
            }
            bundleFiles[bundle.id] = path
            bundles.append(bundle)
        }
        let catalog = Catalog(fields: fields, materials: materials, bundles: bundles)
        for problem in catalog.problems() {
            let location = locate(problem.subject, locations, bundleFiles) ?? SourceLocation(file: base, line: 1)
            problems.append(FileProblem(location, problem.message))
        }
        problems.sort {
            ($0.location.file, $0.location.line, $0.location.column ?? 0, $0.message)
                < ($1.location.file, $1.location.line, $1.location.column ?? 0, $1.message)
        }
        return LoadedCatalog(catalog: catalog, problems: problems, bundleFiles: bundleFiles)
    }

    private static func open(_ path: String, _ problems: inout [FileProblem]) -> YAMLFile? {
        do {
            return try YAMLFile.load(path: path, plainScalars: true)
        } catch {
            problems.append(error)
            return nil
        }
    }

    /// The location of a subject, falling back to the enclosing item or bundle.
    private static func locate(
        _ subject: CatalogSubject, _ locations: [CatalogSubject: SourceLocation], _ files: [BundleID: String]
    ) -> SourceLocation? {
        if let location = locations[subject] { return location }
        switch subject {
        case let .itemListEntry(bundle, item, key, _):
            return locations[.itemKey(bundle, item, key)] ?? locations[.item(bundle, item)] ?? locations[.bundle(bundle)]
        case let .itemKey(bundle, item, _):
            return locations[.item(bundle, item)] ?? locations[.bundle(bundle)]
        case let .item(bundle, _), let .bundleKey(bundle, _):
            return locations[.bundle(bundle)] ?? files[bundle].map { SourceLocation(file: $0, line: 1) }
        case let .ruleEntry(bundle, rule, _, _):
            return locations[.rule(bundle, rule)] ?? locations[.bundle(bundle)]
        case let .questionKey(bundle, question, _):
            return locations[.question(bundle, question)] ?? locations[.bundle(bundle)]
        case let .question(bundle, _), let .rule(bundle, _):
            return locations[.bundle(bundle)] ?? files[bundle].map { SourceLocation(file: $0, line: 1) }
        case .bundle, .field, .material:
            return nil
        }
    }

    private static func readFields(
        _ file: YAMLFile, _ problems: inout [FileProblem], _ locations: inout [CatalogSubject: SourceLocation]
    ) -> [FieldDefinition] {
        var reader = NodeReader(file)
        reader.checkKeys(fieldShape)
        var result: [FieldDefinition] = []
        var seen: [FieldKey: SourceLocation] = [:]
        if let root = reader.mapping(file.root, "the field dictionary"),
            let entries = reader.list(root, "fields", in: "the field dictionary")
        {
            for entry in entries {
                guard let mapping = reader.mapping(entry, "a field") else { continue }
                let key = reader.string(mapping, "key", in: "a field")
                let label = reader.string(mapping, "label", in: "field '\(key ?? "?")'")
                let typeName = reader.string(mapping, "type", in: "field '\(key ?? "?")'")
                var sources: [PrefillSource] = []
                for (name, node) in reader.strings(mapping, "sources", in: "a field") {
                    if let source = PrefillSource(rawValue: name) {
                        sources.append(source)
                    } else {
                        reader.report(
                            node,
                            "unknown source '\(name)' (one of: \(PrefillSource.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                }
                let options = reader.strings(mapping, "options", in: "a field").map(\.0)
                var type: FieldType?
                if let typeName {
                    switch typeName {
                    case "text": type = .text
                    case "person_name": type = .personName
                    case "number": type = .number
                    case "date": type = .date
                    case "phone": type = .phone
                    case "id_number": type = .idNumber
                    case "credit_code": type = .creditCode
                    case "enum": type = .enumeration(options)
                    case "multi_enum": type = .multipleChoice(options)
                    case "social_security_number": type = .socialSecurityNumber
                    case "vin": type = .vin
                    default:
                        reader.report(
                            mapping.node("type"), "unknown type '\(typeName)' (one of: \(FieldType.names.joined(separator: ", ")))")
                    }
                    if typeName != "enum", typeName != "multi_enum", mapping.node("options") != nil {
                        reader.report(mapping.node("options"), "'options' only applies to fields of type enum or multi_enum")
                    }
                }
                let illustrative = reader.bool(mapping, "illustrative", default: false)
                guard let key, let label, let type else { continue }
                let location = file.location(of: mapping.node("key"))
                if let first = seen[key] {
                    reader.report(mapping.node("key"), "field '\(key)' is already defined at line \(first.line)")
                    continue
                }
                seen[key] = location
                locations[.field(key)] = location
                result.append(FieldDefinition(key: key, label: label, type: type, sources: sources, illustrative: illustrative))
            }
        }
        problems += reader.problems
        return result
    }

    private static func readMaterials(
        _ file: YAMLFile, _ problems: inout [FileProblem], _ locations: inout [CatalogSubject: SourceLocation]
    ) -> [MaterialDefinition] {
        var reader = NodeReader(file)
        reader.checkKeys(materialShape)
        var result: [MaterialDefinition] = []
        var seen: [MaterialID: SourceLocation] = [:]
        if let root = reader.mapping(file.root, "the material dictionary"),
            let entries = reader.list(root, "materials", in: "the material dictionary")
        {
            for entry in entries {
                guard let mapping = reader.mapping(entry, "a material") else { continue }
                let id = reader.string(mapping, "id", in: "a material")
                let name = reader.string(mapping, "name", in: "material '\(id ?? "?")'")
                let electronic = reader.bool(mapping, "electronic", default: false)
                let deferrable = reader.bool(mapping, "deferrable", default: false)
                let original = reader.bool(mapping, "original", default: false)
                let illustrative = reader.bool(mapping, "illustrative", default: false)
                guard let id, let name else { continue }
                let location = file.location(of: mapping.node("id"))
                if let first = seen[id] {
                    reader.report(mapping.node("id"), "material '\(id)' is already defined at line \(first.line)")
                    continue
                }
                seen[id] = location
                locations[.material(id)] = location
                result.append(
                    MaterialDefinition(
                        id: id, name: name, electronic: electronic, deferrable: deferrable, originalRequired: original,
                        illustrative: illustrative))
            }
        }
        problems += reader.problems
        return result
    }

    private static func readLimit(
        _ mapping: YAMLMapping, _ key: String, item: String, _ reader: inout NodeReader
    )
        -> TimeLimit?
    {
        guard let node = reader.value(mapping, key, in: "item '\(item)'", required: true),
            let limit = reader.mapping(node, "'\(key)'")
        else { return nil }
        let days = reader.integer(limit, "days", in: "'\(key)'")
        let countingName = reader.string(limit, "counting", in: "'\(key)'")
        var counting: DayCounting?
        if let countingName {
            counting = DayCounting(rawValue: countingName)
            if counting == nil {
                reader.report(limit.node("counting"), "'counting' must be working or natural, not '\(countingName)'")
            }
        }
        guard let days, let counting else { return nil }
        return TimeLimit(days: days, counting: counting)
    }

    private static func readBundle(
        _ file: YAMLFile, _ problems: inout [FileProblem], _ locations: inout [CatalogSubject: SourceLocation]
    ) -> ServiceBundle? {
        var reader = NodeReader(file)
        reader.checkKeys(bundleShape)
        defer { problems += reader.problems }
        guard let root = reader.mapping(file.root, "a bundle") else {
            if file.root == nil { reader.report(nil, "the file is empty") }
            return nil
        }
        let id = reader.string(root, "id", in: "the bundle")
        let name = reader.string(root, "name", in: "the bundle")
        let lead = reader.string(root, "lead_department", in: "the bundle")
        let co = reader.strings(root, "co_departments", in: "the bundle").map(\.0)
        let version = reader.string(root, "version", in: "the bundle")
        let validFrom = reader.date(root, "valid_from", in: "the bundle")
        let validUntil = reader.date(root, "valid_until", in: "the bundle", required: false)
        let source = reader.string(root, "source", in: "the bundle", required: false) ?? ""
        var illustrative: [String] = []
        let parts = ["time_limits", "fields", "materials", "dependencies", "steps"]
        for (part, node) in reader.strings(root, "illustrative", in: "the bundle") {
            if parts.contains(part) {
                illustrative.append(part)
            } else {
                reader.report(node, "'\(part)' is not a part of a bundle (one of: \(parts.joined(separator: ", ")))")
            }
        }
        let bundleID = id ?? "?"
        if id != nil {
            locations[.bundle(bundleID)] = file.location(of: root.node("id"))
            for key in ["valid_until", "items"] where root.node(key) != nil {
                locations[.bundleKey(bundleID, key)] = file.location(of: root.node(key))
            }
        }
        var items: [ServiceItem] = []
        for entry in reader.list(root, "items", in: "the bundle") ?? [] {
            guard let mapping = reader.mapping(entry, "an item") else { continue }
            let itemID = reader.string(mapping, "id", in: "an item")
            let what = "item '\(itemID ?? "?")'"
            let itemName = reader.string(mapping, "name", in: what)
            let department = reader.string(mapping, "department", in: what)
            let legal = readLimit(mapping, "legal_limit", item: itemID ?? "?", &reader)
            let promised = readLimit(mapping, "promised_limit", item: itemID ?? "?", &reader)
            let dependsOn = reader.strings(mapping, "depends_on", in: what)
            let fields = reader.strings(mapping, "fields", in: what)
            let materials = reader.strings(mapping, "materials", in: what)
            let steps = reader.integer(mapping, "steps_alone", in: what, required: false) ?? 4
            let waits = reader.strings(mapping, "waits_for_shared_data", in: what)
            guard let itemID, let itemName, let department, let legal, let promised else { continue }
            if locations[.item(bundleID, itemID)] == nil {
                locations[.item(bundleID, itemID)] = file.location(of: mapping.node("id"))
                for key in ["legal_limit", "promised_limit", "steps_alone", "depends_on", "fields", "materials"]
                where mapping.node(key) != nil {
                    locations[.itemKey(bundleID, itemID, key)] = file.location(of: mapping.node(key))
                }
                for (list, entries) in [
                    ("depends_on", dependsOn), ("fields", fields), ("materials", materials), ("waits_for_shared_data", waits),
                ] {
                    for (index, entry) in entries.enumerated() {
                        locations[.itemListEntry(bundleID, itemID, list, index)] = file.location(of: entry.1)
                    }
                }
            }
            items.append(
                ServiceItem(
                    id: itemID, name: itemName, department: department, legalLimit: legal, promisedLimit: promised,
                    dependsOn: dependsOn.map(\.0), fields: fields.map(\.0), materials: materials.map(\.0),
                    stepsAlone: steps, waitsForSharedData: waits.map(\.0)))
        }
        let questions = readQuestions(root, bundle: bundleID, file, &reader, &locations)
        let rules = readRules(root, bundle: bundleID, file, &reader, &locations)
        var cardTypes: [IDCardType] = []
        for (name, node) in reader.strings(root, "card_types", in: "the bundle") {
            if let type = IDCardType(rawValue: name) {
                cardTypes.append(type)
            } else {
                reader.report(
                    node, "unknown card type '\(name)' (one of: \(IDCardType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let window = reader.string(root, "window", in: "the bundle", required: false) ?? ServiceBundle.defaultWindow
        guard let id, let name, let lead, let version, let validFrom else { return nil }
        return ServiceBundle(
            id: id, name: name, leadDepartment: lead, coDepartments: co, version: version, validFrom: validFrom,
            validUntil: validUntil, source: source, illustrative: illustrative, items: items, questions: questions,
            rules: rules, cardTypes: cardTypes, window: window)
    }

    /// `questions:`: each with its answers; every id located for lint.
    private static func readQuestions(
        _ root: YAMLMapping, bundle: BundleID, _ file: YAMLFile, _ reader: inout NodeReader,
        _ locations: inout [CatalogSubject: SourceLocation]
    ) -> [SituationQuestion] {
        var questions: [SituationQuestion] = []
        for entry in reader.list(root, "questions", in: "the bundle", required: false) ?? [] {
            guard let mapping = reader.mapping(entry, "a question") else { continue }
            let id = reader.string(mapping, "id", in: "a question")
            let what = "question '\(id ?? "?")'"
            let text = reader.string(mapping, "text", in: what)
            let common = reader.string(mapping, "common", in: what)
            let field = reader.string(mapping, "field", in: what, required: false)
            var answers: [SituationQuestion.Answer] = []
            for answerNode in reader.list(mapping, "answers", in: what) ?? [] {
                guard let answer = reader.mapping(answerNode, "an answer"),
                    let answerID = reader.string(answer, "id", in: "an answer of \(what)"),
                    let label = reader.string(answer, "label", in: "answer '\(answerID)'")
                else { continue }
                answers.append(SituationQuestion.Answer(id: answerID, label: label))
            }
            guard let id, let text, let common else { continue }
            if locations[.question(bundle, id)] == nil {
                locations[.question(bundle, id)] = file.location(of: mapping.node("id"))
                for key in ["common", "answers", "field"] where mapping.node(key) != nil {
                    locations[.questionKey(bundle, id, key)] = file.location(of: mapping.node(key))
                }
            }
            questions.append(SituationQuestion(id: id, text: text, answers: answers, common: common, field: field))
        }
        return questions
    }

    /// `rules:`: `when` (question → answer or answers) and what the situation leaves out.
    private static func readRules(
        _ root: YAMLMapping, bundle: BundleID, _ file: YAMLFile, _ reader: inout NodeReader,
        _ locations: inout [CatalogSubject: SourceLocation]
    ) -> [SituationRule] {
        var rules: [SituationRule] = []
        for (index, entry) in (reader.list(root, "rules", in: "the bundle", required: false) ?? []).enumerated() {
            guard let mapping = reader.mapping(entry, "a rule") else { continue }
            let what = "rule \(index + 1)"
            locations[.rule(bundle, index)] = file.location(of: entry)
            var when: [QuestionID: [AnswerID]] = [:]
            if let condition = reader.value(mapping, "when", in: what, required: true).flatMap({ reader.mapping($0, "'when'") }) {
                for (question, keyNode, value) in condition.entries {
                    locations[.ruleEntry(bundle, index, "when.\(question)", -1)] = file.location(of: keyNode)
                    let answers: [YAMLNode] = file.items(of: value) ?? [value]
                    var names: [AnswerID] = []
                    for (answerIndex, node) in answers.enumerated() {
                        guard let name = file.text(of: node), !name.isEmpty else {
                            reader.report(node, "answers in 'when' must be non-empty texts")
                            continue
                        }
                        locations[.ruleEntry(bundle, index, "when.\(question)", answerIndex)] = file.location(of: node)
                        names.append(name)
                    }
                    when[question] = names
                }
            }
            var lists: [String: [String]] = [:]
            for key in ["skip_items", "skip_fields", "optional_fields", "skip_materials", "from_card", "not_card_holder"] {
                let entries = reader.strings(mapping, key, in: what)
                for (entryIndex, (_, node)) in entries.enumerated() {
                    locations[.ruleEntry(bundle, index, key, entryIndex)] = file.location(of: node)
                }
                lists[key] = entries.map(\.0)
            }
            rules.append(
                SituationRule(
                    when: when, skipItems: lists["skip_items"] ?? [], skipFields: lists["skip_fields"] ?? [],
                    optionalFields: lists["optional_fields"] ?? [], skipMaterials: lists["skip_materials"] ?? [],
                    fromCard: lists["from_card"] ?? [], notCardHolder: lists["not_card_holder"] ?? []))
        }
        return rules
    }
}
