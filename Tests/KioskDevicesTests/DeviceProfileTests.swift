import Foundation
import KioskFiles
import Testing

@testable import KioskDevices

@Suite("Device profiles")
struct DeviceProfileTests {
    @Test("A malformed profile is reported with its path and line and skipped; the others load")
    func malformedProfileSkipped() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("idcard"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        kind: idcard
        model: Generic SAM reader
        usb: ["0400:c35a"]
        transport: usb-bulk
        """.write(to: folder.appendingPathComponent("idcard/good.yaml"), atomically: true, encoding: .utf8)
        try """
        kind: idcard
        model: Broken reader
        usb: ["0400-c35a"]
        """.write(to: folder.appendingPathComponent("idcard/broken.yaml"), atomically: true, encoding: .utf8)
        try """
        kind: toaster
        model: Not a device
        """.write(to: folder.appendingPathComponent("idcard/unknown-kind.yaml"), atomically: true, encoding: .utf8)

        let catalog = DeviceProfileCatalog.load(directory: folder.path)
        #expect(catalog.profiles.map(\.name) == ["good"])
        #expect(catalog.profile(named: "good")?.matches(USBID(vendor: 0x0400, product: 0xC35A)) == true)
        let problems = catalog.problems.map(\.description).sorted()
        #expect(problems.count == 2)
        #expect(problems[0].contains("broken.yaml:3:"))
        #expect(problems[0].contains("0400-c35a"))
        #expect(problems[1].contains("unknown-kind.yaml:1:"))
    }

    @Test("The profiles shipped in Devices/ all load")
    func shippedProfiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let catalog = DeviceProfileCatalog.load(directory: root.appendingPathComponent("Devices").path)
        #expect(catalog.problems.isEmpty, "\(catalog.problems)")
    }
}
