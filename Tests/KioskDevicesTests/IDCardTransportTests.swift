import Foundation
import Glibc
import KioskCore
import KioskDevices
import KioskFiles
import Testing

@Suite("HID, USB and profile plumbing of the card reader", .serialized)
struct IDCardTransportTests {
    /// A packet socket pair stands in for hidraw: one report per read, as the kernel delivers.
    @Test(arguments: [
        SAMHIDReportFormat(reportSize: 64, includesPreamble: false), SAMHIDReportFormat(reportSize: 32, includesPreamble: true),
    ])
    func hidReportsCarryWholeFrames(format: SAMHIDReportFormat) async throws {
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0, &pair) == 0)
        let card = try sampleCard("resident-id-long-term.yaml")
        let sam = SimulatedSAM(card: card)
        let server = try SAMSimulatorServer(sam: sam, descriptor: pair[0], framing: .hidReports(format))
        server.start()
        defer { server.stop() }
        let transport = HIDSAMTransport(descriptor: pair[1], path: "socketpair", format: format)
        let reader = SAMReader(transport: transport)
        try await reader.checkSAM()
        let read = try #require(try await reader.readPresentCard())
        #expect(read.data.idNumber == card.data.idNumber)
        #expect(read.data.validUntil == .longTerm)
        #expect(read.data.additionalAddress == card.additionalAddress)
        await reader.close()
    }

    /// The frames common reader clients compare exactly (quoted alike by many open-source
    /// clients of serial and USB SAM readers; see Devices/idcard/README.md).
    @Test("The simulator answers byte for byte as the common field readers do")
    func repliesAreByteExact() throws {
        func hex(_ text: String) -> [UInt8] { text.split(separator: " ").map { UInt8($0, radix: 16)! } }
        let sam = SimulatedSAM()
        #expect(sam.reply(to: SAMCommand.samStatus.frame).bytes == hex("AA AA AA 96 69 00 04 00 00 90 94"))
        #expect(sam.reply(to: SAMCommand.findCard.frame).bytes == hex("AA AA AA 96 69 00 04 00 00 80 84"))
        #expect(sam.reply(to: SAMCommand.selectCard.frame).bytes == hex("AA AA AA 96 69 00 04 00 00 81 85"))
        let card = try sampleCard("resident-id.yaml")
        sam.place(card)
        #expect(sam.reply(to: SAMCommand.findCard.frame).bytes == hex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"))
        #expect(sam.reply(to: SAMCommand.selectCard.frame).bytes == hex("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"))
        let read = sam.reply(to: SAMCommand.readTextAndPhoto.frame).bytes
        #expect(read.count == 1295)
        #expect(Array(read.prefix(14)) == hex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00"))
        // A model that reports the serial is played by its profile (select_reports_serial).
        let serialModel = SimulatedSAM()
        serialModel.behaviour.selectReportsSerial = true
        serialModel.place(card)
        _ = serialModel.reply(to: SAMCommand.findCard.frame)
        #expect(Array(serialModel.reply(to: SAMCommand.selectCard.frame).bytes.dropFirst(10).prefix(8)) == card.serial)
    }

    @Test func hidReportFramingDropsThePreambleAndPads() throws {
        let format = SAMHIDReportFormat(reportSize: 8, includesPreamble: false)
        let frame = SAMCommand.findCard.frame.bytes
        let reports = format.reports(for: frame)
        #expect(reports == [[0x00, 0x03, 0x20, 0x01, 0x22, 0, 0, 0]])
        var reassembler = SAMHIDReassembler(format: format)
        #expect(try reassembler.append(report: reports[0]) == SAMCommand.findCard.frame)
        #expect(throws: SAMProtocolError.self) { try reassembler.append(report: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0]) }
    }

    @Test func usbBulkWithoutTheDeviceIsNotFound() {
        let error = #expect(throws: IDCardReaderError.self) {
            try USBBulkSAMTransport(usbID: USBID(vendor: 0x0400, product: 0xC35A))
        }
        #expect(error?.code == .notFound)
    }

    @Test func deviceNodesAreFoundByUSBIDInSysfs() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sysfs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fm = FileManager.default
        // A CH340 bridge and a HID reader, laid out as the kernel does.
        let usbSerial = "\(root)/devices/pci0000:00/usb1/1-1"
        let usbHID = "\(root)/devices/pci0000:00/usb1/1-2"
        try fm.createDirectory(atPath: "\(usbSerial)/1-1:1.0/ttyUSB0", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(usbHID)/1-2:1.0/0003:0425:8159.0001/hidraw/hidraw3", withIntermediateDirectories: true)
        try "1a86\n".write(toFile: "\(usbSerial)/idVendor", atomically: true, encoding: .utf8)
        try "7523\n".write(toFile: "\(usbSerial)/idProduct", atomically: true, encoding: .utf8)
        try "0425\n".write(toFile: "\(usbHID)/idVendor", atomically: true, encoding: .utf8)
        try "8159\n".write(toFile: "\(usbHID)/idProduct", atomically: true, encoding: .utf8)
        try fm.createDirectory(atPath: "\(root)/class/tty/ttyUSB0", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(root)/class/tty/ttyS0", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: "\(root)/class/hidraw/hidraw3", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: "\(root)/class/tty/ttyUSB0/device", withDestinationPath: "\(usbSerial)/1-1:1.0")
        try fm.createSymbolicLink(
            atPath: "\(root)/class/hidraw/hidraw3/device", withDestinationPath: "\(usbHID)/1-2:1.0/0003:0425:8159.0001")
        let nodes = USBDeviceNodes(sysfsRoot: root)
        #expect(nodes.nodes(subsystem: "tty", matching: [USBID(vendor: 0x1a86, product: 0x7523)]) == ["/dev/ttyUSB0"])
        #expect(nodes.nodes(subsystem: "hidraw", matching: [USBID(vendor: 0x0425, product: 0x8159)]) == ["/dev/hidraw3"])
        #expect(nodes.nodes(subsystem: "tty", matching: [USBID(vendor: 0x10c4, product: 0xea60)]).isEmpty)
    }

    @Test func shippedProfilesLoadWithTheirTransports() throws {
        let catalog = DeviceProfileCatalog.load(directory: "\(repositoryRoot)/Devices")
        #expect(catalog.problems.isEmpty, "\(catalog.problems)")
        let readers = catalog.profiles.filter { $0.kind == .idCardReader }
        var transports: [String: IDCardProfileSettings.TransportKind] = [:]
        for profile in readers {
            transports[profile.name] = try IDCardProfileSettings.load(from: profile).transport
        }
        #expect(transports["generic-sam-usb"] == .usbBulk)
        #expect(transports["generic-sam-serial"] == .serial)
        #expect(transports["hidridr"] == .hid)
        #expect(transports["simulator"] == .simulator)
        let usb = try IDCardProfileSettings.load(from: try #require(catalog.profile(named: "generic-sam-usb")))
        #expect(usb.usbBulk.out.map(\.value) == [0x02, 0x06])
        #expect(usb.usbBulk.in.map(\.value) == [0x81, 0x85])
        #expect(catalog.profiles(for: USBID(vendor: 0x0400, product: 0xC35A)).map(\.name) == ["generic-sam-usb"])
        let hid = try IDCardProfileSettings.load(from: try #require(catalog.profile(named: "hidridr")))
        #expect(hid.hid.reportSize == 64)
    }

    @Test func misspeltProfileKeysAndBadBaudRatesAreReportedWithTheirLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "profiles-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: "\(folder)/idcard", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "kind: idcard\nmodel: x\ntransport: serial\nserial:\n  baud: 115200\n  pathh: /dev/ttyUSB0\n"
            .write(toFile: "\(folder)/idcard/typo.yaml", atomically: true, encoding: .utf8)
        try "kind: idcard\nmodel: x\ntransport: serial\nserial:\n  baud: 12345\n"
            .write(toFile: "\(folder)/idcard/baud.yaml", atomically: true, encoding: .utf8)
        let catalog = DeviceProfileCatalog.load(directory: folder)
        let typo = #expect(throws: FileProblem.self) { try IDCardProfileSettings.load(from: try #require(catalog.profile(named: "typo"))) }
        #expect(typo?.location.line == 6)
        #expect(typo?.message.contains("did you mean 'path'") == true)
        let baud = #expect(throws: FileProblem.self) { try IDCardProfileSettings.load(from: try #require(catalog.profile(named: "baud"))) }
        #expect(baud?.message.contains("12345") == true)
    }

    @Test(arguments: sampleCardFiles)
    func sampleCardsAreInventedButConsistent(file: String) throws {
        let card = try sampleCard(file)
        #expect(card.data.idNumberLooksValid)
        #expect(card.data.dataFindings.isEmpty)
        #expect(card.serial.count == 8)
        // The text block the simulator sends decodes back to the same card.
        let decoded = try card.record.cardData(additionalAddress: card.additionalAddress.map(IDCardTextBlock.encodeAdditionalAddress))
        #expect(decoded.name == card.data.name)
        #expect(decoded.idNumber == card.data.idNumber)
        #expect(decoded.type == card.data.type)
    }

    @Test func aMissingPhotoLibraryIsAConfigurationError() {
        let error = #expect(throws: IDCardReaderError.self) { try WLTLibraryDecoder(library: "/nonexistent/libwlt2bmp.so") }
        #expect(error?.code == .configuration)
    }

    /// A stand-in vendor library built here: it "decodes" by writing a BMP header, so the
    /// run-time loading path is exercised for real.
    @Test func aConfiguredPhotoLibraryIsLoadedAtRunTime() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wlt-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = """
            int unpack(const char *wlt, char *bmp, int flags) {
                if (wlt[0] == 0x7f) return -2;
                bmp[0] = 'B'; bmp[1] = 'M'; bmp[2] = wlt[0];
                return 1;
            }
            """
        try source.write(toFile: "\(folder)/fake.c", atomically: true, encoding: .utf8)
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["clang", "-shared", "-fPIC", "-o", "\(folder)/libfakewlt.so", "\(folder)/fake.c"]
        try compiler.run()
        compiler.waitUntilExit()
        try #require(compiler.terminationStatus == 0, "clang is needed to build the stand-in library")
        let decoder = try WLTLibraryDecoder(library: "\(folder)/libfakewlt.so")
        var photo = CardPhoto(wlt: [0x42] + [UInt8](repeating: 0, count: 1023))
        photo.decode(with: decoder)
        guard case let .decoded(bmp) = photo.state else {
            Issue.record("photo not decoded: \(photo.state)")
            return
        }
        #expect(bmp.count == WLTLibraryDecoder.bitmapSize)
        #expect(Array(bmp.prefix(3)) == [0x42, 0x4D, 0x42])
        var broken = CardPhoto(wlt: [0x7f] + [UInt8](repeating: 0, count: 1023))
        broken.decode(with: decoder)
        #expect(broken.stateName == "decode-failed")
        let missing = #expect(throws: IDCardReaderError.self) { try WLTLibraryDecoder(library: "\(folder)/libfakewlt.so", symbol: "nope") }
        #expect(missing?.message.contains("nope") == true)
    }
}
