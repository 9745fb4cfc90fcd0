import Foundation
import KioskCore
import Logging
import Testing

@testable import KioskDevices

@Suite("ESC/POS commands: golden bytes")
struct ESCPOSGoldenTests {
    func encoder(_ encoding: String = "GB18030", doubleByte: Bool = true) throws -> ESCPOSEncoder {
        ESCPOSEncoder(encoding: try PrinterTextEncoding(encoding), doubleByteMode: doubleByte)
    }

    @Test("Chinese text is sent in GB18030 inside FS & … FS .")
    func chineseText() throws {
        var encoder = try encoder()
        encoder.initialize()
        try encoder.line("收件回执")
        #expect(encoder.bytes == [0x1B, 0x40, 0x1C, 0x26, 0xCA, 0xD5, 0xBC, 0xFE, 0xBB, 0xD8, 0xD6, 0xB4, 0x1C, 0x2E, 0x0A])
    }

    @Test("ASCII text needs no double-byte mode")
    func asciiText() throws {
        var encoder = try encoder()
        try encoder.text("No. 42")
        #expect(encoder.bytes == Array("No. 42".utf8))
    }

    @Test("characters outside the BMP use GB18030's four-byte form")
    func fourByte() throws {
        var encoder = try encoder(doubleByte: false)
        try encoder.text("𠮷")
        #expect(encoder.bytes == [0x95, 0x34, 0xB2, 0x35])
    }

    @Test("a UTF-8 printer gets UTF-8, and GBK refuses what it cannot hold")
    func encodingPerProfile() throws {
        var utf8 = try encoder("UTF-8", doubleByte: false)
        try utf8.text("回执")
        #expect(utf8.bytes == Array("回执".utf8))
        var gbk = try encoder("GBK")
        let error = #expect(throws: ESCPOSError.self) { try gbk.text("𠮷") }
        #expect(error?.code == .encoding)
        #expect(throws: ESCPOSError.self) { _ = try PrinterTextEncoding("NO-SUCH-CHARSET") }
    }

    @Test("QR code through GS ( k: model 2, module size, error correction, store, print")
    func qrCode() throws {
        var encoder = try encoder()
        try encoder.qrCode("https://a.cn/1", moduleSize: 6, errorCorrection: .medium)
        let data = Array("https://a.cn/1".utf8)
        let expected: [UInt8] =
            [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06]
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]
            + [0x1D, 0x28, 0x6B, UInt8(data.count + 3), 0x00, 0x31, 0x50, 0x30] + data
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]
        #expect(encoder.bytes == expected)
    }

    @Test("a long QR payload carries its length in two bytes")
    func qrLength() throws {
        var encoder = try encoder()
        let text = String(repeating: "x", count: 300)
        try encoder.qrCode(text)
        #expect(encoder.bytes[25...29] == [0x1D, 0x28, 0x6B, 0x2F, 0x01])  // 303 = 0x012F
        #expect(throws: ESCPOSError.self) { try encoder.qrCode(String(repeating: "x", count: 7090)) }
        #expect(throws: ESCPOSError.self) { try encoder.qrCode("x", moduleSize: 17) }
    }

    @Test(
        "cuts: full, partial, and feed-then-cut",
        arguments: [
            (ESCPOSEncoder.Cut.full, 0, [UInt8]([0x1D, 0x56, 0x00])),
            (.partial, 0, [0x1D, 0x56, 0x01]),
            (.full, 4, [0x1D, 0x56, 0x41, 0x04]),
            (.partial, 4, [0x1D, 0x56, 0x42, 0x04]),
        ])
    func cut(_ cut: ESCPOSEncoder.Cut, feed: Int, expected: [UInt8]) throws {
        var encoder = try encoder()
        encoder.cut(cut, feed: feed)
        #expect(encoder.bytes == expected)
    }

    @Test("raster images go out in GS v 0 bands")
    func raster() throws {
        var encoder = try encoder()
        let bits = (0..<(2 * 5)).map { UInt8($0) }
        try encoder.raster(widthBytes: 2, height: 5, bits: bits, bandHeight: 3)
        let firstBand: [UInt8] = [0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x03, 0x00] + Array(bits[0..<6])
        let secondBand: [UInt8] = [0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00] + Array(bits[6..<10])
        #expect(encoder.bytes == firstBand + secondBand)
        #expect(throws: ESCPOSError.self) { try encoder.raster(widthBytes: 2, height: 5, bits: [1, 2, 3]) }
    }

    @Test("the stream parser reads back what the encoder wrote, in any pieces")
    func parserRoundTrip() throws {
        var encoder = try encoder()
        encoder.initialize()
        try encoder.line("收件编号 SD-1")
        try encoder.qrCode("https://a.cn/q")
        try encoder.raster(widthBytes: 1, height: 2, bits: [0x10, 0x04])
        encoder.cut(.partial, feed: 3)
        var parser = ESCPOSStreamParser()
        var commands: [ESCPOSCommand] = []
        for chunk in stride(from: 0, to: encoder.bytes.count, by: 5) {
            commands += parser.feed(Array(encoder.bytes[chunk..<min(chunk + 5, encoder.bytes.count)]))
        }
        #expect(commands.first == .initialize)
        #expect(commands.contains(.qrStore(Array("https://a.cn/q".utf8))))
        #expect(commands.contains(.qrPrint))
        // 10 04 inside image data is data, not a status request.
        #expect(commands.contains(.raster(widthBytes: 1, height: 2, bits: [0x10, 0x04])))
        #expect(!commands.contains(.statusRequest(4)))
        #expect(commands.last == .cut(partial: true, feed: 3))
    }
}

