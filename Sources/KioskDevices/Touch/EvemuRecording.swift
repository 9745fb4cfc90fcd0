import Foundation
import KioskCore
import KioskFiles

/// A recording in the evemu text format (`evemu-record`): the device's description followed by
/// its events, replayable through the same pipeline as the live device.
///
/// ```
/// # EVEMU 1.3
/// N: ILITEK ILITEK-TP
/// I: 0003 222a 0001 0110
/// P: 02 00 00 00 00 00 00 00
/// B: 03 00 00 00 00 00 80 60 06
/// A: 35 0 16383 0 0 0
/// E: 0.000001 0003 0039 0012	# EV_ABS / ABS_MT_TRACKING_ID 12
/// ```
public struct EvemuRecording: Sendable, Hashable {
    public var device: EvdevDeviceDescription
    public var events: [InputEvent]

    public init(device: EvdevDeviceDescription, events: [InputEvent]) {
        self.device = device
        self.events = events
    }

    /// Reads the recording at `path`.
    public static func load(path: String) throws(TouchError) -> EvemuRecording {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TouchError(.malformedRecording, "cannot read the recording", location: SourceLocation(file: path, line: 1))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TouchError(.malformedRecording, "the recording is not text", location: SourceLocation(file: path, line: 1))
        }
        return try EvemuRecording(text: text, file: path)
    }

    /// Parses evemu text; the first malformed line is reported with its number.
    public init(text: String, file: String = "<recording>") throws(TouchError) {
        var device = EvdevDeviceDescription(name: "")
        var events: [InputEvent] = []
        events.reserveCapacity(text.utf8.count / 28)
        var lineNumber = 0
        var lastTime = Int64.min
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            func fail(_ message: String) -> TouchError {
                TouchError(.malformedRecording, message, location: SourceLocation(file: file, line: lineNumber))
            }
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard trimmed.count >= 2, trimmed.dropFirst().first == ":" else {
                throw fail("expected a line starting with N:, I:, P:, B:, A: or E:, found '\(Self.excerpt(trimmed))'")
            }
            let kind = trimmed.first ?? " "
            let rest = trimmed.dropFirst(2)
            if kind == "N" {
                device.name = rest.trimmingCharacters(in: .whitespaces)
                continue
            }
            // Everything after `#` is a comment (evemu writes the event names there).
            let body = rest.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = body.split(whereSeparator: { $0 == " " || $0 == "\t" })
            switch kind {
            case "E":
                guard fields.count == 4 else {
                    throw fail("an event line has a time, a type, a code and a value (E: 0.010000 0003 0035 812)")
                }
                guard let time = Self.parseTime(fields[0]) else {
                    throw fail("'\(fields[0])' is not a time in seconds.microseconds")
                }
                guard let type = UInt16(fields[1], radix: 16), type <= 0x1f else {
                    throw fail("'\(fields[1])' is not an event type in hex (0000 to 001f)")
                }
                guard let code = UInt16(fields[2], radix: 16), code <= EvdevCode.keyMax else {
                    throw fail("'\(fields[2])' is not an event code in hex (0000 to 02ff)")
                }
                guard let value = Int32(fields[3]) else {
                    throw fail("'\(fields[3])' is not a decimal event value")
                }
                guard time >= lastTime else {
                    throw fail("the time \(fields[0]) is earlier than the event before it")
                }
                lastTime = time
                events.append(InputEvent(time: TouchInstant(microseconds: time), type: type, code: code, value: value))
            case "I":
                let numbers = fields.compactMap { UInt16($0, radix: 16) }
                guard fields.count == 4, numbers.count == 4 else {
                    throw fail("the id line has four hex numbers: bus vendor product version (I: 0003 222a 0001 0110)")
                }
                (device.bus, device.vendor, device.product, device.version) =
                    (numbers[0], numbers[1], numbers[2], numbers[3])
            case "P":
                guard let bytes = Self.hexBytes(fields) else { throw fail("property bytes must be two-digit hex") }
                device.properties += bytes
            case "B":
                guard let bytes = Self.hexBytes(fields), let type = bytes.first else {
                    throw fail("a bitmask line has the event type and then two-digit hex bytes")
                }
                guard type <= 0x1f else { throw fail("event type \(type) does not exist") }
                device.eventBits[UInt16(type), default: []] += bytes.dropFirst()
            case "A":
                guard fields.count == 5 || fields.count == 6, let code = UInt16(fields[0], radix: 16),
                    code <= EvdevCode.absMax
                else {
                    throw fail("an axis line has a hex code, then minimum maximum fuzz flat [resolution] (A: 35 0 16383 0 0 40)")
                }
                let numbers = fields.dropFirst().compactMap { Int32($0) }
                guard numbers.count == fields.count - 1 else { throw fail("axis values must be decimal numbers") }
                guard numbers[0] <= numbers[1] else { throw fail("the axis minimum is above its maximum") }
                device.axes[code] = AbsoluteAxis(
                    minimum: numbers[0], maximum: numbers[1], fuzz: numbers[2], flat: numbers[3],
                    resolution: numbers.count > 4 ? numbers[4] : 0)
            case "L", "S":
                // LED and switch states at the start of the recording: not used by touch panels.
                continue
            default:
                throw fail("unknown line type '\(kind):'")
            }
        }
        self.device = device
        self.events = events
    }

    private static func excerpt(_ text: Substring) -> String {
        text.count > 30 ? String(text.prefix(30)) + "…" : String(text)
    }

    private static func hexBytes(_ fields: [Substring]) -> [UInt8]? {
        var bytes: [UInt8] = []
        for field in fields {
            guard field.count <= 2, let byte = UInt8(field, radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// `12.000340` → microseconds, without going through floating point.
    private static func parseTime(_ text: Substring) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 1, parts[1].count <= 6,
            parts[0].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isASCII),
            let seconds = Int64(parts[0]), seconds >= 0, let fraction = Int64(parts[1]), fraction >= 0
        else { return nil }
        var micros = fraction
        for _ in 0..<(6 - parts[1].count) { micros *= 10 }
        return seconds * 1_000_000 + micros
    }
}

