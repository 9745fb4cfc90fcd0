import ArgumentParser
import Foundation
import KioskPlatform
import KioskTrust
import Logging

extension KioskPlatformCommand {
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enrolment tokens for kiosks.", subcommands: [Create.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a single-use token that enrols one kiosk (shown once; only its hash is kept).",
                discussion: """
                    The token carries a pin of this platform's CA, so the kiosk trusts only this
                    platform. On the kiosk: kioskctl enroll --platform https://HOST:PORT/ --token TOKEN
                    A kiosk whose certificate expired while it was offline is enrolled again with
                    its old key: make a token with --kiosk ID (or NAME) and run the same command.
                    """)
            @OptionGroup var options: PlatformOptions
            @Option(help: "The site the kiosk stands at, e.g. 'XX县政务服务中心'.") var site: String
            @Option(help: "The new kiosk's name (default: KIOSK-XXXXXX).") var name: String?
            @Option(help: "Re-enrol this existing kiosk (id or name) instead of adding one.") var kiosk: String?
            @Option(help: "Hours until the token expires.") var hours: Double = 24
            @Flag var json = false

            func validate() throws {
                guard !site.isEmpty, site.count <= 64 else { throw ValidationError("a site is 1–64 characters") }
                guard hours > 0, hours <= 24 * 14 else { throw ValidationError("a token lives between a moment and 14 days (--hours)") }
                if let name,
                    name.isEmpty || name.count > 64
                        || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
                {
                    throw ValidationError("a kiosk name is 1–64 letters, digits, '-', '_' or '.'")
                }
            }

            func run() async throws {
                let authority = try options.authority(serverNames: ["localhost", "127.0.0.1"])
                let (site, name, kiosk, lifetime) = (self.site, self.name, self.kiosk, hours * 3600)
                let made = try await options.withStorage { storage in
                    try await PlatformEnrolment(authority: authority, storage: storage, logger: .init(label: "kiosk-platform"))
                        .makeToken(site: site, kioskName: name, reenrol: kiosk, lifetime: lifetime)
                }
                let expires = ISO8601DateFormatter().string(from: made.record.expiresAt)
                if json {
                    return try printJSON([
                        "token": made.token.description, "kiosk": made.record.kioskName, "site": site, "expires": expires,
                    ])
                }
                print("token for \(made.record.kioskName) at \(site), single use, expires \(expires):")
                print(made.token.description)
                print("on the kiosk: kioskctl enroll --platform https://HOST:PORT/ --token \(made.token.description)")
            }
        }
    }
}

extension KioskPlatformCommand.Kiosk {
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a kiosk: its certificate and credential are refused from the next request on.")
        @OptionGroup var options: PlatformOptions
        @Argument(help: "The kiosk's id or name.") var kiosk: String

        func run() async throws {
            let kiosk = self.kiosk
            let revoked = try await options.withStorage { try await $0.revoke(kiosk: kiosk, at: Date()) }
            print("kiosk \(revoked.name) (id \(revoked.id)) revoked; to bring it back, enrol it anew with a new token")
        }
    }
}
