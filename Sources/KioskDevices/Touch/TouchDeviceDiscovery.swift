import Foundation
import KioskCore

/// One `/dev/input/event*` node and what it is.
public struct DiscoveredInputDevice: Sendable, Hashable {
    public var path: String
    /// What the device said about itself; `nil` if it could not be asked.
    public var details: EvdevDeviceDescription?
    /// The touch profile that names its USB id, if any.
    public var profile: String?
    /// Why it could not be asked (permissions, gone).
    public var problem: String?

    /// Whether the kiosk would use it as its touch screen: by capabilities, or because a touch
    /// profile names it (for panels that forget `INPUT_PROP_DIRECT`).
    public var isTouchScreen: Bool {
        guard let description = details else { return false }
        return description.isTouchScreen || (profile != nil && (description.isMultitouch || description.isSingleTouch))
    }
}

/// Finds input devices and touch screens among them.
public enum TouchDeviceDiscovery {
    /// Every `event*` node in `directory` (normally `/dev/input`), in numeric order.
    public static func scan(directory: String = "/dev/input", catalog: DeviceProfileCatalog) -> [DiscoveredInputDevice] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let nodes = names.filter { $0.hasPrefix("event") }.sorted {
            (Int($0.dropFirst(5)) ?? 0, $0) < (Int($1.dropFirst(5)) ?? 0, $1)
        }
        return nodes.map { name in
            let path = (directory as NSString).appendingPathComponent(name)
            var found = DiscoveredInputDevice(path: path)
            do throws(TouchError) {
                let device = try EvdevDevice(path: path)
                defer { device.close() }
                found.details = try device.describe()
                if let description = found.details {
                    found.profile = profile(for: description, catalog: catalog)?.name
                }
            } catch {
                found.problem = error.description
            }
            return found
        }
    }

    /// The touch profile for a device: the one naming its USB id.
    public static func profile(for description: EvdevDeviceDescription, catalog: DeviceProfileCatalog) -> DeviceProfile? {
        guard let usb = description.usbID else { return nil }
        return catalog.profiles(for: usb, kind: .touchScreen).first
    }
}
