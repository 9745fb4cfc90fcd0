/// One command found in an ESC/POS byte stream (what the simulator saw the kiosk send).
public enum ESCPOSCommand: Sendable, Hashable {
    /// `ESC @`.
    case initialize
    /// Printable bytes in the printer's encoding (between commands).
    case text([UInt8])
    /// `LF`.
    case lineFeed
    /// `FS &` (on) / `FS .` (off).
    case doubleByteMode(Bool)
    /// `DLE EOT n`.
    case statusRequest(UInt8)
    /// `ESC d n`.
    case feedLines(Int)
    /// `GS V`: full or partial cut, with the feed before it.
    case cut(partial: Bool, feed: Int)
    /// `GS ( k` function 180: the QR code's data.
    case qrStore([UInt8])
    /// `GS ( k` function 181.
    case qrPrint
    /// Another `GS ( k` QR setting: function number and parameter bytes.
    case qrSetting(function: UInt8, parameters: [UInt8])
    /// `GS v 0`: a raster band, `widthBytes` × `height`.
    case raster(widthBytes: Int, height: Int, bits: [UInt8])
    /// `GS ( H` function 48: answer with this process ID once everything before it is printed.
    case processIDRequest([UInt8])
    /// A known setting with fixed-size parameters (`ESC a`, `ESC E`, `GS !` ...), bytes as sent.
    case setting([UInt8])
}

/// Splits an ESC/POS byte stream into commands, incrementally: bytes may arrive in any
/// pieces, and a command cut between two reads is completed by the next.
public struct ESCPOSStreamParser: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    /// Adds bytes and returns the commands completed by them.
    public mutating func feed(_ bytes: [UInt8]) -> [ESCPOSCommand] {
        buffer += bytes
        var commands: [ESCPOSCommand] = []
        var index = 0
        while index < buffer.count {
            guard let (command, length) = Self.parse(buffer, at: index) else { break }
            if case let .text(new) = command, case let .text(previous)? = commands.last {
                commands[commands.count - 1] = .text(previous + new)
            } else {
                commands.append(command)
            }
            index += length
        }
        buffer.removeFirst(index)
        return commands
    }

    /// The command at `start` and its length, or `nil` when more bytes are needed.
    static func parse(_ bytes: [UInt8], at start: Int) -> (ESCPOSCommand, Int)? {
        let available = bytes.count - start
        func byte(_ offset: Int) -> UInt8? { offset < available ? bytes[start + offset] : nil }
        func slice(_ from: Int, _ count: Int) -> [UInt8] { Array(bytes[(start + from)..<(start + from + count)]) }
        guard let first = byte(0) else { return nil }
        switch first {
        case 0x0A:
            return (.lineFeed, 1)
        case 0x10:
            guard let second = byte(1) else { return nil }
            if second == 0x04 || second == 0x05 {
                guard let n = byte(2) else { return nil }
                return (second == 0x04 ? .statusRequest(n) : .setting(slice(0, 3)), 3)
            }
            return (.text([first]), 1)
        case 0x1B:
            guard let second = byte(1) else { return nil }
            switch second {
            case 0x40: return (.initialize, 2)
            case 0x64:
                guard let n = byte(2) else { return nil }
                return (.feedLines(Int(n)), 3)
            case 0x21, 0x2D, 0x33, 0x45, 0x47, 0x4A, 0x4D, 0x52, 0x61, 0x74, 0x7B:
                guard available >= 3 else { return nil }
                return (.setting(slice(0, 3)), 3)
            case 0x32:
                return (.setting(slice(0, 2)), 2)
            default:
                return (.setting(slice(0, 2)), 2)
            }
        case 0x1C:
            guard let second = byte(1) else { return nil }
            if second == 0x26 { return (.doubleByteMode(true), 2) }
            if second == 0x2E { return (.doubleByteMode(false), 2) }
            return (.setting(slice(0, 2)), 2)
        case 0x1D:
            guard let second = byte(1) else { return nil }
            switch second {
            case 0x56:
                guard let m = byte(2) else { return nil }
                if m == 65 || m == 66 {
                    guard let n = byte(3) else { return nil }
                    return (.cut(partial: m == 66, feed: Int(n)), 4)
                }
                return (.cut(partial: m == 1 || m == 49, feed: 0), 3)
            case 0x28:
                guard let function = byte(2), let low = byte(3), let high = byte(4) else { return nil }
                let length = Int(low) | Int(high) << 8
                guard available >= 5 + length else { return nil }
                let body = slice(5, length)
                if function == 0x48, body.count == 6, body[0] == 0x30, body[1] == 0x30 {
                    return (.processIDRequest(Array(body.dropFirst(2))), 5 + length)
                }
                if function == 0x6B, body.count >= 2, body[0] == 0x31 {
                    switch body[1] {
                    case 0x50: return (.qrStore(Array(body.dropFirst(3))), 5 + length)
                    case 0x51: return (.qrPrint, 5 + length)
                    default: return (.qrSetting(function: body[1], parameters: Array(body.dropFirst(2))), 5 + length)
                    }
                }
                return (.setting(slice(0, 5 + length)), 5 + length)
            case 0x76:
                guard available >= 8 else { return nil }
                let width = Int(bytes[start + 4]) | Int(bytes[start + 5]) << 8
                let height = Int(bytes[start + 6]) | Int(bytes[start + 7]) << 8
                guard available >= 8 + width * height else { return nil }
                return (.raster(widthBytes: width, height: height, bits: slice(8, width * height)), 8 + width * height)
            case 0x21, 0x42, 0x48, 0x61, 0x66, 0x68, 0x72, 0x77:
                guard available >= 3 else { return nil }
                return (.setting(slice(0, 3)), 3)
            default:
                return (.setting(slice(0, 2)), 2)
            }
        default:
            // Printable bytes: everything up to the next control byte is one run of text.
            var end = start
            while end < bytes.count, ![0x0A, 0x10, 0x1B, 0x1C, 0x1D].contains(bytes[end]) { end += 1 }
            return (.text(Array(bytes[start..<end])), end - start)
        }
    }
}
