import KioskCore

/// One `struct input_event` as the kernel delivers it on 64-bit Linux: 24 bytes,
/// `int64 sec, int64 usec, u16 type, u16 code, s32 value`, in the machine's byte order.
public struct InputEvent: Sendable, Hashable {
    /// The size of one record on the wire.
    public static let size = 24

    public var time: TouchInstant
    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    public init(time: TouchInstant, type: UInt16, code: UInt16, value: Int32) {
        self.time = time
        self.type = type
        self.code = code
        self.value = value
    }

    public init(seconds: Int64, microseconds: Int64, type: UInt16, code: UInt16, value: Int32) {
        self.init(time: TouchInstant(microseconds: seconds * 1_000_000 + microseconds), type: type, code: code, value: value)
    }

    /// Reads the record that starts at `offset` in `bytes` (which must hold 24 bytes from there).
    @inlinable
    public init(bytes: UnsafeRawBufferPointer, at offset: Int) {
        let seconds = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        let micros = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: Int64.self))
        self.init(
            seconds: seconds, microseconds: micros,
            type: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt16.self)),
            code: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 18, as: UInt16.self)),
            value: Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 20, as: Int32.self)))
    }

    /// The 24 bytes the kernel would write for this event.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(Self.size)
        let seconds = time.microseconds >= 0 ? time.microseconds / 1_000_000 : (time.microseconds - 999_999) / 1_000_000
        let micros = time.microseconds - seconds * 1_000_000
        withUnsafeBytes(of: seconds.littleEndian) { result.append(contentsOf: $0) }
        withUnsafeBytes(of: micros.littleEndian) { result.append(contentsOf: $0) }
        withUnsafeBytes(of: type.littleEndian) { result.append(contentsOf: $0) }
        withUnsafeBytes(of: code.littleEndian) { result.append(contentsOf: $0) }
        withUnsafeBytes(of: value.littleEndian) { result.append(contentsOf: $0) }
        return result
    }
}

extension InputEvent: CustomStringConvertible {
    /// `1.000120 EV_ABS ABS_MT_POSITION_X 812`, the form `evtest` users know.
    public var description: String {
        "\(time) \(EvdevCode.typeName(type)) \(EvdevCode.codeName(type: type, code: code)) \(value)"
    }
}

/// The evdev event types, codes and properties the touch driver uses
/// (`linux/input-event-codes.h`).
public enum EvdevCode {
    public static let synchronization: UInt16 = 0x00  // EV_SYN
    public static let key: UInt16 = 0x01  // EV_KEY
    public static let relative: UInt16 = 0x02  // EV_REL
    public static let absolute: UInt16 = 0x03  // EV_ABS
    public static let miscellaneous: UInt16 = 0x04  // EV_MSC

    public static let synReport: UInt16 = 0  // SYN_REPORT
    public static let synMTReport: UInt16 = 2  // SYN_MT_REPORT (protocol A)
    public static let synDropped: UInt16 = 3  // SYN_DROPPED

    public static let buttonLeft: UInt16 = 0x110  // BTN_LEFT
    public static let buttonToolFinger: UInt16 = 0x145  // BTN_TOOL_FINGER
    public static let buttonTouch: UInt16 = 0x14a  // BTN_TOUCH

    public static let absX: UInt16 = 0x00
    public static let absY: UInt16 = 0x01
    public static let absPressure: UInt16 = 0x18
    public static let absMTSlot: UInt16 = 0x2f
    public static let absMTTouchMajor: UInt16 = 0x30
    public static let absMTPositionX: UInt16 = 0x35
    public static let absMTPositionY: UInt16 = 0x36
    public static let absMTTrackingID: UInt16 = 0x39
    public static let absMTPressure: UInt16 = 0x3a
    public static let absMax: UInt16 = 0x3f

    public static let keyMax: UInt16 = 0x2ff

    public static let propertyPointer: UInt16 = 0  // INPUT_PROP_POINTER
    public static let propertyDirect: UInt16 = 1  // INPUT_PROP_DIRECT

    public static let busUSB: UInt16 = 0x03

    /// `EV_ABS`, or the number in hex for types the driver does not know.
    public static func typeName(_ type: UInt16) -> String {
        switch type {
        case synchronization: "EV_SYN"
        case key: "EV_KEY"
        case relative: "EV_REL"
        case absolute: "EV_ABS"
        case miscellaneous: "EV_MSC"
        default: "EV_\(hex(type))"
        }
    }

    /// `ABS_MT_SLOT`, or the number in hex for codes the driver does not name.
    public static func codeName(type: UInt16, code: UInt16) -> String {
        switch (type, code) {
        case (synchronization, synReport): return "SYN_REPORT"
        case (synchronization, synMTReport): return "SYN_MT_REPORT"
        case (synchronization, synDropped): return "SYN_DROPPED"
        case (key, buttonTouch): return "BTN_TOUCH"
        case (key, buttonToolFinger): return "BTN_TOOL_FINGER"
        case (key, buttonLeft): return "BTN_LEFT"
        case (absolute, absX): return "ABS_X"
        case (absolute, absY): return "ABS_Y"
        case (absolute, absPressure): return "ABS_PRESSURE"
        case (absolute, absMTSlot): return "ABS_MT_SLOT"
        case (absolute, absMTTouchMajor): return "ABS_MT_TOUCH_MAJOR"
        case (absolute, absMTPositionX): return "ABS_MT_POSITION_X"
        case (absolute, absMTPositionY): return "ABS_MT_POSITION_Y"
        case (absolute, absMTTrackingID): return "ABS_MT_TRACKING_ID"
        case (absolute, absMTPressure): return "ABS_MT_PRESSURE"
        case (miscellaneous, 0x05): return "MSC_TIMESTAMP"
        default: return hex(code)
        }
    }

    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