extension EvemuRecording {
    /// The recording in evemu's text form, with event names in comments as `evemu-record`
    /// writes them, so a captured panel can be attached to an issue and replayed elsewhere.
    public func text() -> String {
        var out = "# EVEMU 1.3\n"
        out += "# Input device name: \"\(device.name)\"\n"
        out += "N: \(device.name)\n"
        out += "I: \([device.bus, device.vendor, device.product, device.version].map(EvdevCode.hex).joined(separator: " "))\n"
        func hexByte(_ byte: UInt8) -> String { byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }
        var properties = device.properties
        if properties.isEmpty { properties = [0] }
        while properties.count % 8 != 0 { properties.append(0) }
        for start in stride(from: 0, to: properties.count, by: 8) {
            out += "P: \(properties[start..<start + 8].map(hexByte).joined(separator: " "))\n"
        }
        for type in device.eventBits.keys.sorted() {
            var bits = device.eventBits[type] ?? []
            while bits.count % 8 != 0 || bits.isEmpty { bits.append(0) }
            for start in stride(from: 0, to: bits.count, by: 8) {
                out += "B: \(hexByte(UInt8(type))) \(bits[start..<start + 8].map(hexByte).joined(separator: " "))\n"
            }
        }
        for code in device.axes.keys.sorted() {
            guard let axis = device.axes[code] else { continue }
            out += "A: \(hexByte(UInt8(code))) \(axis.minimum) \(axis.maximum) \(axis.fuzz) \(axis.flat) \(axis.resolution)\n"
        }
        out += "################################\n#      Waiting for events      #\n################################\n"
        for event in events {
            let value = event.value < 0 ? "-" + Self.pad(-Int64(event.value), 3) : Self.pad(Int64(event.value), 4)
            out += "E: \(event.time) \(EvdevCode.hex(event.type)) \(EvdevCode.hex(event.code)) \(value)\t"
            out += "# \(EvdevCode.typeName(event.type)) / \(EvdevCode.codeName(type: event.type, code: event.code)) \(event.value)\n"
        }
        return out
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