@Suite("ESC/POS DLE EOT status, bit by bit")
struct ESCPOSStatusTests {
    /// Every meaningful bit of every request, the flag it sets, and what the kiosk then says.
    static let bits: [(ESCPOSStatusRequest, UInt8, any WritableKeyPath<ESCPOSStatus, Bool> & Sendable, DeviceState, String?)] = [
        (.printer, 2, \.drawerPinHigh, .online, nil),
        (.printer, 3, \.offline, .offline, "offline"),
        (.printer, 5, \.waitingForRecovery, .online, nil),
        (.printer, 6, \.feedButtonPressed, .online, nil),
        (.offlineCause, 2, \.coverOpen, .userError, "cover-open"),
        (.offlineCause, 3, \.feedingByButton, .online, nil),
        (.offlineCause, 5, \.stoppedByPaperEnd, .userError, "media-empty"),
        (.offlineCause, 6, \.errorOccurred, .offline, "offline"),
        (.errorCause, 2, \.mechanicalError, .hardwareError, "mechanical-error"),
        (.errorCause, 3, \.autocutterError, .userError, "cutter-error"),
        (.errorCause, 5, \.unrecoverableError, .hardwareError, "unrecoverable-error"),
        (.errorCause, 6, \.autoRecoverableError, .offline, "head-overheat"),
        (.paperSensor, 2, \.paperNearEnd, .online, "media-low"),
        (.paperSensor, 3, \.paperNearEnd, .online, "media-low"),
        (.paperSensor, 5, \.paperOut, .userError, "media-empty"),
        (.paperSensor, 6, \.paperOut, .userError, "media-empty"),
    ]

    @Test("each status bit sets exactly its flag", arguments: 0..<bits.count)
    func eachBit(index: Int) throws {
        let (request, bit, flag, state, fault) = Self.bits[index]
        var status = ESCPOSStatus()
        try status.decode(0x12 | (1 << bit), for: request)
        #expect(status[keyPath: flag])
        // No other flag is set.
        var expected = ESCPOSStatus()
        expected[keyPath: flag] = true
        #expect(status == expected)
        #expect(status.device.state == state)
        #expect(status.device.fault?.code == fault)
        // The simulator's answer for that flag is the same byte for single-bit sensors.
        if !(request == .paperSensor) { #expect(expected.answer(to: request) == 0x12 | (1 << bit)) }
    }

    @Test("the fixed bits must be 0 (bits 0, 7) and 1 (bits 1, 4)", arguments: [UInt8(0x00), 0x13, 0x92, 0x10, 0x02, 0xFF])
    func invalidAnswers(byte: UInt8) {
        var status = ESCPOSStatus()
        let error = #expect(throws: ESCPOSError.self) { try status.decode(byte, for: .printer) }
        #expect(error?.code == .invalidStatus)
    }

    @Test("a clear printer answers 0x12 to every request and is online")
    func allClear() throws {
        var status = ESCPOSStatus()
        for request in ESCPOSStatusRequest.allCases { try status.decode(0x12, for: request) }
        #expect(status == ESCPOSStatus())
        #expect(status.device.state == .online)
        #expect(status.device.fault == nil)
    }

    @Test("paper out is a user error the staff must clear, and outranks near end")
    func paperOutAction() throws {
        var status = ESCPOSStatus()
        try status.decode(0x7E, for: .paperSensor)
        #expect(status.paperNearEnd && status.paperOut)
        #expect(status.device.state == .userError)
        #expect(status.device.fault?.action == .clear)
    }
}

@Suite("ESC/POS printer on the simulator (pseudo-terminal)")
struct ESCPOSSimulatorTests {
    // A generous answer timeout (a bound, not a wait): on a loaded two-core machine an answer
    // has taken over 10 s.
    let settings = ESCPOSSettings(statusPollInterval: 0.05, statusTimeout: 30)

