/// One frame of the SAM wire protocol, request or response:
///
/// ```
/// AA AA AA 96 69 | LEN_H LEN_L | payload... | CHK
/// ```
///
/// `LEN` counts the payload and the checksum; the checksum is the XOR of the length bytes
/// and the payload. A request's payload is `CMD PARA DATA...`, a response's `SW1 SW2 SW3 DATA...`.
public struct SAMFrame: Sendable, Hashable {
    /// The five bytes every frame starts with: `AA AA AA` sync and `96 69` start-of-frame.
    public static let preamble: [UInt8] = [0xAA, 0xAA, 0xAA, 0x96, 0x69]
    /// Preamble plus the two length bytes.
    public static let headerSize = 7
    /// The largest `LEN` accepted by default. The largest legal frame (text, photo and two
    /// fingerprint templates) has `LEN` 2,314; anything far beyond is noise.
    public static let defaultMaximumLength = 4096

    /// The bytes between the length field and the checksum.
    public var payload: [UInt8]

    /// Creates a frame around `payload`.
    public init(payload: [UInt8]) {
        self.payload = payload
    }

    /// The value of the length field: payload plus checksum.
    public var length: Int { payload.count + 1 }

    /// The checksum this frame carries on the wire.
    public var checksum: UInt8 {
        var sum = UInt8(truncatingIfNeeded: length >> 8) ^ UInt8(truncatingIfNeeded: length)
        for byte in payload { sum ^= byte }
        return sum
    }

    /// The frame as sent on the wire.
    public var bytes: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.headerSize + length)
        bytes += Self.preamble
        bytes.append(UInt8(truncatingIfNeeded: length >> 8))
        bytes.append(UInt8(truncatingIfNeeded: length))
        bytes += payload
        bytes.append(checksum)
        return bytes
    }

    /// Decodes exactly one frame from `bytes` (garbage before the preamble is skipped, bytes
    /// after the frame are an error).
    public static func decode(_ bytes: some Collection<UInt8>) throws(SAMProtocolError) -> SAMFrame {
        var decoder = SAMFrameDecoder()
        decoder.append(bytes)
        guard let frame = try decoder.nextFrame() else {
            if decoder.discardedByteCount == bytes.count || bytes.isEmpty {
                throw SAMProtocolError(.noFrame, "no frame: the preamble AA AA AA 96 69 was not found in \(bytes.count) bytes")
            }
            throw SAMProtocolError(
                .truncated,
                "truncated frame: \(decoder.bufferedByteCount) bytes received, \(decoder.expectedFrameSize.map(String.init) ?? "at least 7") expected"
            )
        }
        if decoder.bufferedByteCount > 0 {
            throw SAMProtocolError(.trailingBytes, "\(decoder.bufferedByteCount) bytes follow the frame")
        }
        return frame
    }
}

