import Foundation
import KioskCore

#if canImport(Glibc)
    import Glibc
#endif

/// Why talking to an ESC/POS printer failed.
public struct ESCPOSError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; a struct wrapping a private enum so that codes can grow without
    /// breaking `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case encoding, invalidArgument, io, timeout, invalidStatus, notReady, noDevice
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Text that the printer's encoding cannot represent, or an unknown encoding.
        public static let encoding = Code(.encoding)
        /// A QR code or image too large for the command.
        public static let invalidArgument = Code(.invalidArgument)
        /// Reading or writing the device failed.
        public static let io = Code(.io)
        /// The printer did not answer a status request in time.
        public static let timeout = Code(.timeout)
        /// A status byte without the fixed bits of a `DLE EOT` answer.
        public static let invalidStatus = Code(.invalidStatus)
        /// The printer reports a condition that prevents printing (paper out, cover open).
        public static let notReady = Code(.notReady)
        /// The device file does not exist or cannot be opened.
        public static let noDevice = Code(.noDevice)

        /// The code as it appears in logs and print job reasons.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a technician can act on.
    public var message: String
    /// The printer's fault when `code` is `notReady`.
    public var fault: DeviceFault?
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, fault: DeviceFault? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.fault = fault
        self.cause = cause
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

/// Converts text to the byte encoding a printer's character ROM expects, through iconv
/// (glibc's converters: GB18030, GBK, BIG5, CP437, UTF-8 ...).
public struct PrinterTextEncoding: Sendable, Hashable, CustomStringConvertible {
    /// The iconv name, e.g. `GB18030`.
    public let name: String

    /// An encoding by iconv name; throws if the system has no converter for it.
    public init(_ name: String) throws(ESCPOSError) {
        let converter = iconv_open(name, "UTF-8")
        guard let converter, converter != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw ESCPOSError(.encoding, "no converter for printer encoding '\(name)'")
        }
        iconv_close(converter)
        self.name = name
    }

    /// The bytes of `text`; throws naming the first character the encoding cannot hold.
    public func encode(_ text: String) throws(ESCPOSError) -> [UInt8] {
        try Self.convert(Array(text.utf8), from: "UTF-8", to: name)
    }

    /// Decodes printer bytes back to text (the simulator uses this to read what was printed).
    public func decode(_ bytes: [UInt8]) throws(ESCPOSError) -> String {
        String(decoding: try Self.convert(bytes, from: name, to: "UTF-8"), as: UTF8.self)
    }

    private static func convert(_ input: [UInt8], from source: String, to target: String) throws(ESCPOSError) -> [UInt8] {
        if input.isEmpty { return [] }
        guard let converter = iconv_open(target, source), converter != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw ESCPOSError(.encoding, "no converter from \(source) to \(target)")
        }
        defer { iconv_close(converter) }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var inputCopy = input
        let result: (status: Int, consumed: Int, produced: Int) = inputCopy.withUnsafeMutableBytes { inBuffer in
            output.withUnsafeMutableBytes { outBuffer in
                var inPointer = inBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outBuffer.count
                let status = iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft)
                return (status == -1 ? -1 : 0, inBuffer.count - inLeft, outBuffer.count - outLeft)
            }
        }
        guard result.status == 0, result.consumed == input.count else {
            // The text may be a citizen's name: say where, never which character.
            throw ESCPOSError(
                .encoding,
                source == "UTF-8"
                    ? "the printer encoding \(target) cannot print the character at byte \(result.consumed) of the text"
                    : "bytes from the printer are not valid \(source)")
        }
        return Array(output[..<result.produced])
    }

    public var description: String { name }
}

/// Builds ESC/POS command bytes. Every method appends to ``bytes``.
public struct ESCPOSEncoder: Sendable {
    /// QR error correction levels (`GS ( k` function 169).
    public enum QRErrorCorrection: UInt8, Sendable {
        case low = 48, medium = 49, quartile = 50, high = 51
    }

    /// Cut modes.
    public enum Cut: Sendable, Equatable {
        case full, partial
    }

    /// Text alignment (`ESC a`).
    public enum Alignment: UInt8, Sendable {
        case left = 0, center = 1, right = 2
    }

    /// The bytes so far.
    public private(set) var bytes: [UInt8] = []
    /// The encoding text is converted to.
    public let encoding: PrinterTextEncoding
    /// Whether Chinese text is wrapped in `FS &` … `FS .` (double-byte mode).
    public let doubleByteMode: Bool

    public init(encoding: PrinterTextEncoding, doubleByteMode: Bool = true) {
        self.encoding = encoding
        self.doubleByteMode = doubleByteMode
    }

    /// `ESC @`: resets the printer's modes.
    public mutating func initialize() { bytes += [0x1B, 0x40] }

