import Foundation
import KioskCore
import KioskFiles

/// One supported device model, from a YAML file in `Devices/<kind>/`: how to find it (USB ids),
/// how to talk to it (transport, timings) and what is odd about it (quirks).
///
/// The common part is decoded here; each device kind decodes its own settings from the same
/// file with ``settings(_:)``, so adding a kind never changes this type.
public struct DeviceProfile: Sendable, Hashable {
    /// The file's name without extension, used in the configuration (`profile: generic-sam-usb`).
    public var name: String
    /// Where the profile was read from.
    public var file: String
    public var kind: DeviceKind
    /// Human name of the model (`Generic SAM reader, USB bulk`).
    public var model: String
    /// USB vendor:product pairs that identify the model, lower-case hex (`0400:c35a`).
    public var usb: [USBID]
    /// The transport the kind's driver should use (`usb-bulk`, `serial`, `hid`, `cups`, `evdev`...).
    public var transport: String?
    /// The file's text, kept so that kind-specific settings can be decoded with their lines.
    public var text: String

    /// Decodes the kind-specific part of the profile (the whole file, unknown keys ignored).
    public func settings<Settings: Decodable>(_ type: Settings.Type) throws(FileProblem) -> Settings {
        try YAMLFile(text: text, file: file).decode(type)
    }

    /// Whether this profile describes the USB device `id`.
    public func matches(_ id: USBID) -> Bool { usb.contains(id) }
}

/// A USB vendor and product id, written `vvvv:pppp` as `lsusb` prints it.
public struct USBID: Sendable, Hashable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public var vendor: UInt16
    public var product: UInt16

    public init(vendor: UInt16, product: UInt16) {
        self.vendor = vendor
        self.product = product
    }

    public init?(_ description: String) {
        let parts = description.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 4 }),
            let vendor = UInt16(parts[0], radix: 16), let product = UInt16(parts[1], radix: 16)
        else { return nil }
        self.init(vendor: vendor, product: product)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = USBID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a USB id is written vvvv:pppp in hex, e.g. 0400:c35a, not '\(text)'")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String {
        let hex = { (value: UInt16) in String(value, radix: 16).leftPadded(to: 4) }
        return "\(hex(vendor)):\(hex(product))"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// All device profiles found in a folder tree, and the files that could not be used.
public struct DeviceProfileCatalog: Sendable {
    public var profiles: [DeviceProfile]
    /// Malformed profiles, each with its path and line; they were skipped, never fatal.
    public var problems: [FileProblem]

    public init(profiles: [DeviceProfile] = [], problems: [FileProblem] = []) {
        self.profiles = profiles
        self.problems = problems
    }

    /// The profile with this name (file name without `.yaml`), if any.
    public func profile(named name: String) -> DeviceProfile? { profiles.first { $0.name == name } }

    /// The profiles of one kind that match a USB device.
    public func profiles(for id: USBID, kind: DeviceKind? = nil) -> [DeviceProfile] {
        profiles.filter { $0.matches(id) && (kind == nil || $0.kind == kind) }
    }

    private struct Common: Decodable {
        var kind: DeviceKind
        var model: String
        var usb: [USBID]?
        var transport: String?
    }

    /// Loads every `*.yaml` file under `directory` (recordings and other non-profile folders
    /// are skipped). A missing folder is an empty catalog with one problem.
    public static func load(directory: String) -> DeviceProfileCatalog {
        var catalog = DeviceProfileCatalog()
        let fileManager = FileManager.default
        guard let enumerator = fileManager.enumerator(atPath: directory) else {
            catalog.problems.append(
                FileProblem(SourceLocation(file: directory, line: 1), "device profile folder not found"))
            return catalog
        }
        var seen: [String: String] = [:]
        let paths = (enumerator.allObjects as? [String] ?? []).filter {
            $0.hasSuffix(".yaml") && !$0.split(separator: "/").contains { ["recordings", "cards", "captures"].contains($0) }
        }.sorted()
        for relative in paths {
            let path = (directory as NSString).appendingPathComponent(relative)
            do throws(FileProblem) {
                let file = try YAMLFile.load(path: path)
                let common = try file.decode(Common.self)
                let name = ((relative as NSString).lastPathComponent as NSString).deletingPathExtension
                if let other = seen[name] {
                    throw FileProblem(
                        SourceLocation(file: path, line: 1), "profile name '\(name)' is already used by \(other)")
                }
                seen[name] = path
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                catalog.profiles.append(
                    DeviceProfile(
                        name: name, file: path, kind: common.kind, model: common.model, usb: common.usb ?? [],
                        transport: common.transport, text: text))
            } catch {
                catalog.problems.append(error)
            }
        }
        return catalog
    }
}
