import ArgumentParser
import Foundation
import KioskDevices
import KioskFiles

/// `kioskctl udev-rules`: the udev rules for every device profile, so that a profile added is
/// a device the kiosk user may open, with no hand-written rule to forget.
struct UdevRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Write the udev rules that give the kiosk group its devices, from the device profiles' USB ids.",
        discussion: """
            Prints the rules, or writes them with --output (then: udevadm control --reload &&
            udevadm trigger). A profile with a problem stops the command: a rule silently missing
            is a reader that works for root and not for kioskd.
            """)

    @Option(name: .long, help: "Folder of device profiles (default: ./Devices in a checkout, else the installed ones).")
    var profiles =
        ProcessInfo.processInfo.environment["KIOSK_DEVICES_DIR"]
        ?? (FileManager.default.fileExists(atPath: "Devices/idcard") ? "Devices" : "/usr/share/kiosk/devices")

    @Option(help: "The group given the devices (kioskd's).") var group = "kiosk"
    @Option(help: "Write the rules to this file (e.g. /etc/udev/rules.d/70-kiosk-devices.rules) instead of printing them.")
    var output: String?

    func run() async throws {
        try await reportingFailures {
            let catalog = DeviceProfileCatalog.load(directory: profiles)
            guard catalog.problems.isEmpty else {
                throw CLIFailure(
                    "the device profiles in \(profiles) have problems:\n" + catalog.problems.map(\.description).joined(separator: "\n"),
                    exitCode: 2)
            }
            guard !catalog.profiles.isEmpty else { throw CLIFailure("no device profiles in \(profiles)", exitCode: 2) }
            let rules = UdevRules.file(for: catalog.profiles, group: group)
            guard let output else { return print(rules, terminator: "") }
            do {
                try rules.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw CLIFailure("cannot write \(output): \(error)", exitCode: 1)
            }
            print("\(output): rules for \(catalog.profiles.flatMap(\.usb).count) USB id(s) of \(catalog.profiles.count) profile(s)")
            print("next: udevadm control --reload && udevadm trigger, then 'kioskctl doctor'")
        }
    }
}
