import ArgumentParser
import Foundation
import KioskAPI

extension KioskCtl {
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check configuration, database, free disk, clock and devices; exits 1 if anything FAILs.")

        @OptionGroup var admin: AdminOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingFailures {
                let report: DoctorReport = try await admin.client().get("/admin/v1/doctor")
                if output.json {
                    try output.printJSON(report)
                } else {
                    for check in report.checks {
                        print(
                            "\(check.result.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(check.area): \(check.name): \(check.detail)"
                        )
                        if let hint = check.hint, check.result != .ok { print("      → \(hint)") }
                    }
                }
                if report.result == .fail { throw ExitCode(1) }
            }
        }
    }
}
