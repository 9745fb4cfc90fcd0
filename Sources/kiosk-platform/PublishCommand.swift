import ArgumentParser
import Foundation
import KioskCatalog
import KioskFiles
import KioskPlatform
import KioskTrust

extension KioskPlatformCommand {
    /// `kiosk-platform catalog publish DIR`.
    struct CatalogGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catalog", abstract: "The bundle catalogue kiosks use.", subcommands: [PublishCatalog.self])
    }

    /// `kiosk-platform calendar publish DIR`.
    struct CalendarGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calendar", abstract: "The working-day calendar kiosks use.", subcommands: [PublishCalendar.self])
    }

    static let publishDiscussion = """
        The folder is checked first (as 'kioskctl catalog lint' does); nothing is published with a
        problem. The version is the next one; every kiosk is told through its changes feed, and
        verifies the Ed25519 signature, the version (never older than the last it trusted) and
        the expiry before using any of it.
        """

    struct PublishCatalog: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish", abstract: "Sign a catalogue folder as its next version and announce it to every kiosk.",
            discussion: publishDiscussion)
        @OptionGroup var options: PlatformOptions
        @Argument(help: "The catalogue folder.") var folder: String
        @Option(help: "Days until it expires (kiosks then follow the offline policy's catalogue limit).") var expiresDays: Double = 90
        @Flag(help: "Name a new signing key in this version (signed by the old key and the new); the new key signs from then on.")
        var rotateSigningKey = false

        func run() async throws {
            let loaded = CatalogLoader.load(directory: folder)
            guard loaded.problems.isEmpty else {
                throw CommandFailure(
                    message: "not published: the catalog has problems\n" + loaded.problems.map(\.description).joined(separator: "\n"))
            }
            try await publish(options, .catalog, folder, days: expiresDays, rotate: rotateSigningKey)
        }
    }

    struct PublishCalendar: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish", abstract: "Sign a calendar folder as its next version and announce it to every kiosk.",
            discussion: publishDiscussion)
        @OptionGroup var options: PlatformOptions
        @Argument(help: "The calendar folder.") var folder: String
        @Option(help: "Days until it expires.") var expiresDays: Double = 365
        @Flag(help: "Name a new signing key in this version (signed by the old key and the new).") var rotateSigningKey = false

        func run() async throws {
            do { _ = try CalendarLoader.load(directory: folder) } catch {
                throw CommandFailure(message: "not published: the calendar has problems\n\(error)")
            }
            try await publish(options, .calendar, folder, days: expiresDays, rotate: rotateSigningKey)
        }
    }

    static func publish(_ options: PlatformOptions, _ kind: BundleContent.Kind, _ folder: String, days: Double, rotate: Bool) async throws {
        guard days > 0, days <= 3650 else { throw ValidationError("--expires-days is between a moment and 10 years") }
        let authority = try options.authority(serverNames: ["localhost", "127.0.0.1"])
        let version = try await options.withStorage { storage in
            try await authority.publish(folder: folder, kind: kind, expiresIn: days * 86_400, storage: storage, rotateKey: rotate)
        }
        print("\(kind.rawValue) version \(version) signed and announced to every kiosk; it expires in \(Int(days)) day(s)")
        if rotate { print("the signing key was rotated: this version names the new key; kiosks trust it from this version on") }
    }
}