    func withSimulator(
        settings: ESCPOSSettings? = nil, _ body: (ESCPOSPrinterSimulator, ESCPOSPrinter) async throws -> Void
    ) async throws {
        let simulator = try ESCPOSPrinterSimulator()
        let transport = try CharacterDeviceTransport(path: simulator.devicePath)
        let printer = ESCPOSPrinter(transport: transport, settings: settings ?? self.settings)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            defer { group.cancelAll() }
            try await body(simulator, printer)
        }
    }

    @Test("status is polled with DLE EOT and follows the printer's condition")
    func polling() async throws {
        try await withSimulator { simulator, printer in
            let clear = try await printer.status()
            #expect(clear == ESCPOSStatus())
            simulator.set { $0.paperNearEnd = true }
            let nearEnd = try await printer.status()
            #expect(nearEnd.device.fault?.code == "media-low")
            simulator.set {
                $0.paperOut = true
                $0.stoppedByPaperEnd = true
                $0.offline = true
            }
            let status = try await printer.status()
            #expect(status.device.state == .userError)
            #expect(status.device.fault?.action == .clear)
            #expect(simulator.statusRequestsAnswered == 12)
        }
    }

    @Test("a job prints text, QR and cut when ready; paper out refuses it")
    func printing() async throws {
        try await withSimulator { simulator, printer in
            var encoder = try settings.encoder()
            encoder.initialize()
            try encoder.line("收件回执 新生儿出生一件事")
            try encoder.qrCode("https://zwfw.example.gov.cn/case/1")
            encoder.cut(.partial, feed: 4)
            try await printer.print(encoder.bytes)
            #expect(simulator.printedText.contains("收件回执 新生儿出生一件事"))
            #expect(simulator.qrCodes == ["https://zwfw.example.gov.cn/case/1"])
            #expect(simulator.cuts == 1)

            simulator.clearReceived()
            simulator.set { $0.paperOut = true }
            let error = await #expect(throws: ESCPOSError.self) { try await printer.print(encoder.bytes) }
            #expect(error?.code == .notReady)
            #expect(error?.fault?.code == "media-empty")
            #expect(simulator.cuts == 0)
        }
    }

    @Test("A confirming model: a job is printed only once the printer reports it (GS ( H), not when DLE EOT answers")
    func printedMeansPrinted() async throws {
        let confirming = ESCPOSSettings(statusPollInterval: 0.05, statusTimeout: 10, processedMarker: true, printTimeout: 20)
        try await withSimulator(settings: confirming) { simulator, printer in
            simulator.setPrintingTime(.milliseconds(300))
            var encoder = try confirming.encoder()
            encoder.initialize()
            try encoder.line("收件回执")
            encoder.cut(.partial, feed: 4)
            let result = try await printer.print(encoder.bytes)
            #expect(result.confirmed)
            #expect(simulator.jobsReportedPrinted == 1)
            // The request follows the job, so it is answered only after the job's last byte.
            let commands = simulator.commands
            let marker = commands.lastIndex { if case .processIDRequest = $0 { true } else { false } }
            let cut = commands.lastIndex { if case .cut = $0 { true } else { false } }
            #expect(marker != nil && cut != nil && marker! > cut!)
        }
    }

    @Test("A confirming model out of paper mid-job: the report waits, the job fails with the printer's reason, and comes out once refilled")
    func paperOutMidJob() async throws {
        let confirming = ESCPOSSettings(statusPollInterval: 0.05, statusTimeout: 10, processedMarker: true, printTimeout: 2)
        try await withSimulator(settings: confirming) { simulator, printer in
            simulator.setPrintingTime(.milliseconds(100))
            // The printer has the job: the paper runs out before it is printed.
            simulator.runOutOfPaperDuringNextJob()
            var encoder = try confirming.encoder()
            encoder.initialize()
            try encoder.line("收件回执")
            let failure = await #expect(throws: ESCPOSError.self) { try await printer.print(encoder.bytes) }
            #expect(failure?.code == .notReady && failure?.fault?.code == "media-empty")
            #expect(simulator.jobsReportedPrinted == 0)
            // Refilled: the held job prints and is reported.
            simulator.set { $0 = ESCPOSStatus() }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, simulator.jobsReportedPrinted == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(simulator.jobsReportedPrinted == 1)
        }
    }

