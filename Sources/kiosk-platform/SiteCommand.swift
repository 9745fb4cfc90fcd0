import ArgumentParser
import Foundation
import KioskFiles
import KioskPlatform

extension KioskPlatformCommand {
    /// `kiosk-platform site publish SITE.yaml --kiosk ID...`.
    struct Site: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Site profiles (site.yaml) the platform signs for its kiosks.", subcommands: [Publish.self])

        struct Publish: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Sign a site profile for the kiosks named and announce it to them.",
                discussion: """
                    The profile is what 'kioskctl provision apply' takes (name, location, division,
                    opening hours, timeouts, devices, printers, platform). Each kiosk verifies the
                    signature, version and expiry, checks the profile against its own kiosk.yaml, and
                    reads it at kioskd's next start ('kioskctl doctor' says when a restart is due, or
                    why the profile does not load there). A signed profile takes the place of a
                    site.yaml applied by hand.
                    """)
            @OptionGroup var options: PlatformOptions
            @Argument(help: "The site profile (site.yaml).") var profile: String
            @Option(help: "A kiosk (id or name) it is for; repeat for several.") var kiosk: [String] = []
            @Option(help: "Days until it expires.") var expiresDays: Double = 365

            func validate() throws {
                guard !kiosk.isEmpty else { throw ValidationError("name the kiosks it is for: --kiosk ID (repeatable)") }
                guard expiresDays > 0, expiresDays <= 3650 else { throw ValidationError("--expires-days is between a moment and 10 years") }
            }

            func run() async throws {
                guard let data = FileManager.default.contents(atPath: profile), let text = String(data: data, encoding: .utf8) else {
                    throw CommandFailure(message: "\(profile) cannot be read as UTF-8 text")
                }
                do { _ = try YAMLFile(text: text, file: profile) } catch {
                    throw CommandFailure(message: "not published: \(error)")
                }
                let authority = try options.authority(serverNames: ["localhost", "127.0.0.1"])
                let (names, days) = (kiosk, expiresDays)
                let (version, ids) = try await options.withStorage { storage in
                    let known = try await storage.kiosks().filter { $0.revokedAt == nil }
                    var ids: [String] = []
                    for name in names {
                        guard let match = known.first(where: { $0.id == name || $0.name == name }) else {
                            throw PlatformError(.unknownKiosk, "no kiosk '\(name)' (or it is revoked); 'kiosk-platform kiosks' lists them")
                        }
                        ids.append(match.id)
                    }
                    let version = try await authority.publishSiteProfile(data, kioskIDs: ids, expiresIn: days * 86_400, storage: storage)
                    return (version, ids)
                }
                print("site profile signed as configuration version \(version) for \(ids.count) kiosk(s): \(names.joined(separator: ", "))")
                print("next: each kiosk installs it at its next sync; restart kioskd there to use it ('kioskctl doctor' says when)")
            }
        }
    }
}
