import Foundation
import KioskCore
import Logging

/// The ESC/POS part of a receipt printer's profile (`Devices/printers/*.yaml`).
public struct ESCPOSSettings: Sendable, Hashable, Decodable {
    /// Paper roll width in millimetres (80 or 58).
    public var paperWidth: Int
    /// Dots per printed line (576 for 80 mm, 384 for 58 mm heads at 203 dpi).
    public var dotsPerLine: Int
    public var dotsPerInch: Double
    /// The iconv name of the printer's text encoding (`GB18030`, `GBK`, `UTF-8`).
    public var encoding: String
    /// Whether Chinese text must be wrapped in `FS &` … `FS .`.
    public var doubleByteMode: Bool
    /// `full`, `partial` or `none`.
    public var cutter: String
    /// Lines fed before the cut so the last line clears the blade.
    public var feedBeforeCut: Int
    /// QR module size in dots for `GS ( k`.
    public var qrModuleSize: Int
    /// Rows per `GS v 0` band.
    public var rasterBandHeight: Int
    /// Seconds between `DLE EOT` polls.
    public var statusPollInterval: Double
    /// Seconds to wait for each `DLE EOT` answer.
    public var statusTimeout: Double
    /// The model answers Epson's `GS ( H` process-ID request once it has printed what came
    /// before: only then does a job count as printed. Without it, a job is "sent": `DLE EOT`
    /// is answered in real time, before the buffer is printed, and proves nothing.
    public var processedMarker: Bool
    /// Seconds a job may take to print before the printer is asked why (paper, cover).
    public var printTimeout: Double

    enum CodingKeys: String, CodingKey {
        case paperWidth, dotsPerLine, dotsPerInch, encoding, doubleByteMode, cutter, feedBeforeCut, qrModuleSize
        case rasterBandHeight, statusPollInterval, statusTimeout, processedMarker, printTimeout
    }

    public init(
        paperWidth: Int = 80, dotsPerLine: Int = 576, dotsPerInch: Double = 203, encoding: String = "GB18030",
        doubleByteMode: Bool = true, cutter: String = "partial", feedBeforeCut: Int = 4, qrModuleSize: Int = 6,
        rasterBandHeight: Int = 128, statusPollInterval: Double = 2, statusTimeout: Double = 0.5, processedMarker: Bool = false,
        printTimeout: Double = 30
    ) {
        self.processedMarker = processedMarker
        self.printTimeout = printTimeout
        self.paperWidth = paperWidth
        self.dotsPerLine = dotsPerLine
        self.dotsPerInch = dotsPerInch
        self.encoding = encoding
        self.doubleByteMode = doubleByteMode
        self.cutter = cutter
        self.feedBeforeCut = feedBeforeCut
        self.qrModuleSize = qrModuleSize
        self.rasterBandHeight = rasterBandHeight
        self.statusPollInterval = statusPollInterval
        self.statusTimeout = statusTimeout
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ESCPOSSettings()
        paperWidth = try c.decodeIfPresent(Int.self, forKey: .paperWidth) ?? defaults.paperWidth
        dotsPerLine = try c.decodeIfPresent(Int.self, forKey: .dotsPerLine) ?? (paperWidth == 58 ? 384 : 576)
        dotsPerInch = try c.decodeIfPresent(Double.self, forKey: .dotsPerInch) ?? defaults.dotsPerInch
        encoding = try c.decodeIfPresent(String.self, forKey: .encoding) ?? defaults.encoding
        doubleByteMode = try c.decodeIfPresent(Bool.self, forKey: .doubleByteMode) ?? defaults.doubleByteMode
        cutter = try c.decodeIfPresent(String.self, forKey: .cutter) ?? defaults.cutter
        feedBeforeCut = try c.decodeIfPresent(Int.self, forKey: .feedBeforeCut) ?? defaults.feedBeforeCut
        qrModuleSize = try c.decodeIfPresent(Int.self, forKey: .qrModuleSize) ?? defaults.qrModuleSize
        rasterBandHeight = try c.decodeIfPresent(Int.self, forKey: .rasterBandHeight) ?? defaults.rasterBandHeight
        statusPollInterval = try c.decodeIfPresent(Double.self, forKey: .statusPollInterval) ?? defaults.statusPollInterval
        statusTimeout = try c.decodeIfPresent(Double.self, forKey: .statusTimeout) ?? defaults.statusTimeout
        processedMarker = try c.decodeIfPresent(Bool.self, forKey: .processedMarker) ?? defaults.processedMarker
        printTimeout = try c.decodeIfPresent(Double.self, forKey: .printTimeout) ?? defaults.printTimeout
        guard [58, 80].contains(paperWidth) else {
            throw DecodingError.dataCorruptedError(forKey: .paperWidth, in: c, debugDescription: "paper width is 58 or 80 (mm)")
        }
        guard dotsPerLine % 8 == 0, (128...1024).contains(dotsPerLine) else {
            throw DecodingError.dataCorruptedError(
                forKey: .dotsPerLine, in: c, debugDescription: "dots per line is a multiple of 8, e.g. 576 or 384")
        }
        guard ["full", "partial", "none"].contains(cutter) else {
            throw DecodingError.dataCorruptedError(forKey: .cutter, in: c, debugDescription: "cutter is full, partial or none")
        }
        guard (1...16).contains(qrModuleSize) else {
            throw DecodingError.dataCorruptedError(forKey: .qrModuleSize, in: c, debugDescription: "QR module size is 1–16 dots")
        }
    }

