import Foundation
import KioskDevices
import Testing

/// `kioskctl udev-rules`: every USB id a profile names is a device the kiosk group may open,
/// on the subsystem its transport opens; the rules installed are the ones the profiles make.
@Suite("udev rules made from the device profiles")
struct UdevRulesTests {
    static let profiles = DeviceProfileCatalog.load(directory: repositoryRoot + "/Devices")

    @Test("Each profile's USB ids get a rule on its transport's subsystem; CUPS queues and simulators get none")
    func rulePerID() throws {
        #expect(Self.profiles.problems.isEmpty)
        let rules = UdevRules.file(for: Self.profiles.profiles, group: "kiosk")
        let lines = rules.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(
            lines.contains(
                #"SUBSYSTEM=="hidraw", ATTRS{idVendor}=="0425", ATTRS{idProduct}=="8159", GROUP="kiosk", MODE="0660", TAG+="systemd""#))
        #expect(
            lines.contains(
                #"SUBSYSTEM=="usb", ATTRS{idVendor}=="0400", ATTRS{idProduct}=="c35a", GROUP="kiosk", MODE="0660", TAG+="systemd""#))
        #expect(lines.contains(#"SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", GROUP="kiosk", MODE="0660""#))
        #expect(
            lines.contains(
                #"SUBSYSTEM=="input", KERNEL=="event*", ATTRS{idVendor}=="0eef", ATTRS{idProduct}=="0001", GROUP="kiosk", MODE="0660""#))
        for profile in Self.profiles.profiles {
            for id in profile.usb {
                let vendor = String(format: "%04x", id.vendor)
                let product = String(format: "%04x", id.product)
                let mentioned = lines.contains { $0.contains(#"ATTRS{idVendor}=="\#(vendor)", ATTRS{idProduct}=="\#(product)""#) }
                #expect(mentioned == !["cups", "simulator"].contains(profile.transport ?? ""), "\(profile.name) \(id)")
            }
        }
        // Another group, for a site that runs kioskd under another name.
        #expect(UdevRules.file(for: Self.profiles.profiles, group: "zwfw").contains(#"GROUP="zwfw""#))
    }

    @Test("The rules the installer copies are the ones the profiles make now (run 'kioskctl udev-rules --output' after a profile change)")
    func committedRulesAreCurrent() throws {
        let committed = try String(
            contentsOfFile: repositoryRoot + "/Provisioning/udev/70-kiosk-devices.rules", encoding: .utf8)
        #expect(committed == UdevRules.file(for: Self.profiles.profiles, group: "kiosk"))
    }
}
