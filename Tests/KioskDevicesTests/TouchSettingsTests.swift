import Foundation
import KioskCore
import KioskFiles
import Testing

@testable import KioskDevices

@Suite("Touch profiles, settings and stored calibration")
struct TouchSettingsTests {
    @Test("The shipped touch profiles load, with no unknown keys")
    func shippedProfiles() throws {
        let catalog = DeviceProfileCatalog.load(directory: touchProfilesFolder)
        let touch = catalog.profiles.filter { $0.kind == .touchScreen }
        #expect(touch.count >= 3)
        #expect(catalog.problems.isEmpty, "\(catalog.problems)")
        for profile in touch {
            _ = try TouchProfileSettings.of(profile)
            let file = try YAMLFile.load(path: profile.file)
            let shape = YAMLShape.mapping([
                "kind": .scalar, "model": .scalar, "usb": .list(.scalar), "transport": .scalar,
                "touch": TouchProfileSettings.shape,
            ])
            #expect(file.unknownKeys(shape).isEmpty, "\(profile.name): \(file.unknownKeys(shape))")
        }
        let ilitek = try shippedProfile("ilitek-222a-0001")
        #expect(ilitek.filters.activeArea == [0.005, 0.005, 0.995, 0.995])
        #expect(ilitek.gestures.technician?.fingers == 3)
        let egalax = try shippedProfile("egalax-0eef-0001")
        #expect(egalax.gestures.technician == nil && !egalax.filters.phantom.enabled)
    }

    @Test("A panel without INPUT_PROP_DIRECT is a touch screen when a profile names its USB id")
    func profileMatching() throws {
        let catalog = DeviceProfileCatalog.load(directory: touchProfilesFolder)
        let egalax = try shippedRecording("single-touch.evemu").device
        #expect(!egalax.isTouchScreen)
        let found = DiscoveredInputDevice(
            path: "/dev/input/event4", details: egalax, profile: TouchDeviceDiscovery.profile(for: egalax, catalog: catalog)?.name)
        #expect(found.profile == "egalax-0eef-0001")
        #expect(found.isTouchScreen)
        var unknown = egalax
        unknown.vendor = 0x1234
        #expect(!DiscoveredInputDevice(path: "x", details: unknown, profile: nil).isTouchScreen)
        // The site may name a profile, and a wrong name is a clear error.
        #expect(
            try TouchScreenDriver.profile(for: unknown, site: .init(profile: "generic-multitouch"), catalog: catalog)?.name
                == "generic-multitouch")
        #expect(throws: TouchError.self) {
            try TouchScreenDriver.profile(for: unknown, site: .init(profile: "no-such"), catalog: catalog)
        }
    }

    @Test(
        "A wrong value in a touch profile is reported at its line",
        arguments: [
            ("  rotation: 45", 4), ("  filters:\n    active_area: [0.9, 0, 0.1, 1]", 5), ("  axes:\n    x: [100]\n    y: [0, 10]", 5),
            ("  gestures:\n    technician:\n      corner: middle", 6),
        ])
    func badProfile(touch: String, line: Int) throws {
        let text = "kind: touch\nmodel: Test panel\ntouch:\n" + touch + "\n"
        let profile = DeviceProfile(name: "test", file: "test.yaml", kind: .touchScreen, model: "Test", usb: [], text: text)
        do {
            _ = try TouchProfileSettings.of(profile)
            Issue.record("accepted: \(touch)")
        } catch {
            #expect(error.code == .badSettings)
            #expect(error.location?.file == "test.yaml")
            #expect(error.location?.line == line, "\(error)")
        }
    }

    @Test("Site rotation wins over the profile, and calibration is applied after it")
    func configuration() throws {
        let profile = TouchProfileSettings(rotation: .clockwise180)
        #expect(try TouchConfiguration(profile: profile).matrix == .rotation(.clockwise180))
        let shift = [1.0, 0, 0.01, 0, 1, -0.02]
        let site = TouchSiteSettings(rotation: .clockwise90, calibration: shift)
        let matrix = try TouchConfiguration(profile: profile, site: site).matrix
        let point = TouchPoint(x: 0.3, y: 0.6)
        let expected = TouchPoint(x: 1 - 0.6 + 0.01, y: 0.3 - 0.02)
        #expect(matrix.apply(point).distance(to: expected) < 1e-12)
        #expect(throws: TouchError.self) { try TouchConfiguration(site: TouchSiteSettings(calibration: [1, 2, 3])) }
        #expect(throws: TouchError.self) { try TouchConfiguration(site: TouchSiteSettings(calibration: [0, 0, 0, 0, 0, 0])) }
    }

    @Test(
        "A calibration is stored in the configuration, keeping the rest of the file",
        arguments: [
            ("", "touch:\n  calibration: [1.02, 0.01, -0.015, 0, 0.98, 0.02]\n"),
            (
                "# kiosk\nstate_dir: /var/lib/kiosk\n",
                "# kiosk\nstate_dir: /var/lib/kiosk\n\ntouch:\n  calibration: [1.02, 0.01, -0.015, 0, 0.98, 0.02]\n"
            ),
            (
                "touch:\n    rotation: 90   # portrait\nserver: {port: 8080}\n",
                "touch:\n    calibration: [1.02, 0.01, -0.015, 0, 0.98, 0.02]\n    rotation: 90   # portrait\nserver: {port: 8080}\n"
            ),
            (
                "touch:\n  rotation: 90\n  calibration: [1, 0, 0, 0, 1, 0]\n  grab: true\n",
                "touch:\n  rotation: 90\n  calibration: [1.02, 0.01, -0.015, 0, 0.98, 0.02]\n  grab: true\n"
            ),
            (
                "touch:\n  calibration:\n    - 1\n    - 0\n    - 0\n    - 0\n    - 1\n    - 0\n  grab: true\n",
                "touch:\n  calibration: [1.02, 0.01, -0.015, 0, 0.98, 0.02]\n  grab: true\n"
            ),
        ])
    func storeCalibration(before: String, after: String) throws {
        let matrix = CalibrationMatrix(a: 1.02, b: 0.01, c: -0.015, d: 0, e: 0.98, f: 0.02)
        #expect(try TouchCalibrationFile.updating(before, with: matrix, file: "kiosk.yaml") == after)
        let folder = try TemporaryFolder()
        let path = folder.path + "/kiosk.yaml"
        if !before.isEmpty { try before.write(toFile: path, atomically: true, encoding: .utf8) }
        try TouchCalibrationFile.store(matrix, in: path)
        struct Configuration: Decodable { var touch: TouchSiteSettings }
        let stored = try YAMLFile.load(path: path).decode(Configuration.self)
        #expect(stored.touch.calibration.flatMap(CalibrationMatrix.init) == matrix)
    }

    @Test("A one-line touch section is not rewritten behind the technician's back")
    func flowSection() {
        #expect(throws: TouchError.self) {
            try TouchCalibrationFile.updating("touch: {rotation: 90}\n", with: .identity, file: "k.yaml")
        }
    }
}