    /// `ESC a n`.
    public mutating func align(_ alignment: Alignment) { bytes += [0x1B, 0x61, alignment.rawValue] }

    /// `ESC E n`.
    public mutating func bold(_ on: Bool) { bytes += [0x1B, 0x45, on ? 1 : 0] }

    /// `GS ! n`: character width and height multipliers (1–8).
    public mutating func size(width: Int = 1, height: Int = 1) {
        let w = UInt8(min(max(width, 1), 8) - 1)
        let h = UInt8(min(max(height, 1), 8) - 1)
        bytes += [0x1D, 0x21, w << 4 | h]
    }

    /// Text in the printer's encoding; non-ASCII text is wrapped in double-byte mode when the
    /// profile asks for it. Line feeds in `text` are kept.
    public mutating func text(_ text: String) throws(ESCPOSError) {
        let encoded = try encoding.encode(text)
        let wide = doubleByteMode && encoded.contains { $0 >= 0x80 }
        if wide { bytes += [0x1C, 0x26] }
        bytes += encoded
        if wide { bytes += [0x1C, 0x2E] }
    }

    /// Text followed by a line feed.
    public mutating func line(_ text: String) throws(ESCPOSError) {
        try self.text(text)
        bytes.append(0x0A)
    }

    /// `ESC d n`: prints the buffer and feeds `lines` lines.
    public mutating func feed(lines: Int) { bytes += [0x1B, 0x64, UInt8(min(max(lines, 0), 255))] }

    /// A QR code printed by the printer itself (`GS ( k`): model 2, module size, error
    /// correction, store, print.
    public mutating func qrCode(
        _ text: String, moduleSize: Int = 6, errorCorrection: QRErrorCorrection = .medium
    ) throws(ESCPOSError) {
        let data = Array(text.utf8)
        guard !data.isEmpty, data.count <= 7089 else {
            throw ESCPOSError(.invalidArgument, "a QR code holds 1 to 7089 bytes, not \(data.count)")
        }
        guard (1...16).contains(moduleSize) else {
            throw ESCPOSError(.invalidArgument, "the QR module size is 1 to 16 dots, not \(moduleSize)")
        }
        bytes += [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]  // fn 165: model 2
        bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, UInt8(moduleSize)]  // fn 167: module size
        bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, errorCorrection.rawValue]  // fn 169
        let length = data.count + 3
        bytes += [0x1D, 0x28, 0x6B, UInt8(length & 0xFF), UInt8(length >> 8), 0x31, 0x50, 0x30]  // fn 180: store
        bytes += data
        bytes += [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]  // fn 181: print
    }

    /// A 1-bit image (`GS v 0`), rows MSB-first with 1 = black, sent in bands of at most
    /// `bandHeight` rows because cheap printers have small receive buffers.
    public mutating func raster(
        widthBytes: Int, height: Int, bits: [UInt8], bandHeight: Int = 128
    ) throws(ESCPOSError) {
        guard widthBytes > 0, widthBytes <= 0xFFFF, height > 0, bits.count == widthBytes * height else {
            throw ESCPOSError(.invalidArgument, "the image's size does not match its data")
        }
        let band = max(1, min(bandHeight, 0xFFFF))
        var row = 0
        while row < height {
            let rows = min(band, height - row)
            bytes += [
                0x1D, 0x76, 0x30, 0x00, UInt8(widthBytes & 0xFF), UInt8(widthBytes >> 8), UInt8(rows & 0xFF),
                UInt8(rows >> 8),
            ]
            bytes += bits[(row * widthBytes)..<((row + rows) * widthBytes)]
            row += rows
        }
    }

    /// Cuts the paper: `GS V 65/66 n` feeds `feedLines` lines (in units the printer
    /// defines, about a line each) then cuts, so the last printed line clears the blade.
    public mutating func cut(_ cut: Cut, feed: Int = 0) {
        if feed > 0 {
            bytes += [0x1D, 0x56, cut == .full ? 65 : 66, UInt8(min(feed, 255))]
        } else {
            bytes += [0x1D, 0x56, cut == .full ? 0 : 1]
        }
    }

    /// `GS ( H` function 48: the printer answers `37 22 d1 d2 d3 d4 00` once it has processed
    /// (printed) everything before this command. `id` is four ASCII digits.
    public mutating func processIDRequest(_ id: [UInt8]) { bytes += Self.processIDRequest(id) }

    /// The bytes of `GS ( H` function 48 with `id`.
    public static func processIDRequest(_ id: [UInt8]) -> [UInt8] { [0x1D, 0x28, 0x48, 0x06, 0x00, 0x30, 0x30] + id.prefix(4) }

    /// Appends raw bytes (for profile-specific quirks).
    public mutating func raw(_ data: [UInt8]) { bytes += data }
}
