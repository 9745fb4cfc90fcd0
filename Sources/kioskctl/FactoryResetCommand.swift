import ArgumentParser
import Foundation
import KioskAudit
import KioskConfig

#if canImport(Glibc)
    import Glibc
#endif

/// `kioskctl factory-reset`: the kiosk forgets who it is and everything citizens left on it,
/// before it moves to another site or goes back to the vendor. The audit trail stays: it is
/// the record of what this kiosk did, and a reset is one more thing it did.
struct FactoryReset: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factory-reset",
        abstract: "Wipe the kiosk's identity, cases and personal data (the audit trail is kept).",
        discussion: """
            Removes, under the state folder: identity/ (device key and certificate), the case
            database with its WAL and shared memory (cases, outbox, print jobs), quarantine/
            (damaged copies of it), lookup.key, bundles/ (installed catalogues and calendars),
            technicians.json and maintenance-lockout.json (who may enter maintenance here) and a
            simulated touch panel's event pipe.
            Keeps audit/, kiosk.yaml and the site profile. Refuses while kioskd runs, and while
            cases wait to be sent to the platform unless --discard-unsent is given. Asks to type
            the kiosk id or 'yes'; --yes skips the question for scripts.
            """)

    @OptionGroup var configuration: ConfigurationFileOption

    @Flag(name: .long, help: "Do not ask for confirmation (for scripts).")
    var yes = false

    @Flag(name: .long, help: "Wipe even cases the platform has not received yet: they are lost for good.")
    var discardUnsent = false

    func run() async throws {
        try await reportingFailures {
            let loaded: KioskConfiguration
            do {
                loaded = try ConfigurationLoader.load(path: configuration.config)
            } catch {
                throw CLIFailure("\(error)" + "\nnext: correct the configuration; it says where the state folder is", exitCode: 2)
            }
            let paths = loaded.paths
            if AdminClient(socketPath: paths.adminSocket).isAnswering {
                throw CLIFailure(
                    "kioskd is running (its admin socket \(paths.adminSocket) answers); nothing changed. Stop it first: systemctl stop kioskd",
                    exitCode: 1)
            }
            let unsent: Int
            do {
                unsent = try CaseDatabaseFile(path: paths.databasePath).unsentCases()
            } catch  where discardUnsent {
                warn("WARNING: \(error); wiping anyway (--discard-unsent)")
                unsent = 0
            }
            if unsent > 0 && !discardUnsent {
                throw CLIFailure(
                    "\(unsent) case(s) wait to be sent to the platform and exist nowhere else; nothing changed. Start kioskd and let it sync ('kioskctl sync status' shows the queue), or pass --discard-unsent to lose them",
                    exitCode: 1)
            }
            let targets = Self.targets(paths).filter { FileManager.default.fileExists(atPath: $0) }
            if unsent > 0 {
                warn(
                    "WARNING: \(unsent) case(s) NEVER REACHED THE PLATFORM and will be LOST for good (--discard-unsent). Citizens holding their receipts will have to apply again."
                )
            }
            if !yes { try confirm(kioskID: loaded.kiosk.id, targets: targets, stateDir: paths.stateDir) }
            for target in targets {
                do {
                    try FileManager.default.removeItem(atPath: target)
                } catch {
                    throw CLIFailure(
                        "cannot remove \(target): \(error.localizedDescription); run factory-reset again as the kiosk's user or root",
                        exitCode: 1)
                }
            }
            do {
                try AuditTrail(stateDirectory: paths.stateDir).record(
                    .factoryReset, actor: "kioskctl (uid \(getuid()))",
                    detail: "kiosk \(loaded.kiosk.id) wiped: \(targets.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))"
                        + (unsent > 0 ? "; \(unsent) unsent case(s) discarded" : ""))
            } catch {
                warn("WARNING: the reset is not in the audit trail: \(error)")
            }
            print(targets.isEmpty ? "nothing to wipe: this kiosk holds no identity or cases" : "wiped:")
            for target in targets { print("  \(target)") }
            print(
                "kept: \((paths.stateDir as NSString).appendingPathComponent("audit")) (the audit trail), \(configuration.config) and its site profile"
            )
            print("next: enrol again with 'kioskctl enroll --platform URL --token TOKEN' (a token from 'kiosk-platform token create')")
            print(
                "next: apply the site's profile with 'kioskctl provision apply SITE.yaml', then 'systemctl start kioskd' and 'kioskctl doctor'"
            )
        }
    }

    /// What a reset removes: the identity and everything that may hold a citizen's data. Never
    /// `audit/`, whatever the paths say.
    static func targets(_ paths: KioskConfiguration.Paths) -> [String] {
        let state = paths.stateDir as NSString
        let database = paths.databasePath
        let databaseFolder = (database as NSString).deletingLastPathComponent as NSString
        let audit = state.appendingPathComponent("audit")
        // A simulated touch panel's event pipe may hold a citizen's taps on the ID keypad.
        let touchPipes = ((try? FileManager.default.contentsOfDirectory(atPath: paths.stateDir)) ?? [])
            .filter { $0.hasPrefix("touch-") && $0.hasSuffix(".events") }.sorted().map { state.appendingPathComponent($0) }
        return [
            database, database + "-wal", database + "-shm", database + "-journal",
            databaseFolder.appendingPathComponent("quarantine"), state.appendingPathComponent("quarantine"),
            state.appendingPathComponent("seal.key"), state.appendingPathComponent("lookup.key"), state.appendingPathComponent("bundles"),
            state.appendingPathComponent("identity"),
            // The technicians of this site, and their lockout: the next site has its own.
            state.appendingPathComponent("technicians.json"), state.appendingPathComponent("maintenance-lockout.json"),
        ]
            + touchPipes
            .reduce(into: [String]()) { unique, path in if !unique.contains(path) { unique.append(path) } }
            .filter { $0 != audit && !$0.hasPrefix(audit + "/") }
    }

    private func confirm(kioskID: String, targets: [String], stateDir: String) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIFailure("no terminal to confirm on; nothing changed. Pass --yes to wipe from a script", exitCode: 2)
        }
        print("This wipes kiosk \(kioskID)'s identity, cases and personal data:")
        for target in targets { print("  \(target)") }
        print("The audit trail (\((stateDir as NSString).appendingPathComponent("audit"))) is kept.")
        print("Type the kiosk id (\(kioskID)) or 'yes' to wipe: ", terminator: "")
        let answer = readLine()?.trimmingCharacters(in: .whitespaces)
        guard answer == kioskID || answer == "yes" else {
            throw CLIFailure("not confirmed; nothing changed", exitCode: 1)
        }
    }

    private func warn(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
