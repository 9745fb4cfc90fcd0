// evdev is Linux-only; so is this file.
import Glibc

/// The system calls of the touch driver, in one place: every call retries on `EINTR`, and
/// failures become `Errno` values with names a technician can search for.
enum EvdevSyscalls {
    /// An `errno` value.
    struct Errno: Error, Hashable, CustomStringConvertible {
        var rawValue: Int32
        static var current: Errno { Errno(rawValue: errno) }
        var description: String {
            switch rawValue {
            case ENOENT: "ENOENT"
            case ENODEV: "ENODEV"
            case ENXIO: "ENXIO"
            case EACCES: "EACCES"
            case EPERM: "EPERM"
            case EBUSY: "EBUSY"
            case ENOTTY: "ENOTTY"
            case EINVAL: "EINVAL"
            case EAGAIN: "EAGAIN"
            case EIO: "EIO"
            default: "errno \(rawValue)"
            }
        }
        /// The device is gone (unplugged, node removed).
        var meansGone: Bool { rawValue == ENODEV || rawValue == ENOENT || rawValue == ENXIO || rawValue == EIO }
    }

    static func open(_ path: String, flags: Int32) throws(Errno) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags)
            if fd >= 0 { return fd }
            if errno != EINTR { throw Errno.current }
        }
    }

    static func close(_ fd: Int32) {
        // Linux closes the descriptor even when close(2) reports EINTR: never retry.
        _ = Glibc.close(fd)
    }

    /// Reads into `buffer`; `nil` means nothing available now (non-blocking), 0 means end.
    static func read(_ fd: Int32, into buffer: inout [UInt8]) throws(Errno) -> Int? {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw Errno.current
        }
    }

    /// Writes all of `bytes`, waiting out `EAGAIN` and retrying on `EINTR`.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written >= 0 {
                offset += written
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                var pollFD = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pollFD, 1, 100)
            } else {
                throw Errno.current
            }
        }
    }

    /// An ioctl that fills `buffer`.
    static func ioctl<Element>(_ fd: Int32, _ request: UInt, buffer: inout [Element]) throws(Errno) -> Int32 {
        while true {
            let result = buffer.withUnsafeMutableBytes { raw in Glibc.ioctl(fd, request, raw.baseAddress!) }
            if result >= 0 { return result }
            if errno != EINTR { throw Errno.current }
        }
    }

    static func ioctl(_ fd: Int32, _ request: UInt, value: Int32) throws(Errno) {
        while true {
            if Glibc.ioctl(fd, request, value) >= 0 { return }
            if errno != EINTR { throw Errno.current }
        }
    }

    /// The monotonic clock in microseconds (the clock evdev is switched to).
    static func monotonicMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}

/// The evdev ioctl numbers (`linux/input.h`), built the way `_IOC` builds them.
enum EvdevIoctl {
    private static func ioc(_ direction: UInt, _ number: UInt, _ size: Int) -> UInt {
        (direction << 30) | (UInt(size) << 16) | (UInt(UInt8(ascii: "E")) << 8) | number
    }
    private static let read: UInt = 2
    private static let write: UInt = 1

    static let getID = ioc(read, 0x02, 8)
    static func getName(_ length: Int) -> UInt { ioc(read, 0x06, length) }
    static func getProperties(_ length: Int) -> UInt { ioc(read, 0x09, length) }
    static func getMTSlots(_ length: Int) -> UInt { ioc(read, 0x0a, length) }
    static func getKeys(_ length: Int) -> UInt { ioc(read, 0x18, length) }
    static func getBits(type: UInt16, _ length: Int) -> UInt { ioc(read, 0x20 + UInt(type), length) }
    static func getAbs(_ axis: UInt16) -> UInt { ioc(read, 0x40 + UInt(axis), 24) }
    /// `EVIOCGRAB`, 0x40044590.
    static let grab = ioc(write, 0x90, 4)
    static let setClock = ioc(write, 0xa0, 4)
}

/// An open `/dev/input/event*` node (or anything else that carries `input_event` records, such
/// as a FIFO in tests): a non-blocking descriptor with the evdev queries on it.
public final class EvdevDevice: Sendable {
    public let path: String
    /// The descriptor; valid until ``close()``.
    public let fileDescriptor: Int32

