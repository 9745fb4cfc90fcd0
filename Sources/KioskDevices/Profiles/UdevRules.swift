import Foundation
import KioskCore

/// The udev rules that give the kiosk's service group its devices, made from the device
/// profiles (`kioskctl udev-rules`): one rule for each USB id a profile names, on the
/// subsystem its transport opens, so a profile added is a device the kiosk may open.
public enum UdevRules {
    /// The rules file for `profiles`, granting `group`; sorted, so the same profiles give the same file.
    public static func file(for profiles: [DeviceProfile], group: String = "kiosk") -> String {
        var lines = [
            "# Made by 'kioskctl udev-rules' from the device profiles; do not edit, make it again.",
            "# Gives the \(group) group the devices kioskd drives, by the USB ids their profiles name.",
            "",
            "# Touch panels the kernel tags as touchscreens, whatever their id",
            #"SUBSYSTEM=="input", KERNEL=="event*", ENV{ID_INPUT_TOUCHSCREEN}=="1", GROUP="\#(group)", MODE="0660""#,
        ]
        for profile in profiles.sorted(by: { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) }) {
            let granted = profile.usb.flatMap { Self.rules(for: $0, transport: profile.transport ?? "", group: group) }
            guard !granted.isEmpty else { continue }
            lines.append("")
            lines.append("# \(profile.model) (\(profile.kind.rawValue)/\(profile.name), \(profile.transport ?? "-"))")
            lines += granted
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The rules for one USB id opened over `transport` (none for transports udev does not
    /// guard: CUPS queues, simulators).
    static func rules(for id: USBID, transport: String, group: String) -> [String] {
        let match = #"ATTRS{idVendor}=="\#(hex(id.vendor))", ATTRS{idProduct}=="\#(hex(id.product))""#
        let grant = #"GROUP="\#(group)", MODE="0660""#
        switch transport {
        case "usb-bulk":
            return [#"SUBSYSTEM=="usb", \#(match), \#(grant), TAG+="systemd""#]
        case "hid":
            return [#"SUBSYSTEM=="hidraw", \#(match), \#(grant), TAG+="systemd""#, #"SUBSYSTEM=="usb", \#(match), \#(grant)"#]
        case "serial":
            return [#"SUBSYSTEM=="tty", \#(match), \#(grant)"#]
        case "usblp":
            return [#"SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", \#(match), \#(grant)"#]
        case "evdev":
            return [#"SUBSYSTEM=="input", KERNEL=="event*", \#(match), \#(grant)"#]
        default:
            return []
        }
    }

    private static func hex(_ value: UInt16) -> String { String(format: "%04x", value) }
}
