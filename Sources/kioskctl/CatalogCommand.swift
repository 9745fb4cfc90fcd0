import ArgumentParser
import Foundation
import KioskCatalog
import KioskCore
import KioskFiles

extension KioskCtl {
    /// `kioskctl catalog …`: check and inspect a bundle catalog on disk.
    struct CatalogCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catalog",
            abstract: "Check and inspect the catalog of bundles (一件事).",
            subcommands: [Lint.self, Show.self, KPI.self]
        )

        struct Lint: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print every problem of the catalog in DIR as file:line:column: message; exit 1 if any.")

            @Argument(help: "The catalog directory (fields.yaml, materials.yaml, one YAML file per bundle).")
            var directory: String
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let loaded = CatalogLoader.load(directory: directory)
                if output.json {
                    try output.printJSON(loaded.problems.map(ProblemJSON.init))
                } else {
                    for problem in loaded.problems { print(problem.description) }
                    if loaded.problems.isEmpty {
                        print(
                            "\(loaded.catalog.bundles.count) bundles, \(loaded.catalog.fields.count) fields, "
                                + "\(loaded.catalog.materials.count) materials: no problems")
                    }
                }
                if !loaded.problems.isEmpty { throw ExitCode(1) }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show a bundle: items, departments, time limits, approval stages, form and materials.")

            @Argument(help: "Bundle id (e.g. newborn) or its full name.") var bundle: String
            @Option(help: "Catalog directory.") var catalog: String?
            @Option(
                name: .customLong("answer"), parsing: .upToNextOption,
                help: "Answers to the bundle's situation questions, QUESTION=ANSWER; the most common answer otherwise.")
            var answers: [String] = []
            @OptionGroup var output: OutputOptions

            func run() async throws {
                var situation: Situation = [:]
                for answer in answers {
                    let parts = answer.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw ValidationError("--answer '\(answer)' is not QUESTION=ANSWER") }
                    situation[parts[0]] = parts[1]
                }
                let blueprint = try loadBlueprint(bundle, catalog, answers: situation)
                if output.json {
                    try output.printJSON(BlueprintJSON(blueprint))
                    return
                }
                let b = blueprint.bundle
                print(
                    "\(b.id)  \(b.name)  version \(b.version), valid from \(b.validFrom)"
                        + (b.validUntil.map { " to \($0)" } ?? ""))
                print("lead: \(b.leadDepartment)")
                if !b.source.isEmpty { print("source: \(b.source)") }
                if !b.illustrative.isEmpty { print("examples, not from the source: \(b.illustrative.joined(separator: ", "))") }
                print("\nitems:")
                for item in b.items {
                    let needs = item.dependsOn.isEmpty ? "" : "  needs: \(item.dependsOn.joined(separator: ", "))"
                    print(
                        "  \(item.id)  \(item.name)\n    \(item.department); legal \(item.legalLimit), promised \(item.promisedLimit)\(needs)"
                    )
                }
                print("\napproval stages:")
                for (index, stage) in blueprint.plan.stages.enumerated() {
                    print("  \(index + 1). \(stage.joined(separator: ", "))")
                }
                print("\none form (\(blueprint.form.count) fields):")
                for field in blueprint.form {
                    print("  \(field.definition.key)  \(field.definition.label)  [\(field.source.rawValue)]")
                }
                if !b.questions.isEmpty {
                    print("\nsituation:")
                    for question in b.questions {
                        let answer = blueprint.situation[question.id].flatMap(question.answer)
                        print("  \(question.id)  \(question.text)  → \(answer.map { "\($0.id) \($0.label)" } ?? "unanswered")")
                    }
                    for skipped in blueprint.skipped {
                        print("  not asked: \(skipped.definition.key)  \(skipped.definition.label)  (\(skipped.reason))")
                    }
                }
                print("\none set of materials:")
                for material in blueprint.materials {
                    let original = material.definition.originalRequired && material.disposition != .obtainedElectronically
                    print(
                        "  \(material.definition.id)  \(material.definition.name)  [\(material.disposition.rawValue)]"
                            + (original ? " original seen" : ""))
                }
            }
        }

        struct KPI: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Measure every bundle against the reform's targets (fields filled, materials, time, steps).",
                discussion: """
                    Each bundle is measured for its most common situation (every question at its 'common' answer). \
                    Without --capture, physical materials cannot be taken by the kiosk and handing them in counts as a step.
                    """)

            @Argument(help: "The catalog directory.") var directory: String
            @Flag(help: "The kiosk has a capture device (scanner, camera or deposit box) that takes physical materials.")
            var capture = false
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let loaded = CatalogLoader.load(directory: directory)
                guard loaded.problems.isEmpty else {
                    for problem in loaded.problems { printError(problem.description) }
                    throw ValidationError("the catalog has problems; run 'kioskctl catalog lint \(directory)'")
                }
                var reports: [BundleKPI] = []
                for bundle in loaded.catalog.bundles {
                    let common = try loaded.blueprint(bundle.id, situation: bundle.commonSituation)
                    reports.append(BundleKPI(common, materialCapture: capture))
                }
                if output.json {
                    try output.printJSON(reports.map(KPIJSON.init))
                    return
                }
                func percent(_ value: Double, _ target: Double) -> String {
                    let text = String(Int((value * 100).rounded(.down))) + "%"
                    return text.padding(toLength: 5, withPad: " ", startingAt: 0) + (value >= target ? " ok  " : " LOW ")
                }
                let width = max(6, reports.map(\.bundle.count).max() ?? 0)
                print(
                    "bundle".padding(toLength: width, withPad: " ", startingAt: 0)
                        + "  auto-fill≥50%  materials-≥60%  time-≥70%   steps-≥80%  result  name")
                for r in reports {
                    print(
                        r.bundle.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                            + percent(r.autoFilledFields, BundleKPI.Target.autoFilledFields) + "     "
                            + percent(r.materialReduction, BundleKPI.Target.materialReduction) + "      "
                            + percent(r.timeReduction, BundleKPI.Target.timeReduction) + "  "
                            + percent(r.stepReduction, BundleKPI.Target.stepReduction) + "  "
                            + (r.passes ? "pass" : "FAIL") + "    " + (loaded.catalog.bundle(r.bundle)?.name ?? ""))
                }
                let passing = reports.filter(\.passes).count
                print("\(passing) of \(reports.count) bundles meet every target")
                // County officials read this: which bundles the card and the platform's shared data
                // (and earlier applications) do not yet fill to half.
                let low = reports.filter { $0.autoFilledFields < BundleKPI.Target.autoFilledFields }
                print(
                    "auto-fill counts the fields the ID card and the platform (shared data, earlier applications) fill; "
                        + (low.isEmpty
                            ? "every bundle meets the ≥ 50% target"
                            : "below 50%: "
                                + low.map {
                                    "\(loaded.catalog.bundle($0.bundle)?.name ?? $0.bundle) (\(Int(($0.autoFilledFields * 100).rounded(.down)))%)"
                                }
                                .joined(separator: ", ")))
            }
        }
    }
}

