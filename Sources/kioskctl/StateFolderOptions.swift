import ArgumentParser
import Foundation
import KioskConfig

/// Where the kiosk's state folder is, for the commands that work on its files directly (enrol,
/// audit) and so work while kioskd is stopped.
struct StateFolderOptions: ParsableArguments {
    @Option(help: "A kiosk.yaml whose paths.state_dir is the state folder (default: /etc/kiosk/kiosk.yaml when present).")
    var config: String?
    @Option(help: "The state folder (overrides --config).") var stateDir: String?

    func stateFolder() throws -> String {
        if let stateDir { return stateDir }
        let path = config ?? (FileManager.default.fileExists(atPath: "/etc/kiosk/kiosk.yaml") ? "/etc/kiosk/kiosk.yaml" : nil)
        guard let path else { return KioskConfiguration().paths.stateDir }
        do {
            return try ConfigurationLoader.load(path: path).paths.stateDir
        } catch {
            throw CLIFailure(error.description, exitCode: 2)
        }
    }
}
