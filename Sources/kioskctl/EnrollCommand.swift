import ArgumentParser
import Foundation
import KioskAudit
import KioskTrust

/// `kioskctl enroll`: gives this kiosk its identity with the platform (a key made here, a
/// certificate from the platform's CA, the platform's keys), with a technician's single-use token.
struct Enroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enrol this kiosk with the platform, using a single-use token from 'kiosk-platform token create'.",
        discussion: """
            The device key is made here (mode 0600 in the state folder's identity/) and never
            leaves the kiosk; the platform signs a certificate for it. The token pins the
            platform's CA, so a wrong address is refused before anything is sent. A kiosk whose
            certificate expired while offline is enrolled again the same way, with a token made
            for it ('kiosk-platform token create --kiosk ID'); it keeps its key.
            """)

    @Option(help: "The platform's address, https://HOST:PORT/.") var platform: String
    @Option(help: "The enrolment token (SECRET.PIN).") var token: String
    @OptionGroup var state: StateFolderOptions
    @Flag var json = false

    func run() async throws {
        try await reportingFailures {
            guard let url = URL(string: platform) else { throw CLIFailure("'\(platform)' is not an address", exitCode: 2) }
            let folder = try state.stateFolder()
            let identity = IdentityFolder(stateDirectory: folder)
            let enrolled: IdentityFolder.Enrolled
            do {
                enrolled = try await EnrolmentClient(identity: identity).enrol(platform: url, token: token)
            } catch let error as TrustError {
                throw CLIFailure("enrolment failed (\(error.code)): \(error.message)", exitCode: 1)
            }
            do {
                try AuditTrail(stateDirectory: folder).record(
                    .enrolment, actor: "kioskctl (uid \(getuid()))",
                    detail:
                        "enrolled as \(enrolled.answer.kioskID) with \(url.absoluteString), certificate until \(Self.time(enrolled.notAfter))"
                )
            } catch {
                FileHandle.standardError.write(Data("warning: the enrolment is not in the audit trail: \(error)\n".utf8))
            }
            if json {
                let encoder = EnrolmentJSON.encoder
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(enrolled), as: UTF8.self))
                return
            }
            let answer = enrolled.answer
            print(
                "enrolled as \(answer.kioskName) (id \(answer.kioskID)) at \(answer.site.isEmpty ? "-" : answer.site) with \(url.absoluteString)"
            )
            print(
                "certificate valid until \(Self.time(enrolled.notAfter)); kioskd renews it by itself from \(Self.time(enrolled.renewalDue))"
            )
            print("identity in \(identity.folder.path) (the device key never leaves this kiosk)")
            print("next: restart kioskd (systemctl restart kioskd), then check with 'kioskctl doctor' and 'kioskctl sync status'")
        }
    }

    private static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
