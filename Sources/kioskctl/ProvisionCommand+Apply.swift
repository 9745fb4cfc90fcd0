import ArgumentParser
import Foundation
import KioskAudit
import KioskConfig
import KioskCore
import KioskDevices
import KioskFiles

extension Provision {
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a site profile against kiosk.yaml and put it in place as site.yaml, all or nothing.",
            discussion: """
                Every problem is printed as file:line:column and nothing changes. A good profile
                replaces site.yaml beside kiosk.yaml in one rename: kioskd reads the old one or
                the new one, never half of each. kioskd reads it at start, so a running kioskd is
                restarted next (systemctl restart kioskd).
                """)

        @Argument(help: "The site profile (see Provisioning/examples/site.yaml).")
        var profile: String

        @OptionGroup var configuration: ConfigurationFileOption

        @Flag(name: .long, help: "Only check the profile; change nothing.")
        var dryRun = false

        @OptionGroup var output: OutputOptions

        struct Result: Encodable {
            var applied: Bool
            var siteProfile: String
            var problems: [String]
            var site: SiteReport?
            var next: [String]
        }

        func run() async throws {
            try await reportingFailures {
                // The bytes checked are the bytes written: the file may change while we work.
                guard let data = FileManager.default.contents(atPath: profile) else {
                    throw CLIFailure("\(profile): cannot be read", exitCode: 2)
                }
                let target = configuration.siteProfile
                var problems: [FileProblem] = []
                var checked: KioskConfiguration?
                do throws(FileProblem) {
                    guard let text = String(data: data, encoding: .utf8) else {
                        throw FileProblem(SourceLocation(file: profile, line: 1), "is not UTF-8 text")
                    }
                    let file = try YAMLFile(text: text, file: profile)
                    do throws(ConfigurationError) {
                        var loaded = try ConfigurationLoader.load(path: configuration.config, siteProfile: file)
                        problems = Self.profileProblems(loaded, file: file)
                        loaded.siteProfilePath = target
                        checked = loaded
                    } catch {
                        problems = error.problems
                    }
                } catch {
                    problems = [error]
                }
                guard let checked, problems.isEmpty else {
                    try refuse(problems)
                    return
                }
                let admin = AdminClient(socketPath: checked.paths.adminSocket)
                var next: [String] = []
                if dryRun {
                    next.append("kioskctl provision apply \(profile)")
                } else {
                    if FileManager.default.contents(atPath: target) != data {
                        try AtomicFile.replace(target, with: data)
                        do {
                            try AuditTrail(stateDirectory: checked.paths.stateDir).record(
                                .siteProfile, actor: "kioskctl (uid \(getuid()))",
                                detail: "\(profile) applied as \(target), sha256 \(AuditTrail.digest(data))")
                        } catch {
                            FileHandle.standardError.write(Data("warning: the change is not in the audit trail: \(error)\n".utf8))
                        }
                    }
                    next.append(
                        admin.isAnswering
                            ? "restart kioskd to use it: systemctl restart kioskd" : "start kioskd: systemctl start kioskd")
                }
                for device in checked.devices where device.queue != nil && !device.simulate {
                    let queue = device.queue ?? ""
                    next.append(
                        "make sure CUPS queue '\(queue)' exists and retries on errors: Provisioning/printing/kiosk-print-queue.sh \(queue) URI everywhere"
                    )
                }
                next.append("check with: kioskctl doctor, and kioskctl provision show")
                let site = SiteReport(checked, path: configuration.config)
                if output.json {
                    try output.printJSON(Result(applied: !dryRun, siteProfile: target, problems: [], site: site, next: next))
                    return
                }
                print(dryRun ? "\(profile): OK, nothing changed (--dry-run)" : "\(profile) applied as \(target)")
                print(site.text)
                for step in next { print("next: \(step)") }
            }
        }

        /// Prints every problem and fails: nothing was written.
        private func refuse(_ problems: [FileProblem]) throws {
            if output.json {
                try output.printJSON(
                    Result(
                        applied: false, siteProfile: configuration.siteProfile, problems: problems.map(\.description), site: nil, next: []))
            } else {
                FileHandle.standardError.write(Data((problems.map(\.description).joined(separator: "\n") + "\n").utf8))
                FileHandle.standardError.write(
                    Data(
                        "kioskctl: \(profile) not applied, nothing changed; correct it and run 'kioskctl provision apply \(profile)' again\n"
                            .utf8))
            }
            throw ExitCode(1)
        }

        /// What kiosk.yaml's loader cannot see: device profiles that are not installed.
        static func profileProblems(_ configuration: KioskConfiguration, file: YAMLFile) -> [FileProblem] {
            let devices = file.items(of: file.child("devices", of: file.root)) ?? []
            guard !devices.isEmpty else { return [] }
            let catalog = DeviceProfileCatalog.load(directory: configuration.paths.profilesDir)
            var problems: [FileProblem] = []
            for (index, node) in devices.enumerated() {
                guard let name = file.text(of: file.child("profile", of: node)), catalog.profile(named: name) == nil else { continue }
                let known = catalog.profiles.map(\.name).sorted().joined(separator: ", ")
                problems.append(
                    FileProblem(
                        file.location(of: file.child("profile", of: node)),
                        "devices[\(index)].profile: no profile '\(name)' in \(configuration.paths.profilesDir)"
                            + (known.isEmpty ? "" : " (there are: \(known))")))
            }
            return problems
        }
    }
}