    /// A fresh encoder for this printer.
    public func encoder() throws(ESCPOSError) -> ESCPOSEncoder {
        ESCPOSEncoder(encoding: try PrinterTextEncoding(encoding), doubleByteMode: doubleByteMode)
    }

    /// The cut this profile asks for, if the printer has a cutter.
    public var cut: ESCPOSEncoder.Cut? {
        switch cutter {
        case "full": .full
        case "partial": .partial
        default: nil
        }
    }
}

/// One ESC/POS receipt printer: owns its transport, so status polls and print jobs never
/// interleave on the wire.
public actor ESCPOSPrinter {
    /// The printer's profile settings.
    public nonisolated let settings: ESCPOSSettings
    private let transport: any ESCPOSTransport

    public init(transport: any ESCPOSTransport, settings: ESCPOSSettings) {
        self.transport = transport
        self.settings = settings
    }

    /// Asks the four `DLE EOT` questions and decodes the answers: the authoritative status.
    public func status() async throws(ESCPOSError) -> ESCPOSStatus {
        var status = ESCPOSStatus()
        let timeout = Duration.milliseconds(Int(settings.statusTimeout * 1000))
        for request in ESCPOSStatusRequest.allCases {
            try await transport.write(request.bytes)
            let answer = try await transport.read(upTo: 1, timeout: timeout)
            guard let byte = answer.first else {
                throw ESCPOSError(.timeout, "no answer to DLE EOT \(request.rawValue) within \(settings.statusTimeout) s")
            }
            do {
                try status.decode(byte, for: request)
            } catch {
                // A stray byte: drop whatever else is waiting so the next poll starts clean.
                await transport.discardInput()
                throw error
            }
        }
        return status
    }

    /// How far a job is known to have gone.
    public struct PrintResult: Sendable, Hashable {
        /// The printer's status after the job.
        public var status: ESCPOSStatus
        /// The printer said it printed the job (`GS ( H`); false: sent, not known printed.
        public var confirmed: Bool
    }

    private var nextProcessID = 0

    /// Prints `job` (complete ESC/POS bytes) if the printer is ready, then checks it again.
    /// With a `processedMarker` profile it waits until the printer reports the job printed.
    ///
    /// - Returns: the status after printing, and whether printing was confirmed.
    /// - Throws: `notReady` with the fault when the printer cannot print (before, during or
    ///   after); `timeout` when a confirming printer neither printed nor reports why.
    @discardableResult
    public func print(_ job: [UInt8]) async throws(ESCPOSError) -> PrintResult {
        let before = try await status()
        if let fault = before.device.fault, !before.device.state.isUsable {
            throw ESCPOSError(.notReady, "the printer cannot print (\(fault.code)): \(fault.message)", fault: fault)
        }
        guard settings.processedMarker else {
            try await transport.write(job)
            return PrintResult(status: try await checkedAfter(), confirmed: false)
        }
        nextProcessID = (nextProcessID + 1) % 10_000
        let id = Array(String(format: "%04d", nextProcessID).utf8)
        await transport.discardInput()
        try await transport.write(job + ESCPOSEncoder.processIDRequest(id))
        let expected: [UInt8] = [0x37, 0x22] + id + [0x00]
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(settings.printTimeout * 1000))
        while ContinuousClock.now < deadline {
            received += try await transport.read(upTo: 64, timeout: min(.seconds(1), deadline - ContinuousClock.now))
            if received.firstRange(of: expected) != nil {
                return PrintResult(status: try await checkedAfter(), confirmed: true)
            }
        }
        // Not printed in time: the printer's status says why (paper out, cover open), if it can.
        _ = try await checkedAfter()
        throw ESCPOSError(.timeout, "the printer did not report the job printed within \(Int(settings.printTimeout)) s")
    }

    private func checkedAfter() async throws(ESCPOSError) -> ESCPOSStatus {
        let after = try await status()
        if let fault = after.device.fault, !after.device.state.isUsable {
            throw ESCPOSError(.notReady, "the printer stopped while printing (\(fault.code)): \(fault.message)", fault: fault)
        }
        return after
    }
}

