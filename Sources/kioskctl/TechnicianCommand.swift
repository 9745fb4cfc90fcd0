import ArgumentParser
import Foundation
import KioskAudit
import KioskTrust

#if canImport(Glibc)
    import Glibc
#endif

/// `kioskctl technician set-pin|list|remove`: who may enter maintenance mode on this kiosk's
/// screen (with a ticket from the platform as the second factor), in `state_dir/technicians.json`.
struct TechnicianCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "technician",
        abstract: "The technicians who may enter maintenance mode here, and their PINs (stored as scrypt hashes).",
        subcommands: [SetPIN.self, List.self, Remove.self])

    struct SetPIN: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-pin", abstract: "Add a technician, or change their PIN (asked twice, not shown).")
        @OptionGroup var state: StateFolderOptions
        @Argument(help: "The technician's name, as the platform's tickets name them.") var name: String
        @Flag(help: "Read the PIN from the first line of standard input (scripts).") var pinStdin = false

        func validate() throws {
            if let problem = TechnicianRoster.problem(withName: name) { throw ValidationError(problem) }
        }

        func run() async throws {
            try await reportingFailures {
                let folder = try state.stateFolder()
                let pin: String
                if pinStdin {
                    pin = readLine(strippingNewline: true) ?? ""
                } else {
                    guard isatty(STDIN_FILENO) == 1 else { throw CLIFailure("no terminal to ask the PIN on: use --pin-stdin", exitCode: 2) }
                    pin = Self.ask("PIN for \(name): ")
                    guard Self.ask("again: ") == pin else { throw CLIFailure("the two PINs differ; nothing changed", exitCode: 2) }
                }
                if let problem = TechnicianPIN.problem(with: pin) { throw CLIFailure(problem, exitCode: 2) }
                var roster: TechnicianRoster
                do { roster = try TechnicianRoster.load(stateDirectory: folder) } catch { throw CLIFailure("\(error)", exitCode: 1) }
                let known = roster.technicians[name] != nil
                do {
                    roster.technicians[name] = try TechnicianPIN(pin: pin)
                    try roster.save(stateDirectory: folder)
                } catch { throw CLIFailure("\(error)", exitCode: 1) }
                _ = try? AuditTrail(stateDirectory: folder).record(
                    .technicianLogin, actor: "kioskctl", detail: "PIN \(known ? "changed" : "set") for technician \(name)")
                print("\(known ? "PIN changed" : "technician added"): \(name)")
                print(
                    "next: the platform issues a ticket ('kiosk-platform ticket create --kiosk ID --technician \(name)'); enter both on the screen"
                )
            }
        }

        /// Reads a line from the terminal with echo off.
        static func ask(_ prompt: String) -> String {
            FileHandle.standardError.write(Data(prompt.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
            defer {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            return readLine(strippingNewline: true) ?? ""
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The technicians who have a PIN here.")
        @OptionGroup var state: StateFolderOptions
        @Flag var json = false

        func run() async throws {
            try await reportingFailures {
                let roster: TechnicianRoster
                do { roster = try TechnicianRoster.load(stateDirectory: try state.stateFolder()) } catch {
                    throw CLIFailure("\(error)", exitCode: 1)
                }
                let names = roster.technicians.keys.sorted()
                if json {
                    print(String(decoding: try JSONEncoder().encode(names), as: UTF8.self))
                } else if names.isEmpty {
                    print("no technician has a PIN here: kioskctl technician set-pin NAME")
                } else {
                    for name in names { print(name) }
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a technician: their PIN opens nothing from now on.")
        @OptionGroup var state: StateFolderOptions
        @Argument var name: String

        func run() async throws {
            try await reportingFailures {
                let folder = try state.stateFolder()
                do {
                    var roster = try TechnicianRoster.load(stateDirectory: folder)
                    guard roster.technicians.removeValue(forKey: name) != nil else {
                        throw CLIFailure("no technician \(name) here (kioskctl technician list)", exitCode: 1)
                    }
                    try roster.save(stateDirectory: folder)
                } catch let error as TrustError { throw CLIFailure("\(error)", exitCode: 1) }
                _ = try? AuditTrail(stateDirectory: folder).record(
                    .technicianLogin, actor: "kioskctl", detail: "technician \(name) removed")
                print("technician removed: \(name)")
            }
        }
    }
}
