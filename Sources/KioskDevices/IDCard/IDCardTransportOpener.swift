import Foundation
import KioskCore

/// Opens the transport a profile names, finding the device node by USB id when no path is
/// configured.
public struct IDCardTransportOpener: Sendable {
    public var settings: IDCardProfileSettings
    /// The profile's USB ids (`0400:c35a`).
    public var usbIDs: [USBID]
    /// A path that overrides the profile's (`kioskctl idcard read --device`).
    public var devicePath: String?
    /// Where sysfs is (tests use a folder of their own).
    public var sysfsRoot: String
    /// The simulator to connect to when the profile's transport is `simulator`.
    public var simulator: SimulatedSAM?

    public init(
        settings: IDCardProfileSettings, usbIDs: [USBID], devicePath: String? = nil, sysfsRoot: String = "/sys",
        simulator: SimulatedSAM? = nil
    ) {
        self.settings = settings
        self.usbIDs = usbIDs
        self.devicePath = devicePath
        self.sysfsRoot = sysfsRoot
        self.simulator = simulator
    }

    /// Opens the transport; a reader that is not there is ``IDCardReaderError/Code/notFound``.
    public func open() throws(IDCardReaderError) -> any SAMTransport {
        switch settings.transport {
        case .serial:
            let path = try configuredPath(settings.serial.path, subsystem: "tty")
            return try SerialSAMTransport(path: path, rate: SAMBaudRate(rawValue: settings.serial.baud) ?? .b115200)
        case .hid:
            let path = try configuredPath(settings.hid.path, subsystem: "hidraw")
            let format = SAMHIDReportFormat(reportSize: settings.hid.reportSize, includesPreamble: settings.hid.preamble)
            return try HIDSAMTransport(path: path, format: format, reportID: UInt8(clamping: settings.hid.reportID))
        case .usbBulk:
            guard let usbID = usbIDs.first else {
                throw IDCardReaderError(.configuration, "a usb-bulk profile needs a usb id (usb: [\"0400:c35a\"])")
            }
            let bulk = settings.usbBulk
            let split = bulk.form != "single" && bulk.out.count >= 2 && bulk.in.count >= 2
            guard let headerOut = bulk.out.first, let headerIn = bulk.in.first else {
                throw IDCardReaderError(.configuration, "usb_bulk needs at least one OUT and one IN endpoint")
            }
            let endpoints = USBBulkSAMTransport.Endpoints(
                headerOut: headerOut.value, bodyOut: split ? bulk.out[1].value : nil, headerIn: headerIn.value,
                bodyIn: split ? bulk.in[1].value : nil)
            return try USBBulkSAMTransport(
                usbID: usbID, endpoints: endpoints, interface: Int32(bulk.interface),
                transferTimeout: .milliseconds(bulk.transferTimeoutMilliseconds))
        case .simulator:
            let sam = simulator ?? SimulatedSAM()
            if settings.selectReportsSerial { sam.behaviour.selectReportsSerial = true }
            return SimulatedSAMTransport(sam: sam)
        }
    }

    /// The override, else the profile's path, else the node found by USB id.
    private func configuredPath(_ profilePath: String?, subsystem: String) throws(IDCardReaderError) -> String {
        if let path = devicePath ?? profilePath { return path }
        return try find(subsystem: subsystem)
    }

    private func find(subsystem: String) throws(IDCardReaderError) -> String {
        let found = USBDeviceNodes(sysfsRoot: sysfsRoot).nodes(subsystem: subsystem, matching: usbIDs)
        guard let first = found.first else {
            let ids = usbIDs.map(\.description).joined(separator: ", ")
            throw IDCardReaderError(.notFound, "no \(subsystem) device with USB id \(ids.isEmpty ? "(none configured)" : ids)")
        }
        return first
    }
}

/// Finds `/dev` nodes of USB devices through sysfs: `/sys/class/<subsystem>/<node>/device`
/// leads up to the USB device directory holding `idVendor` and `idProduct`.
public struct USBDeviceNodes: Sendable {
    public var sysfsRoot: String

    public init(sysfsRoot: String = "/sys") {
        self.sysfsRoot = sysfsRoot
    }

    /// `/dev/<node>` for every node of `subsystem` on a USB device with one of `ids`, sorted.
    public func nodes(subsystem: String, matching ids: [USBID]) -> [String] {
        let classDirectory = "\(sysfsRoot)/class/\(subsystem)"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: classDirectory)) ?? []
        return names.sorted().compactMap { name in
            guard let id = usbID(of: "\(classDirectory)/\(name)/device"), ids.contains(id) else { return nil }
            return "/dev/\(name)"
        }
    }

    /// The USB id of the device above `path`, walking up at most 6 levels.
    func usbID(of path: String) -> USBID? {
        var directory = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        for _ in 0..<6 {
            let vendor = try? String(contentsOf: directory.appendingPathComponent("idVendor"), encoding: .utf8)
            let product = try? String(contentsOf: directory.appendingPathComponent("idProduct"), encoding: .utf8)
            if let vendor, let product {
                return USBID(
                    "\(vendor.trimmingCharacters(in: .whitespacesAndNewlines)):\(product.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path || !parent.path.hasPrefix(sysfsRoot) && !parent.path.hasPrefix("/sys") { break }
            directory = parent
        }
        return nil
    }
}