/// Keeps an ESC/POS printer's status in the registry from `DLE EOT` polls, and throws
/// `DeviceUnavailable` when the device file disappears, for the supervisor to retry.
public struct ESCPOSPrinterDriver: DeviceDriver {
    public let id: DeviceID
    public var kind: DeviceKind { .receiptPrinter }
    public let isSimulated: Bool
    /// The device file (`/dev/usb/lp0`).
    public let path: String
    public let settings: ESCPOSSettings
    public let model: String
    /// Called with the printer once it is open, so the print queue can use it.
    public let onOpen: @Sendable (ESCPOSPrinter?) async -> Void

    public init(
        id: DeviceID, path: String, settings: ESCPOSSettings, model: String = "ESC/POS receipt printer",
        simulated: Bool = false, onOpen: @escaping @Sendable (ESCPOSPrinter?) async -> Void = { _ in }
    ) {
        self.id = id
        self.path = path
        self.settings = settings
        self.model = model
        self.isSimulated = simulated
        self.onOpen = onOpen
    }

    public func run(registry: DeviceRegistry, logger: Logger) async throws {
        let transport: CharacterDeviceTransport
        do {
            transport = try CharacterDeviceTransport(path: path)
        } catch {
            throw DeviceUnavailable(.notFound, "no printer at \(path)", cause: error)
        }
        let printer = ESCPOSPrinter(transport: transport, settings: settings)
        await registry.update(id) {
            $0.identity = DeviceIdentity(model: model)
            $0.capabilities = Set(["receipt", "qr", "raster"] + (settings.cut == nil ? [] : ["cutter"]))
        }
        await onOpen(printer)
        do {
            try await poll(printer, registry: registry)
        } catch {
            await onOpen(nil)
            throw error
        }
        await onOpen(nil)
    }

    private func poll(_ printer: ESCPOSPrinter, registry: DeviceRegistry) async throws {
        var previous: DeviceFault?
        var silentPolls = 0
        while !Task.isCancelled {
            do throws(ESCPOSError) {
                let status = try await printer.status()
                silentPolls = 0
                let (state, fault) = status.device
                if fault?.code == "media-empty", previous?.code != "media-empty" {
                    await registry.count(.paperOuts, for: id)
                }
                if fault?.code == "cover-open", previous?.code != "cover-open" {
                    await registry.count(.coverOpens, for: id)
                }
                previous = fault
                await registry.report(id, state: state, fault: fault)
            } catch let error where error.code == .noDevice {
                throw DeviceUnavailable(.disconnected, "printer at \(path) disconnected", cause: error)
            } catch {
                silentPolls += 1
                await registry.count(.communicationErrors, for: id)
                if silentPolls >= 3 {
                    await registry.report(
                        id, state: .offline,
                        fault: DeviceFault(code: "no-answer", message: "the printer does not answer status requests", action: .suspend))
                }
            }
            try await Task.sleep(for: .milliseconds(Int(settings.statusPollInterval * 1000)))
        }
    }
}
