import ArgumentParser
import Foundation
import KioskPlatform
import KioskTrust

extension KioskPlatformCommand {
    /// `kiosk-platform ticket create`.
    struct Ticket: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Maintenance tickets: the platform's half of a technician's way into a kiosk's maintenance mode.",
            subcommands: [Create.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue a short-lived maintenance ticket for one technician at one kiosk; prints its code once.",
                discussion: """
                    The technician enters the code with their PIN on the kiosk's screen. The kiosk
                    receives the ticket (its digest only, in a signed bundle) at its next sync.
                    """)
            @OptionGroup var options: PlatformOptions
            @Option(help: "The kiosk's id or name.") var kiosk: String
            @Option(help: "The technician's name, as set on the kiosk with 'kioskctl technician set-pin'.") var technician: String
            @Option(help: "How long the ticket is valid (1 to 1440).") var minutes = 60

            func validate() throws {
                guard (1...1440).contains(minutes) else { throw ValidationError("--minutes is 1 to 1440") }
            }

            func run() async throws {
                let authority = try options.authority(serverNames: ["localhost", "127.0.0.1"])
                let (kiosk, technician, minutes) = (self.kiosk, self.technician, self.minutes)
                let issued = try await options.withStorage { storage in
                    try await authority.issueMaintenanceTicket(kiosk: kiosk, technician: technician, minutes: minutes, storage: storage)
                }
                let until = ISO8601DateFormatter.string(
                    from: issued.ticket.notAfter, timeZone: .current, formatOptions: [.withInternetDateTime])
                print("maintenance code for \(technician) at kiosk \(issued.kioskName) (id \(issued.ticket.kiosk)): \(issued.code)")
                print("valid until \(until); shown once, kept nowhere")
                print("next: the kiosk gets the ticket at its next sync (maintenance version \(issued.version)); enter it with the PIN")
            }
        }
    }
}
