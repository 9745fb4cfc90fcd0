import ArgumentParser
import Foundation
import KioskCore
import KioskDevices
import KioskDocuments
import KioskFiles

/// Where cupsd is: `--server`, else `CUPS_SERVER`, else the system's.
struct CUPSServerOption: ParsableArguments {
    @Option(name: .long, help: "cupsd to talk to (HOST:PORT or socket path); default CUPS_SERVER or the system's.")
    var server: String?

    func resolve() throws -> CUPSServer {
        guard let server else { return .fromEnvironment() }
        guard let parsed = CUPSServer(server) else {
            throw ValidationError("--server is HOST, HOST:PORT or /path/to/cups.sock, not '\(server)'")
        }
        return parsed
    }
}

/// An ESC/POS printer on a device file, with its profile.
struct ESCPOSDeviceOptions: ParsableArguments {
    @Option(name: .long, help: "ESC/POS receipt printer device (/dev/usb/lp0) instead of a CUPS queue.")
    var device: String?

    @Option(name: .long, help: "Receipt printer profile name from the profiles folder.")
    var profile: String = "generic-escpos-80"

    @Option(name: .long, help: "Device profiles folder.")
    var profiles: String = "Devices"

    func settings() throws -> ESCPOSSettings {
        let catalog = DeviceProfileCatalog.load(directory: profiles)
        guard let found = catalog.profile(named: profile) else {
            throw ValidationError("no printer profile '\(profile)' in \(profiles)")
        }
        do {
            return try found.settings(ESCPOSSettings.self)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

extension KioskCtl {
    struct Printer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List printers and show their state.", subcommands: [List.self, Status.self])

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the CUPS queues and their state.")

            @OptionGroup var cups: CUPSServerOption
            @OptionGroup var output: OutputOptions

            func run() async throws {
                let client = CUPSClient(server: try cups.resolve())
                let destinations = try await client.destinations()
                if output.json {
                    try output.printJSON(destinations.map(PrinterReport.init))
                    return
                }
                if destinations.isEmpty { print("No printers on \(client.server).") }
                for destination in destinations {
                    let report = PrinterReport(destination)
                    let mark = destination.isDefault ? "*" : " "
                    print("\(mark) \(destination.name)  \(report.state)\(report.fault.map { "  \($0)" } ?? "")")
                    if let model = destination.makeAndModel { print("    \(model)") }
                }
            }
        }

        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show a printer's state, its fault and what to do about it.")

            @Argument(help: "CUPS queue name (default: the default destination).")
            var name: String?

            @OptionGroup var cups: CUPSServerOption
            @OptionGroup var escpos: ESCPOSDeviceOptions
            @OptionGroup var output: OutputOptions

            func run() async throws {
                if let device = escpos.device {
                    let printer = ESCPOSPrinter(
                        transport: try CharacterDeviceTransport(path: device), settings: try escpos.settings())
                    let status = try await printer.status()
                    let (state, fault) = status.device
                    if output.json {
                        try output.printJSON(ESCPOSReport(device: device, state: state, fault: fault, status: status))
                    } else {
                        print("\(device): \(state.rawValue)")
                        if let fault { print("  \(fault.code): \(fault.message) (action: \(fault.action.rawValue))") }
                    }
                    return
                }
                let client = CUPSClient(server: try cups.resolve())
                let queue: String
                if let name { queue = name } else { queue = try await defaultQueue(client) }
                let attributes = try await client.printer(queue)
                let (state, fault) = attributes.condition.device
                if output.json {
                    try output.printJSON(
                        PrinterReport(
                            name: queue, isDefault: nil, state: state.rawValue, fault: fault.map(\.description),
                            action: fault?.action.rawValue, ippState: attributes.condition.state.description,
                            reasons: attributes.condition.reasons.map(\.description),
                            acceptingJobs: attributes.condition.acceptingJobs, errorPolicy: attributes.errorPolicy,
                            makeAndModel: attributes.makeAndModel))
                    return
                }
                print("\(queue): \(state.rawValue) (IPP \(attributes.condition.state))")
                if let fault { print("  \(fault.code): \(fault.message) (action: \(fault.action.rawValue))") }
                print("  reasons: \(attributes.condition.reasons.map(\.description).joined(separator: ", ").ifEmpty("none"))")
                print("  error policy: \(attributes.errorPolicy ?? "unknown")")
                if attributes.errorPolicy == "stop-printer" {
                    print("  warning: this queue stops after one error; run Provisioning/printing/kiosk-print-queue.sh")
                }
            }
        }
    }
}

func defaultQueue(_ client: CUPSClient) async throws -> String {
    let destinations = try await client.destinations()
    guard let queue = destinations.first(where: \.isDefault)?.name ?? destinations.first?.name else {
        throw ValidationError("no printers on \(client.server); name one or set up a queue")
    }
    return queue
}

/// One printer as `printer list|status --json` prints it.
struct PrinterReport: Encodable {
    var name: String
    var isDefault: Bool?
    var state: String
    var fault: String?
    var action: String?
    var ippState: String?
    var reasons: [String]
    var acceptingJobs: Bool?
    var errorPolicy: String?
    var makeAndModel: String?
}

extension PrinterReport {
    init(_ destination: PrinterDestination) {
        let device = destination.condition?.device
        self.init(
            name: destination.name, isDefault: destination.isDefault, state: device?.state.rawValue ?? "unknown",
            fault: device?.fault.map(\.description), action: device?.fault?.action.rawValue,
            ippState: destination.condition?.state.description,
            reasons: destination.condition?.reasons.map(\.description) ?? [],
            acceptingJobs: destination.condition?.acceptingJobs, errorPolicy: nil, makeAndModel: destination.makeAndModel)
    }
}

struct ESCPOSReport: Encodable {
    var device: String
    var state: DeviceState
    var fault: DeviceFault?
    var status: ESCPOSStatus
    /// For a print: whether the printer confirmed it printed (`printed`), or only took the
    /// bytes (`sent`: the model cannot confirm, see its profile's processedMarker).
    var outcome: String?
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
