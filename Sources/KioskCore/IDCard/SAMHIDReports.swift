/// How SAM frames travel in HID reports: cut into fixed-size reports padded with zeros,
/// with or without the 5-byte preamble (one vendor variant drops it).
public struct SAMHIDReportFormat: Sendable, Hashable, Codable {
    /// Bytes of frame per report (the report's size without its report ID).
    public var reportSize: Int
    /// Whether frames keep their `AA AA AA 96 69` preamble inside the reports.
    public var includesPreamble: Bool

    /// Creates a format; report sizes below 8 bytes cannot carry a frame header and are raised to 8.
    public init(reportSize: Int = 64, includesPreamble: Bool = false) {
        self.reportSize = max(8, reportSize)
        self.includesPreamble = includesPreamble
    }

    /// The reports that carry `frame`.
    public func reports(for frame: [UInt8]) -> [[UInt8]] {
        let bytes = includesPreamble ? frame[...] : frame.dropFirst(SAMFrame.preamble.count)
        var reports: [[UInt8]] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let end = min(index + reportSize, bytes.endIndex)
            var report = Array(bytes[index..<end])
            report += [UInt8](repeating: 0, count: reportSize - report.count)
            reports.append(report)
            index = end
        }
        return reports
    }
}

/// Puts frames back together from the HID reports that carry them.
public struct SAMHIDReassembler: Sendable {
    public let format: SAMHIDReportFormat
    private var decoder: SAMFrameDecoder
    private var pending: [UInt8] = []

    /// Creates a reassembler for reports in `format`.
    public init(format: SAMHIDReportFormat, maximumLength: Int = SAMFrame.defaultMaximumLength) {
        self.format = format
        self.decoder = SAMFrameDecoder(maximumLength: maximumLength)
    }

    /// Adds one report's bytes; returns a frame once its last report is in.
    public mutating func append(report: [UInt8]) throws(SAMProtocolError) -> SAMFrame? {
        if format.includesPreamble {
            // Padding after a frame is skipped by the decoder like any garbage.
            decoder.append(report)
            return try decoder.nextFrame()
        }
        pending += report
        guard pending.count >= 2 else { return nil }
        let length = Int(pending[0]) << 8 | Int(pending[1])
        if length < 3 || length > decoder.maximumLength {
            pending.removeAll()
            let code: SAMProtocolError.Code = length < 3 ? .lengthTooSmall : .lengthTooLarge
            throw SAMProtocolError(code, "length \(length) in a HID report is outside 3...\(decoder.maximumLength)")
        }
        guard pending.count >= 2 + length else { return nil }
        let frame = SAMFrame.preamble + pending[0..<2 + length]
        // The rest of the last report is padding.
        pending.removeAll()
        return try SAMFrame.decode(frame)
    }

    /// Forgets a partly received frame.
    public mutating func reset() {
        pending.removeAll()
        decoder.reset()
    }
}