    @Test("A model without the marker: the job is sent, never claimed printed")
    func sentNotPrinted() async throws {
        try await withSimulator { _, printer in
            var encoder = try settings.encoder()
            try encoder.line("收件回执")
            #expect(try await printer.print(encoder.bytes).confirmed == false)
        }
    }

    @Test("a printer that stops answering times out instead of hanging")
    func silence() async throws {
        // A short timeout: this test waits for it to pass, then for one answer after it.
        try await withSimulator(settings: ESCPOSSettings(statusPollInterval: 0.05, statusTimeout: 1)) { simulator, printer in
            simulator.mute(true)
            let error = await #expect(throws: ESCPOSError.self) { try await printer.status() }
            #expect(error?.code == .timeout)
            simulator.mute(false)
            // Polled again, as the driver would; a loaded machine may need more than one poll.
            var recovered: ESCPOSStatus?
            for _ in 0..<10 where recovered == nil { recovered = try? await printer.status() }
            #expect(recovered == ESCPOSStatus())
        }
    }

    @Test("the driver reports paper out to the registry with action clear, then recovery")
    func driver() async throws {
        let simulator = try ESCPOSPrinterSimulator()
        let bus = EventBus()
        let registry = DeviceRegistry(bus: bus, logger: Logger(label: "test"))
        let driver = ESCPOSPrinterDriver(id: "receipt", path: simulator.devicePath, settings: settings, simulated: true)
        await registry.register("receipt", kind: .receiptPrinter, simulated: true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            group.addTask { try await driver.run(registry: registry, logger: Logger(label: "test")) }
            defer { group.cancelAll() }
            try await waitFor { await registry.status(of: "receipt")?.state == .online }
            simulator.set { $0.paperOut = true }
            try await waitFor { await registry.status(of: "receipt")?.fault?.code == "media-empty" }
            let status = await registry.status(of: "receipt")
            #expect(status?.state == .userError)
            #expect(status?.fault?.action == .clear)
            #expect(status?[.paperOuts] == 1)
            simulator.set { $0.paperOut = false }
            try await waitFor { await registry.status(of: "receipt")?.state == .online }
            #expect(await registry.status(of: "receipt")?.fault == nil)
        }
    }

    @Test("a missing device file is 'unavailable', for the supervisor to retry")
    func missingDevice() async {
        let driver = ESCPOSPrinterDriver(id: "receipt", path: "/dev/usb/lp-none", settings: settings)
        let registry = DeviceRegistry(bus: EventBus(), logger: Logger(label: "test"))
        await #expect(throws: DeviceUnavailable.self) { try await driver.run(registry: registry, logger: Logger(label: "test")) }
    }
}

@Suite("Receipt printer profiles")
struct PrinterProfileTests {
    @Test("the profiles in Devices/printers load with their ESC/POS settings")
    func profiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let catalog = DeviceProfileCatalog.load(directory: root.appendingPathComponent("Devices/printers").path)
        #expect(catalog.problems.isEmpty, "\(catalog.problems)")
        let eighty = try #require(catalog.profile(named: "generic-escpos-80"))
        #expect(eighty.kind == .receiptPrinter)
        let settings = try eighty.settings(ESCPOSSettings.self)
        #expect(settings.dotsPerLine == 576)
        #expect(settings.encoding == "GB18030")
        #expect(settings.cut == .partial)
        let fiftyEight = try #require(catalog.profile(named: "generic-escpos-58")).settings(ESCPOSSettings.self)
        #expect(fiftyEight.dotsPerLine == 384)
        #expect(fiftyEight.cut == nil)
        let utf8 = try #require(catalog.profile(named: "utf8-escpos-80")).settings(ESCPOSSettings.self)
        #expect(utf8.encoding == "UTF-8" && !utf8.doubleByteMode)
    }

    @Test("a bad cutter value is reported at its line")
    func badCutter() throws {
        let profile = DeviceProfile(
            name: "x", file: "x.yaml", kind: .receiptPrinter, model: "x", usb: [], transport: "usblp",
            text: "kind: receipt-printer\nmodel: x\npaperWidth: 80\ncutter: scissors\n")
        let problem = #expect(throws: (any Error).self) { try profile.settings(ESCPOSSettings.self) }
        #expect("\(problem.map { "\($0)" } ?? "")".contains("x.yaml:4"))
    }
}

/// Polls `condition` every 20 ms for up to `seconds` (generous: a loaded CI machine is slow).
func waitFor(seconds: Double = 20, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    // Once more: a sleep that overshot the deadline must not hide a condition met meanwhile.
    if await condition() { return }
    Issue.record("condition not met within \(seconds) s")
}
