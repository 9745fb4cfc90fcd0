import ArgumentParser
import KioskAPI

extension KioskCtl {
    struct Version: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the version of kioskctl.")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            if output.json {
                try output.printJSON(["version": KioskVersion.current])
            } else {
                print("kioskctl \(KioskVersion.current)")
            }
        }
    }
}
