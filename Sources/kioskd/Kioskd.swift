import ArgumentParser
import Foundation
import KioskAPI
import KioskConfig
import KioskCore
import KioskRuntime
import Logging
import Metrics
import Prometheus

/// The kiosk daemon. `kioskd` runs it under systemd; `kioskd demo` runs it with simulated
/// devices in the user's own folder.
@main
struct Kioskd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kioskd",
        abstract: "The self-service government kiosk daemon.",
        version: KioskVersion.current,
        subcommands: [Run.self, Demo.self],
        defaultSubcommand: Run.self
    )
}

extension Kioskd {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the daemon (the default).")

        @Option(name: .long, help: "The configuration file.")
        var config: String = KioskConfiguration.defaultPath

        @Flag(name: .long, help: "Simulate every device, whatever the configuration says.")
        var simulate = false

        func run() async throws {
            var configuration = try loadConfiguration(path: config)
            configuration.simulateAll = configuration.simulateAll || simulate
            try await runDaemon(configuration, path: config)
        }
    }

    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run with simulated devices and embedded defaults, state under ~/.local/state/kiosk-demo.")

        @Option(name: .long, help: "Port of the local API (0 picks a free one; default 8080, or the file's with --config).")
        var port: Int?

        @Option(
            name: .long,
            help: "A site's configuration to demonstrate: its devices as the file says, the demo routes served for the simulated ones.")
        var config: String?

        @Option(name: .long, help: "Folder for the demo's state (database, admin socket).")
        var stateDir: String?

        @Option(
            name: .long,
            help:
                "A platform on this machine to sync with (https://127.0.0.1:PORT/, the kiosk enrolled in the state folder with 'kioskctl enroll')."
        )
        var platform: String?

        @Option(
            name: .long, help: "A bearer credential file, for a plain-http test platform (http://127.0.0.1:PORT/) instead of enrolment.")
        var platformCredential: String?

        @Option(
            name: .long,
            help:
                "A CUPS queue on this machine for the demo's A4 printer (certificates, A4 receipts); the other devices stay simulated. make demo gives it a private cupsd's PDF queue."
        )
        var a4Queue: String?

        func run() async throws {
            let home = ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()
            // The checkout this kioskd was built in (or run from), else the installed paths: a
            // demo started from another folder still finds its catalogue, devices and screen.
            let checkout = Self.checkout()
            let profiles = checkout.map { $0 + "/Devices" } ?? "/usr/share/kiosk/devices"
            let provisioning = checkout.map { $0 + "/Provisioning" } ?? "/var/lib/kiosk"
            var configuration: KioskConfiguration
            if let config {
                configuration = try loadConfiguration(path: config)
                configuration.demoMode = true
            } else {
                configuration = KioskConfiguration.demo(home: home, profilesDir: profiles, provisioningDir: provisioning)
                configuration.api.port = 8080
            }
            if let port { configuration.api.port = port }
            if let a4Queue {
                // One real device among simulated ones: simulation is then per device.
                configuration.simulateAll = false
                configuration.devices = configuration.devices.map { device in
                    var device = device
                    if device.kind == .printer {
                        device.queue = a4Queue
                        device.simulate = false
                    } else {
                        device.simulate = true
                    }
                    return device
                }
            }
            if let stateDir {
                configuration.paths.stateDir = stateDir
                configuration.paths.adminSocket = (stateDir as NSString).appendingPathComponent("admin.sock")
            }
            if let platform {
                // Only a platform on loopback: the demo never reaches out of the machine.
                guard let host = URL(string: platform)?.host, ["127.0.0.1", "localhost", "::1"].contains(host) else {
                    throw ValidationError("--platform must be on this machine (https://127.0.0.1:PORT/), not '\(platform)'")
                }
                if URL(string: platform)?.scheme == "http", platformCredential == nil {
                    throw ValidationError("a plain-http --platform needs --platform-credential FILE; an https one, an enrolled kiosk")
                }
                configuration.sync.platform = platform
                configuration.sync.credentialFile = platformCredential
                configuration.sync.intervalSeconds = 2
                configuration.sync.heartbeatSeconds = 15
            }
            try await runDaemon(configuration, path: config)
        }

        /// The working folder if it is a checkout, else the checkout holding this executable
        /// (`.build/debug/kioskd` sits three levels below it).
        static func checkout() -> String? {
            let isCheckout = { (folder: String) in FileManager.default.fileExists(atPath: folder + "/Provisioning/catalog") }
            let working = FileManager.default.currentDirectoryPath
            if isCheckout(working) { return working }
            var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                folder = folder.deletingLastPathComponent()
                if isCheckout(folder.path) { return folder.path }
            }
            return nil
        }
    }
}

/// Loads the configuration or exits with code 2 and `file:line: problem` lines.
func loadConfiguration(path: String) throws -> KioskConfiguration {
    do {
        return try ConfigurationLoader.load(path: path)
    } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(2)
    }
}

func runDaemon(_ configuration: KioskConfiguration, path: String?) async throws {
    let redactor = Redactor()
    LogOutput.bootstrap(level: Logger.Level(rawValue: configuration.logging.level) ?? .info, redactor: redactor)
    let metrics = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics))
    let logger = Logger(label: "kioskd")
    let daemon = KioskDaemon(configuration: configuration, configurationPath: path, redactor: redactor, metrics: metrics, logger: logger)
    do {
        try await daemon.run()
    } catch {
        logger.critical("kioskd cannot run", metadata: ["reason": "\(error)"])
        throw ExitCode(1)
    }
}
