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
                print(report.text)
            }
        }
    }
}
