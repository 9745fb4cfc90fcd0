import ArgumentParser
import Foundation
import KioskCore
import KioskDevices
import KioskFiles

extension KioskCtl {
    struct IDCard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "idcard",
            abstract: "Check the ID card reader, decode captured frames, run the reader simulator.",
            subcommands: [Read.self, Decode.self, SAMIDCommand.self, Simulate.self]
        )
    }
}

/// Where the reader is: a profile from the catalog, or a device path (serial by default).
struct ReaderOptions: ParsableArguments {
    @Option(name: .long, help: "Device profile name from Devices/idcard (e.g. generic-sam-usb).")
    var profile: String?

    @Option(name: .long, help: "Device path (/dev/ttyUSB0, /dev/hidraw0, a simulator's /dev/pts/N).")
    var device: String?

    @Option(name: .long, help: "Folder of device profiles (default: ./Devices in a checkout, else the installed ones).")
    var profiles =
        ProcessInfo.processInfo.environment["KIOSK_DEVICES_DIR"]
        ?? (FileManager.default.fileExists(atPath: "Devices/idcard") ? "Devices" : "/usr/share/kiosk/devices")

    /// The readers to try, each with its settings and a way to open it.
    func openers() throws -> [(name: String, opener: IDCardTransportOpener)] {
        let catalog = DeviceProfileCatalog.load(directory: profiles)
        if let name = profile {
            guard let profile = catalog.profile(named: name), profile.kind == .idCardReader else {
                let known = catalog.profiles.filter { $0.kind == .idCardReader }.map(\.name).joined(separator: ", ")
                throw ValidationError("no ID card reader profile '\(name)' in \(profiles) (known: \(known.isEmpty ? "none" : known))")
            }
            let settings = try IDCardProfileSettings.load(from: profile)
            return [(name, IDCardTransportOpener(settings: settings, usbIDs: profile.usb, devicePath: device))]
        }
        if let device {
            // A bare path is a serial line unless it is a hidraw node.
            let settings = IDCardProfileSettings(transport: device.contains("hidraw") ? .hid : .serial)
            return [(device, IDCardTransportOpener(settings: settings, usbIDs: [], devicePath: device))]
        }
        let readers = catalog.profiles.filter { $0.kind == .idCardReader && $0.transport != "simulator" }
        return try readers.map { ($0.name, IDCardTransportOpener(settings: try IDCardProfileSettings.load(from: $0), usbIDs: $0.usb)) }
    }

    /// The first reader that opens, with its SAM checked.
    func connect() async throws -> (name: String, reader: SAMReader) {
        var reasons: [String] = []
        for (name, opener) in try openers() {
            do {
                let transport = try opener.open()
                let reader = SAMReader(transport: transport, timeouts: opener.settings.timeouts)
                do {
                    try await reader.checkSAM()
                } catch {
                    await reader.close()
                    throw error
                }
                return (name, reader)
            } catch {
                reasons.append("\(name): \(error.message)")
            }
        }
        throw IDCardCommandFailure(
            "no ID card reader answered:\n  " + (reasons.isEmpty ? ["no profiles"] : reasons).joined(separator: "\n  "))
    }
}

/// A failure already explained to the technician; exits 1.
struct IDCardCommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension KioskCtl.IDCard {
    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the card on the reader (personal data masked unless --reveal).")

        @OptionGroup var reader: ReaderOptions
        @OptionGroup var output: OutputOptions

        @Option(name: .long, help: "Seconds to wait for a card to be placed.")
        var wait: Double = 10

        @Flag(name: .long, help: "Read fingerprint templates too.")
        var fingerprint = false

        @Flag(name: .long, help: "Show names, numbers and addresses in full (the technician's own card, a test card).")
        var reveal = false

        func run() async throws {
            let (name, samReader) = try await exitOnFailure { try await reader.connect() }
            let result: (serial: CardSerial, data: IDCardData)
            do {
                result = try await waitForCard(samReader, name: name)
                await samReader.close()
            } catch {
                await samReader.close()
                throw error
            }
            let card = reveal ? result.data : result.data.masked()
            if output.json {
                try output.printJSON(IDCardReadOutput(reader: name, card: card))
            } else {
                printCard(card, reader: name)
            }
        }

