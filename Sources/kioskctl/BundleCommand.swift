import ArgumentParser
import KioskCatalog
import KioskCore

extension KioskCtl {
    /// `kioskctl bundle …`: work out what a bundle application needs and when it is due.
    struct BundleCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bundle",
            abstract: "Plan a bundle application: stages, missing materials, deadlines.",
            subcommands: [Plan.self]
        )

        struct Plan: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Approval stages, the one-time notice of missing materials and the deadlines from a start date.")

            @Argument(help: "Bundle id (e.g. newborn) or its full name.") var bundle: String
            @Option(help: "Acceptance day, YYYY-MM-DD (the clock starts the next day).") var start: String
            @Option(name: .long, parsing: .upToNextOption, help: "Materials the applicant has (material ids).")
            var have: [String] = []
            @Option(
                name: .customLong("item"), parsing: .upToNextOption,
                help: "Only these items (and what they depend on); all items when omitted.")
            var items: [String] = []
            @Option(help: "Catalog directory.") var catalog: String?
            @Option(help: "Directory of yearly holiday files.") var calendar: String?
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let startDate = try CatalogPaths.date(start, "--start")
                let blueprint = try loadBlueprint(bundle, catalog, selecting: items.isEmpty ? nil : Set(items))
                let known = Set(blueprint.materials.map(\.definition.id))
                for id in have where !known.contains(id) {
                    throw ValidationError(
                        "--have '\(id)' is not a material of bundle '\(blueprint.bundle.id)' (its materials: "
                            + blueprint.materials.map(\.definition.id).joined(separator: ", ") + ")")
                }
                let calendar = try CatalogPaths.loadCalendar(calendar)
                let notice = blueprint.notice(have: Set(have))
                let schedule = blueprint.schedule(from: startDate, calendar: calendar)
                if output.json {
                    try output.printJSON(PlanJSON(blueprint: blueprint, notice: notice, schedule: schedule))
                    return
                }
                print("\(blueprint.bundle.id)  \(blueprint.bundle.name), accepted \(startDate)")
                print("\napproval stages (items in a stage run in parallel):")
                for (index, stage) in blueprint.plan.stages.enumerated() {
                    print("  \(index + 1). \(stage.joined(separator: ", "))")
                }
                print("\none-time notice:")
                if notice.missingRequired.isEmpty && notice.missingDeferrable.isEmpty {
                    print("  nothing missing")
                }
                for m in notice.missingRequired { print("  missing, required: \(m.definition.id)  \(m.definition.name)") }
                for m in notice.missingDeferrable {
                    print("  missing, may follow under a signed pledge: \(m.definition.id)  \(m.definition.name)")
                }
                for m in notice.originalsToShow { print("  original to show: \(m.definition.id)  \(m.definition.name)") }
                if !notice.fetchedElectronically.isEmpty {
                    print(
                        "  fetched electronically, not to bring: "
                            + notice.fetchedElectronically.map(\.definition.id).joined(separator: ", "))
                }
                print(
                    notice.canBeReceived
                        ? (notice.needsPledge ? "  can be received now with a signed pledge" : "  can be received now")
                        : "  cannot be received until the required materials are brought")
                print("\ndeadlines:")
                for item in schedule.items {
                    print("  \(item.item): starts \(item.starts), promised \(item.promisedDeadline), legal \(item.legalDeadline)")
                }
                print("bundle: promised \(schedule.promisedDeadline), legal \(schedule.legalDeadline)")
                print("critical path: \(schedule.criticalPath.joined(separator: " → "))")
                if schedule.provisional {
                    print("some dates are provisional: they fall in a year without an official holiday arrangement")
                }
            }
        }
    }
}

struct PlanJSON: Encodable {
    struct Missing: Encodable {
        var id: String
        var name: String
        var deferrable: Bool
    }
    struct Deadline: Encodable {
        var item: String
        var stage: Int
        var starts: CalendarDate
        var promised: CalendarDate
        var legal: CalendarDate
    }

    var bundle: String
    var start: CivilDate
    var stages: [[String]]
    var missing: [Missing]
    var originalsToShow: [String]
    var fetchedElectronically: [String]
    var canBeReceived: Bool
    var needsPledge: Bool
    var items: [Deadline]
    var promisedDeadline: CalendarDate
    var legalDeadline: CalendarDate
    var criticalPath: [String]
    var provisional: Bool

    init(blueprint: BundleBlueprint, notice: OneTimeNotice, schedule: BundleSchedule) {
        bundle = blueprint.bundle.id
        start = schedule.start
        stages = blueprint.plan.stages
        missing =
            notice.missingRequired.map { Missing(id: $0.definition.id, name: $0.definition.name, deferrable: false) }
            + notice.missingDeferrable.map { Missing(id: $0.definition.id, name: $0.definition.name, deferrable: true) }
        originalsToShow = notice.originalsToShow.map(\.definition.id)
        fetchedElectronically = notice.fetchedElectronically.map(\.definition.id)
        canBeReceived = notice.canBeReceived
        needsPledge = notice.needsPledge
        items = schedule.items.map {
            Deadline(
                item: $0.item, stage: $0.stage + 1, starts: $0.starts, promised: $0.promisedDeadline,
                legal: $0.legalDeadline)
        }
        promisedDeadline = schedule.promisedDeadline
        legalDeadline = schedule.legalDeadline
        criticalPath = schedule.criticalPath
        provisional = schedule.provisional
    }
}
