import ArgumentParser
import Foundation
import KioskAPI

extension KioskCtl {
    struct Store: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide what happens to a quarantined (damaged) database.",
            subcommands: [Recover.self, Reset.self])

        struct Recover: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Build a new database from every row still readable in the quarantined one (which is kept).")
            @OptionGroup var admin: AdminOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                try await reportingFailures {
                    let decision: StoreDecision = try await admin.client().post("/admin/v1/store/recover")
                    try Store.report(decision, output: output)
                }
            }
        }

        struct Reset: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Start with an empty database; the quarantined one is kept for the record.")
            @OptionGroup var admin: AdminOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                try await reportingFailures {
                    let decision: StoreDecision = try await admin.client().post("/admin/v1/store/reset")
                    try Store.report(decision, output: output)
                }
            }
        }

        static func report(_ decision: StoreDecision, output: OutputOptions) throws {
            if output.json { return try output.printJSON(decision) }
            print("store \(decision.action): done; the damaged file is kept at \(decision.quarantined)")
            for table in decision.recoveredRows.keys.sorted() {
                let lost = decision.lostRows[table].map { ", \($0) unreadable" } ?? ""
                print("  \(table): \(decision.recoveredRows[table] ?? 0) rows recovered\(lost)")
            }
            print("kioskd accepts cases again.")
        }
    }
}