/// Cuts a byte stream from a reader (or to a simulated SAM) into frames.
///
/// Feed it whatever arrived with ``append(_:)`` and take frames with ``nextFrame()`` until it
/// returns `nil`. Bytes before a preamble are skipped (counted in ``discardedByteCount``); a
/// frame with a bad checksum or an absurd length is reported once as an error and decoding
/// resumes just after its preamble, so a real frame hidden behind noise is still found.
public struct SAMFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// The largest `LEN` accepted.
    public let maximumLength: Int
    /// How many bytes were skipped while looking for a preamble, since creation.
    public private(set) var discardedByteCount = 0

    /// Creates a decoder that rejects frames whose `LEN` exceeds `maximumLength`.
    public init(maximumLength: Int = SAMFrame.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    /// Bytes received and not yet part of a returned frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// The whole size of the frame being received, once its header is in.
    public var expectedFrameSize: Int? {
        guard bufferedByteCount >= SAMFrame.headerSize, hasPreamble(at: start) else { return nil }
        return SAMFrame.headerSize + Int(buffer[start + 5]) << 8 + Int(buffer[start + 6])
    }

    /// Adds bytes that arrived.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes that arrived. (Concrete overloads: a generic call from another module is
    /// not specialised and costs more than the decoding itself.)
    public mutating func append(_ bytes: [UInt8]) {
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes that arrived.
    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes that arrived, from a raw buffer (a `read(2)` target).
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthIt()
        buffer.append(contentsOf: bytes)
    }

    /// Forgets everything buffered (before a new request, after a timeout).
    public mutating func reset() {
        discardedByteCount += bufferedByteCount
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }

    /// The next complete frame, or `nil` when more bytes are needed.
    public mutating func nextFrame() throws(SAMProtocolError) -> SAMFrame? {
        let (result, consumed, discarded) = buffer.withUnsafeBufferPointer { raw in
            Self.scan(raw, from: start, maximumLength: maximumLength)
        }
        discardedByteCount += discarded
        start += consumed
        switch result {
        case .needMore:
            return nil
        case let .frame(payloadStart, payloadCount):
            return SAMFrame(payload: Array(buffer[payloadStart..<payloadStart + payloadCount]))
        case let .failure(error):
            throw error
        }
    }

    private enum ScanResult {
        case needMore
        case frame(payloadStart: Int, payloadCount: Int)
        case failure(SAMProtocolError)
    }

    /// Finds the next frame from `index`; returns how many bytes were consumed and discarded.
    private static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, from index: Int, maximumLength: Int
    ) -> (ScanResult, consumed: Int, discarded: Int) {
        var position = index
        let end = bytes.count
        // Resynchronise: skip to the first full preamble, keeping a partial one at the end.
        while position < end {
            if bytes[position] == 0xAA {
                let available = min(5, end - position)
                var matches = true
                for offset in 1..<available where bytes[position + offset] != SAMFrame.preamble[offset] {
                    matches = false
                    break
                }
                if matches { break }
            }
            position += 1
        }
        let skipped = position - index
        guard end - position >= SAMFrame.headerSize else {
            return (.needMore, skipped, skipped)
        }
        let length = Int(bytes[position + 5]) << 8 | Int(bytes[position + 6])
        if length < 3 {
            // Consume the preamble only: what follows may hold the real frame.
            return (
                .failure(SAMProtocolError(.lengthTooSmall, "length \(length) is below the minimum 3 (command or status and checksum)")),
                skipped + 5, skipped
            )
        }
        if length > maximumLength {
            return (
                .failure(SAMProtocolError(.lengthTooLarge, "length \(length) exceeds the maximum \(maximumLength)")),
                skipped + 5, skipped
            )
        }
        guard end - position >= SAMFrame.headerSize + length else {
            return (.needMore, skipped, skipped)
        }
        var sum = bytes[position + 5] ^ bytes[position + 6]
        let payloadStart = position + SAMFrame.headerSize
        let checksumIndex = payloadStart + length - 1
        var cursor = payloadStart
        // Eight bytes at a time, folded at the end: XOR does not care how bytes are grouped.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var wide: UInt64 = 0
            while cursor + 8 <= checksumIndex {
                wide ^= raw.loadUnaligned(fromByteOffset: cursor, as: UInt64.self)
                cursor += 8
            }
            wide ^= wide >> 32
            wide ^= wide >> 16
            wide ^= wide >> 8
            sum ^= UInt8(truncatingIfNeeded: wide)
        }
        while cursor < checksumIndex {
            sum ^= bytes[cursor]
            cursor += 1
        }
        if sum != bytes[checksumIndex] {
            return (.failure(SAMProtocolError.checksum(expected: sum, got: bytes[checksumIndex])), skipped + 5, skipped)
        }
        return (.frame(payloadStart: payloadStart, payloadCount: length - 1), skipped + SAMFrame.headerSize + length, skipped)
    }

    private func hasPreamble(at index: Int) -> Bool {
        buffer.count - index >= 5 && buffer[index] == 0xAA && buffer[index + 1] == 0xAA && buffer[index + 2] == 0xAA
            && buffer[index + 3] == 0x96 && buffer[index + 4] == 0x69
    }

    private mutating func compactIfWorthIt() {
        // Dropping consumed bytes costs a copy; do it only once they dominate the buffer.
        if start > 0 && (start == buffer.count || start >= 4096) {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
