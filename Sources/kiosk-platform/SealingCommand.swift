import ArgumentParser
import Foundation
import KioskPlatform
import KioskSeal

extension KioskPlatformCommand {
    /// `kiosk-platform sealing rotate|show`.
    struct Sealing: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The key kiosks seal citizens' personal data to (only this platform opens it).",
            subcommands: [Show.self, Rotate.self])

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The current sealing key's id and the retired ones still kept.")
            @OptionGroup var options: PlatformOptions

            func run() async throws {
                let keyring = try options.authority(serverNames: ["localhost", "127.0.0.1"]).sealingKeyring()
                print("current sealing key: \(keyring.currentID)")
                let retired = keyring.ids.filter { $0 != keyring.currentID }
                print(
                    "retired keys kept (they open cases sealed before a rotation): \(retired.isEmpty ? "none" : retired.joined(separator: ", "))"
                )
            }
        }

        struct Rotate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a new sealing key and announce it to every kiosk in a signed bundle.",
                discussion: """
                    The old key is kept: cases sealed to it still open. Each kiosk takes the new
                    key from the signed bundle at its next sync and seals every later case to it;
                    a kiosk enrolled from now on receives it at enrolment.
                    """)
            @OptionGroup var options: PlatformOptions

            func run() async throws {
                let authority = try options.authority(serverNames: ["localhost", "127.0.0.1"])
                let (version, key) = try await options.withStorage { storage in
                    try await authority.rotateSealingKey(storage: storage)
                }
                print("sealing key \(key.id) is current; announced to every kiosk as sealing version \(version)")
                print("next: kiosks pick it up at their next sync ('kioskctl doctor' on a kiosk shows the key it seals to)")
            }
        }
    }
}