/// Loads the catalog and compiles one bundle, or fails with the problems.
func loadBlueprint(
    _ bundle: String, _ catalog: String?, selecting: Set<ItemID>? = nil, answers: Situation = [:]
) throws -> BundleBlueprint {
    let loaded = CatalogLoader.load(directory: CatalogPaths.catalog(catalog))
    do {
        var situation: Situation?
        if let definition = loaded.catalog.bundle(bundle), selecting == nil {
            for (question, answer) in answers {
                guard let asked = definition.question(question), asked.answer(answer) != nil else {
                    throw ValidationError(
                        "--answer \(question)=\(answer): bundle '\(definition.id)' asks "
                            + definition.questions.map { "\($0.id) (\($0.answers.map(\.id).joined(separator: "|")))" }
                            .joined(separator: ", "))
                }
            }
            situation = definition.commonSituation.merging(answers) { _, new in new }
        }
        return try loaded.blueprint(bundle, selecting: selecting, situation: situation)
    } catch let error as ValidationError {
        throw error
    } catch {
        for problem in loaded.problems { printError(problem.description) }
        throw ValidationError("\(error)")
    }
}

struct ProblemJSON: Encodable {
    var file: String
    var line: Int
    var column: Int?
    var message: String

    init(_ problem: FileProblem) {
        file = problem.location.file
        line = problem.location.line
        column = problem.location.column
        message = problem.message
    }
}

struct KPIJSON: Encodable {
    var bundle: String
    var autoFilledFields: Double
    var materialReduction: Double
    var timeReduction: Double
    var stepReduction: Double
    var passes: Bool
    var formFields: Int
    var automaticFields: Int
    var bundleMaterials: Int
    var separateMaterials: Int
    var bundleDays: Int
    var separateDays: Int
    var bundleSteps: Int
    var separateSteps: Int

    init(_ kpi: BundleKPI) {
        bundle = kpi.bundle
        autoFilledFields = kpi.autoFilledFields
        materialReduction = kpi.materialReduction
        timeReduction = kpi.timeReduction
        stepReduction = kpi.stepReduction
        passes = kpi.passes
        formFields = kpi.formFields
        automaticFields = kpi.automaticFields
        bundleMaterials = kpi.bundleMaterials
        separateMaterials = kpi.separateMaterials
        bundleDays = kpi.bundleDays
        separateDays = kpi.separateDays
        bundleSteps = kpi.kioskSteps
        separateSteps = kpi.separateSteps
    }
}

struct BlueprintJSON: Encodable {
    struct Item: Encodable {
        var id: String
        var name: String
        var department: String
        var legalLimit: TimeLimit
        var promisedLimit: TimeLimit
        var dependsOn: [String]
    }
    struct Field: Encodable {
        var key: String
        var label: String
        var type: String
        var source: PrefillSource
        var items: [String]
    }
    struct Material: Encodable {
        var id: String
        var name: String
        var disposition: MaterialDisposition
        var originalRequired: Bool
        var items: [String]
    }

    var id: String
    var name: String
    var leadDepartment: String
    var version: String
    var validFrom: CivilDate
    var validUntil: CivilDate?
    var illustrative: [String]
    var items: [Item]
    var stages: [[String]]
    var form: [Field]
    var materials: [Material]

    init(_ blueprint: BundleBlueprint) {
        let b = blueprint.bundle
        id = b.id
        name = b.name
        leadDepartment = b.leadDepartment
        version = b.version
        validFrom = b.validFrom
        validUntil = b.validUntil
        illustrative = b.illustrative
        items = b.items.map {
            Item(
                id: $0.id, name: $0.name, department: $0.department, legalLimit: $0.legalLimit,
                promisedLimit: $0.promisedLimit, dependsOn: $0.dependsOn)
        }
        stages = blueprint.plan.stages
        form = blueprint.form.map {
            Field(
                key: $0.definition.key, label: $0.definition.label, type: $0.definition.type.name, source: $0.source,
                items: $0.items)
        }
        materials = blueprint.materials.map {
            Material(
                id: $0.definition.id, name: $0.definition.name, disposition: $0.disposition,
                originalRequired: $0.definition.originalRequired, items: $0.items)
        }
    }
}
