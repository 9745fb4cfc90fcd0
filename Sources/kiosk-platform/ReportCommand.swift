import ArgumentParser
import Foundation
import KioskCatalog
import KioskCore
import KioskPlatform

extension KioskPlatformCommand {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reports on live cases.", subcommands: [KPI.self])

        struct KPI: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "kpi",
                abstract: "The reform's four measures on live cases per bundle, beside the catalog's, and 好差评 per bundle and kiosk.")
            @OptionGroup var options: PlatformOptions
            @Option(help: "Only cases received on or after this day (YYYY-MM-DD, the platform's time zone).") var since: String?
            @Flag var json = false

            func run() async throws {
                let (catalog, zone) = (try options.loadCatalog(), try options.zone())
                let calendar = try? CalendarLoader.load(directory: options.calendar)
                var start: Date?
                if let since {
                    guard let day = CivilDate(iso: since) else {
                        throw ValidationError("--since takes a day as YYYY-MM-DD, not '\(since)'")
                    }
                    start = day.start(in: zone)
                }
                let from = start
                let facts = try await options.withStorage { storage in try await storage.caseFacts(since: from) }
                let report = KPIReport.make(facts, catalog: catalog, calendar: calendar, timeZone: zone, since: start)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    encoder.dateEncodingStrategy = .iso8601
                    print(String(decoding: try encoder.encode(report), as: UTF8.self))
                    return
                }
                print(Self.render(report))
            }

            static func render(_ report: KPIReport) -> String {
                func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
                var lines = [
                    "measured on live cases, each against its own items one by one (catalog estimate for the common situation in brackets); targets: fields ≥ 50%, materials −60%, time −70%, steps −80%",
                    "",
                ]
                for bundle in report.bundles {
                    lines.append("\(bundle.name) (\(bundle.bundle)): \(bundle.cases) case(s), \(bundle.finishedCases) finished")
                    lines.append(
                        "  fields filled for the citizen  \(percent(bundle.autoFilledFields)) (\(percent(bundle.catalogAutoFilledFields)))")
                    lines.append(
                        "  fewer materials                \(percent(bundle.materialReduction)) (\(percent(bundle.catalogMaterialReduction)))"
                    )
                    let days = bundle.meanWorkingDays.map { String(format: ", %.1f working days on average", $0) } ?? ""
                    lines.append(
                        "  less time                      \(percent(bundle.timeReduction)) (\(percent(bundle.catalogTimeReduction)))\(days)"
                    )
                    lines.append("  fewer steps                    - (\(percent(bundle.catalogStepReduction)))")
                    lines.append(
                        "  主动评价率 \(percent(bundle.rating.ratedShare)) (\(bundle.rating.rated)/\(bundle.rating.visits)), 好评率 \(percent(bundle.rating.goodShare))"
                    )
                    // Each situation against its own items one by one: the common one is what
                    // the catalog's figures above describe.
                    lines.append("  by situation (the items applied for):")
                    for situation in bundle.situations {
                        lines.append(
                            "    \(situation.cases) case(s)\(situation.common ? ", the common situation" : ""): "
                                + situation.itemNames.joined(separator: "、"))
                        lines.append(
                            "      fields \(percent(situation.autoFilledFields)) (\(percent(situation.catalogAutoFilledFields))), "
                                + "materials −\(percent(situation.materialReduction)) (\(percent(situation.catalogMaterialReduction))), "
                                + "time −\(percent(situation.timeReduction)) (\(percent(situation.catalogTimeReduction))) over "
                                + "\(situation.finishedCases) finished, steps − (\(percent(situation.catalogStepReduction)))")
                    }
                }
                if report.bundles.isEmpty { lines.append("no cases yet") }
                lines.append("")
                lines.append("好差评 per kiosk:")
                for (kiosk, rating) in report.kiosks.sorted(by: { $0.key < $1.key }) {
                    lines.append(
                        "  \(kiosk)  主动评价率 \(percent(rating.ratedShare)) (\(rating.rated)/\(rating.visits)), 好评率 \(percent(rating.goodShare))"
                    )
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}
