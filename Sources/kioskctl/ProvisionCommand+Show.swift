import ArgumentParser
import Foundation
import KioskConfig

extension Provision {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the site settings in force: the applied site profile read over kiosk.yaml, as kioskd reads them.")

        @OptionGroup var configuration: ConfigurationFileOption
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await reportingFailures {
                let loaded: KioskConfiguration
                do throws(ConfigurationError) {
                    loaded = try ConfigurationLoader.load(path: configuration.config)
                } catch {
                    throw CLIFailure(
                        error.description + "\nnext: correct the file, or apply a good profile with 'kioskctl provision apply SITE.yaml'",
                        exitCode: 2)
                }
                let report = SiteReport(loaded, path: configuration.config)
                if output.json {
                    try output.printJSON(report)
                    return
                }
                print(report.text)
                print(
                    report.siteProfile == nil
                        ? "next: apply this site's profile with 'kioskctl provision apply SITE.yaml'"
                        : "next: 'kioskctl doctor' checks the devices and printers named here")
            }
        }
    }
}