        private func waitForCard(_ samReader: SAMReader, name: String) async throws -> (serial: CardSerial, data: IDCardData) {
            let deadline = ContinuousClock.now + .milliseconds(Int(wait * 1000))
            var result: (serial: CardSerial, data: IDCardData)?
            while result == nil {
                result = try await exitOnFailure {
                    try await samReader.readPresentCard(withFingerprint: fingerprint)
                }
                if result == nil {
                    guard ContinuousClock.now < deadline else {
                        throw failure("no card placed on \(name) within \(wait) s")
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            guard let result else { throw failure("no card") }
            return result
        }
    }

    struct Decode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a captured frame (raw bytes or hex text) to JSON; exits 1 with the reason if malformed.")

        @Argument(help: "The capture file, or - for standard input.")
        var file = "-"

        @Flag(name: .long, help: "Show names, numbers and addresses in full.")
        var reveal = false

        func run() async throws {
            let bytes: Data
            if file == "-" {
                bytes = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw failure("\(file): cannot be read")
                }
                bytes = data
            }
            do {
                let raw = try captureBytes(bytes)
                var capture = try SAMCapture(SAMFrame.decode(raw))
                if !reveal { capture.card = capture.card?.masked() }
                try OutputOptions().printJSON(capture)
            } catch {
                throw failure("\(file == "-" ? "input" : file): \(error.message)")
            }
        }

        /// Hex text if every byte is a hex digit, whitespace or separator; raw bytes otherwise.
        private func captureBytes(_ data: Data) throws(SAMProtocolError) -> [UInt8] {
            let textual =
                !data.isEmpty
                && data.allSatisfy { byte in
                    (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
                        || [0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x3A, 0x2D, 0x78, 0x58].contains(byte)
                }
            guard textual, let text = String(data: data, encoding: .utf8) else { return Array(data) }
            return try SAMHexText.bytes(from: text)
        }
    }

    struct SAMIDCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sam-id", abstract: "Print the reader's SAM ID.")

        @OptionGroup var reader: ReaderOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (name, samReader) = try await exitOnFailure { try await reader.connect() }
            let samID = try await exitOnFailure { try await samReader.readSAMID() }
            await samReader.close()
            if output.json {
                try output.printJSON(["reader": name, "samID": samID.description, "raw": samID.hexString])
            } else {
                print("\(samID)  (raw \(samID.hexString), reader \(name))")
            }
        }
    }

    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a simulated reader on a pseudo-terminal until interrupted; prints its path.")

        @Option(name: .long, help: "Sample card file to place on the reader (Devices/idcard/cards/*.yaml).")
        var card: String?

        @Option(name: .long, help: "Split replies into pieces of this many bytes.")
        var chunkSize: Int?

        @Option(name: .long, help: "Milliseconds to wait before every reply.")
        var delayMs: Int = 0

        @Option(name: .long, help: "Bytes of line noise (hex) sent before every reply.")
        var garbage: String?

        func run() async throws {
            var simulated: SimulatedCard?
            if let card {
                do {
                    simulated = try SampleCardFile.load(path: card)
                } catch {
                    throw failure(error.description)
                }
            }
            let sam = SimulatedSAM(card: simulated)
            var behaviour = SimulatedSAM.Behaviour(chunkSize: chunkSize, replyDelay: .milliseconds(delayMs))
            if let garbage { behaviour.garbageBeforeReply = try exitOnFailure { try SAMHexText.bytes(from: garbage) } }
            sam.behaviour = behaviour
            let server = try exitOnFailure { try SAMSimulatorServer.pseudoTerminal(sam: sam) }
            server.start()
            // Written straight to the descriptor so a script reading the path gets it at once.
            FileHandle.standardOutput.write(Data("\(server.path ?? "")\n".utf8))
            FileHandle.standardError.write(
                Data("serving a simulated SAM\(card.map { " with \($0)" } ?? " with no card"); Ctrl-C to stop\n".utf8))
            await waitForTerminationSignal()
            server.stop()
        }
    }
}

private struct IDCardReadOutput: Encodable {
    var reader: String
    var card: IDCardData
}

private func printCard(_ card: IDCardData, reader: String) {
    var lines = ["reader: \(reader)", "type: \(card.type)", "name: \(card.name)"]
    if let english = card.englishName, english != card.name { lines.append("english name: \(english)") }
    lines.append("gender: \(card.gender.chinese)")
    if let ethnicity = card.ethnicity { lines.append("ethnicity: \(ethnicity.name ?? "?") (\(ethnicity.code))") }
    lines.append("birth date: \(card.birthDate)")
    if let address = card.address { lines.append("address: \(address)") }
    if let extra = card.additionalAddress { lines.append("additional address: \(extra)") }
    lines.append("id number: \(card.idNumber)")
    if let issuer = card.issuer { lines.append("issuer: \(issuer)") }
    lines.append("valid: \(card.validFrom) - \(card.validUntil.text)")
    if let nationality = card.nationality { lines.append("nationality: \(nationality)") }
    lines.append("photo: \(card.photo.stateName)")
    let findings = card.idNumberFindings.map(\.rawValue) + card.dataFindings.map(\.rawValue)
    lines.append("checks: \(findings.isEmpty ? "all passed" : findings.joined(separator: ", "))")
    print(lines.joined(separator: "\n"))
}

/// Prints `message` to standard error and returns the exit code 1 to throw.
private func failure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("kioskctl: \(message)\n".utf8))
    return ExitCode(1)
}

/// Runs `body`, turning reader and protocol errors into a message and exit code 1.
private func exitOnFailure<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as IDCardReaderError {
        throw failure(error.message)
    } catch let error as SAMProtocolError {
        throw failure(error.message)
    } catch let error as IDCardCommandFailure {
        throw failure(error.description)
    }
}

private func exitOnFailure<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as IDCardReaderError {
        throw failure(error.message)
    } catch let error as SAMProtocolError {
        throw failure(error.message)
    }
}

/// Waits for SIGINT or SIGTERM.
private func waitForTerminationSignal() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let queue = DispatchQueue(label: "kioskctl.signals")
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let resumed = ResumeOnce(continuation)
        for number in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { resumed.resume() }
            source.resume()
            resumed.keep(source)
        }
    }
}

/// Resumes a continuation once, keeping the signal sources alive until then.
private final class ResumeOnce: @unchecked Sendable {
    // @unchecked: `lock` guards both properties.
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []
    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
    func keep(_ source: any DispatchSourceSignal) { lock.withLock { sources.append(source) } }
    func resume() {
        let (continuation, sources) = lock.withLock {
            defer {
                self.continuation = nil
                self.sources = []
            }
            return (self.continuation, self.sources)
        }
        continuation?.resume()
        sources.forEach { $0.cancel() }
    }
}

extension Error {
    /// The message of our own errors, the description of others.
    fileprivate var message: String {
        switch self {
        case let error as IDCardReaderError: error.message
        case let error as SAMProtocolError: error.message
        default: "\(self)"
        }
    }
}