    /// Opens `path` for reading, non-blocking.
    public init(path: String) throws(TouchError) {
        self.path = path
        do throws(EvdevSyscalls.Errno) {
            fileDescriptor = try EvdevSyscalls.open(path, flags: O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        } catch {
            throw Self.error(opening: path, error)
        }
    }

    static func error(opening path: String, _ error: EvdevSyscalls.Errno) -> TouchError {
        if error.meansGone {
            return TouchError(.deviceGone, "no input device at \(path)", cause: error)
        }
        if error.rawValue == EACCES || error.rawValue == EPERM {
            return TouchError(
                .deviceIO, "no permission to read \(path); install the kiosk udev rules or add the service user to group 'input'",
                cause: error)
        }
        return TouchError(.deviceIO, "cannot open \(path)", cause: error)
    }

    /// Closes the descriptor (once; the reader closes it when it stops).
    public func close() { EvdevSyscalls.close(fileDescriptor) }

    /// Whether the descriptor answers evdev ioctls (a FIFO or socket does not).
    public var isEvdev: Bool { (try? version()) != nil }

    private func version() throws(EvdevSyscalls.Errno) -> Int32 {
        var version: [Int32] = [0]
        // EVIOCGVERSION = _IOR('E', 0x01, int)
        _ = try EvdevSyscalls.ioctl(fileDescriptor, (2 << 30) | (4 << 16) | (0x45 << 8) | 0x01, buffer: &version)
        return version[0]
    }

    /// What the device says about itself; `nil` when it is not an evdev node.
    public func describe() throws(TouchError) -> EvdevDeviceDescription? {
        do throws(EvdevSyscalls.Errno) {
            _ = try version()
        } catch {
            if error.rawValue == ENOTTY || error.rawValue == EINVAL { return nil }
            if error.meansGone { throw TouchError(.deviceGone, "\(path) went away", cause: error) }
            throw TouchError(.deviceIO, "cannot query \(path)", cause: error)
        }
        do throws(EvdevSyscalls.Errno) {
            var nameBuffer = [UInt8](repeating: 0, count: 256)
            _ = try EvdevSyscalls.ioctl(fileDescriptor, EvdevIoctl.getName(nameBuffer.count - 1), buffer: &nameBuffer)
            let name = String(decoding: nameBuffer.prefix { $0 != 0 }, as: UTF8.self)
            var id = [UInt16](repeating: 0, count: 4)
            _ = try EvdevSyscalls.ioctl(fileDescriptor, EvdevIoctl.getID, buffer: &id)
            var description = EvdevDeviceDescription(name: name, bus: id[0], vendor: id[1], product: id[2], version: id[3])
            description.properties = try bits { length in EvdevIoctl.getProperties(length) }
            description.eventBits[0] = try bits { length in EvdevIoctl.getBits(type: 0, length) }
            for type in [EvdevCode.key, EvdevCode.absolute] where EvdevDeviceDescription.bit(type, in: description.eventBits[0] ?? []) {
                description.eventBits[type] = try bits { length in EvdevIoctl.getBits(type: type, length) }
            }
            for code in 0...EvdevCode.absMax where description.supports(type: EvdevCode.absolute, code: code) {
                description.axes[code] = try absoluteAxis(code)
            }
            return description
        } catch {
            if error.meansGone { throw TouchError(.deviceGone, "\(path) went away", cause: error) }
            throw TouchError(.deviceIO, "cannot query \(path)", cause: error)
        }
    }

    private func bits(_ request: (Int) -> UInt) throws(EvdevSyscalls.Errno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 96)  // KEY_MAX bits, the largest mask we ask for
        let length = try EvdevSyscalls.ioctl(fileDescriptor, request(buffer.count), buffer: &buffer)
        return Array(buffer.prefix(max(0, Int(length))))
    }

    private func absoluteAxis(_ code: UInt16) throws(EvdevSyscalls.Errno) -> AbsoluteAxis {
        var info = [Int32](repeating: 0, count: 6)
        _ = try EvdevSyscalls.ioctl(fileDescriptor, EvdevIoctl.getAbs(code), buffer: &info)
        return AbsoluteAxis(value: info[0], minimum: info[1], maximum: info[2], fuzz: info[3], flat: info[4], resolution: info[5])
    }

    /// Takes the panel for the daemon alone (`EVIOCGRAB`): the compositor stops seeing it.
    public func grab(_ exclusive: Bool = true) throws(TouchError) {
        do throws(EvdevSyscalls.Errno) {
            try EvdevSyscalls.ioctl(fileDescriptor, EvdevIoctl.grab, value: exclusive ? 1 : 0)
        } catch {
            throw TouchError(
                .deviceIO, error.rawValue == EBUSY ? "\(path) is already grabbed by another program" : "cannot grab \(path)",
                cause: error)
        }
    }

    /// Switches event times to the monotonic clock, so that a wall-clock change (NTP at boot)
    /// cannot stretch a tap into a long press. Best effort.
    public func useMonotonicClock() {
        // Unlike EVIOCGRAB, EVIOCSCLOCKID reads its argument through a pointer.
        var clock: [Int32] = [Int32(CLOCK_MONOTONIC)]
        _ = try? EvdevSyscalls.ioctl(fileDescriptor, EvdevIoctl.setClock, buffer: &clock)
    }

    /// The kernel's current state of the contacts (`EVIOCGMTSLOTS`, `EVIOCGABS`, `EVIOCGKEY`),
    /// to repair a `SYN_DROPPED`; `nil` if the device cannot be asked.
    public func snapshot(slotCount: Int, multitouch: Bool) -> EvdevSnapshot? {
        do throws(EvdevSyscalls.Errno) {
            var snapshot = EvdevSnapshot()
            if multitouch {
                let count = max(1, slotCount)
                var slots = Array(repeating: EvdevSnapshot.Slot(), count: count)
                for (code, keyPath) in [
                    (EvdevCode.absMTTrackingID, \EvdevSnapshot.Slot.trackingID), (EvdevCode.absMTPositionX, \.x),
                    (EvdevCode.absMTPositionY, \.y),
                ] {
                    // struct input_mt_request_layout { __u32 code; __s32 values[num_slots]; }
                    var request = [Int32](repeating: 0, count: count + 1)
                    request[0] = Int32(code)
                    _ = try EvdevSyscalls.ioctl(
                        fileDescriptor, EvdevIoctl.getMTSlots(request.count * 4), buffer: &request)
                    for index in 0..<count { slots[index][keyPath: keyPath] = request[index + 1] }
                }
                snapshot.slots = slots
                snapshot.currentSlot = Int(try absoluteAxis(EvdevCode.absMTSlot).value)
            } else {
                snapshot.x = try absoluteAxis(EvdevCode.absX).value
                snapshot.y = try absoluteAxis(EvdevCode.absY).value
                let keys = try bits { length in EvdevIoctl.getKeys(length) }
                snapshot.touching = EvdevDeviceDescription.bit(EvdevCode.buttonTouch, in: keys)
            }
            return snapshot
        } catch {
            return nil
        }
    }
}
