import ArgumentParser
import Foundation
import KioskAPI
import KioskConfig
import KioskFiles

extension KioskCtl {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work with kiosk.yaml.", subcommands: [Validate.self])

        struct Validate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check a configuration file; prints every problem as file:line:column and exits 1 if any.")

            @Argument(help: "The configuration file ('-' for standard input).")
            var file: String

            @OptionGroup var output: OutputOptions

            struct Result: Encodable {
                var file: String
                var valid: Bool
                var problems: [String]
            }

            func run() async throws {
                let text = file == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : nil
                do throws(ConfigurationError) {
                    if let text {
                        _ = try ConfigurationLoader.load(text: text, file: "<stdin>")
                    } else {
                        _ = try ConfigurationLoader.load(path: file)
                    }
                } catch {
                    if output.json {
                        try output.printJSON(Result(file: file, valid: false, problems: error.problems.map(\.description)))
                    } else {
                        FileHandle.standardError.write(Data((error.description + "\n").utf8))
                    }
                    throw ExitCode(1)
                }
                if output.json {
                    try output.printJSON(Result(file: file, valid: true, problems: []))
                } else {
                    print("\(file): OK")
                }
            }
        }
    }
}
