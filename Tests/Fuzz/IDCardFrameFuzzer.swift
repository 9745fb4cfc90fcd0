// libFuzzer entry for the SAM frame decoder and everything behind it (responses, requests,
// read records, card layouts, ID number checks). Built by scripts/fuzz-idcard.sh together
// with Sources/KioskCore/IDCard/*.swift; not part of the SwiftPM package.

@_cdecl("LLVMFuzzerTestOneInput")
public func idCardFrameFuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: start, count: count))
    guard let first = input.first else { return 0 }
    // The first byte chooses how the rest is cut, as a serial line or USB would deliver it.
    let piece = Int(first % 64) + 1
    let bytes = input.dropFirst()
    var decoder = SAMFrameDecoder(maximumLength: first & 0x80 == 0 ? SAMFrame.defaultMaximumLength : 64)
    var index = bytes.startIndex
    var frames = 0
    while index < bytes.endIndex {
        let end = min(index + piece, bytes.endIndex)
        decoder.append(bytes[index..<end])
        index = end
        while true {
            do {
                guard let frame = try decoder.nextFrame() else { break }
                frames += 1
                check(frame)
            } catch {
                // A typed error is the expected answer to bad input; keep decoding.
                _ = error.message
            }
        }
    }
    // Whole-input decoding and the HID reassembler must cope too.
    _ = try? SAMFrame.decode(input)
    var hid = SAMHIDReassembler(format: SAMHIDReportFormat(reportSize: piece + 8, includesPreamble: first & 1 == 0))
    var offset = 0
    while offset < input.count {
        let end = min(offset + piece + 8, input.count)
        _ = try? hid.append(report: Array(input[offset..<end]))
        offset = end
    }
    return 0
}

private func check(_ frame: SAMFrame) {
    // Re-encoding a decoded frame gives a frame that decodes to the same payload.
    guard let again = try? SAMFrame.decode(frame.bytes), again == frame else {
        fatalError("a decoded frame does not survive re-encoding")
    }
    if let response = try? SAMResponse(frame) {
        _ = response.status.outcome
        for fingerprint in [false, true] {
            if let record = try? SAMCardRecord(data: response.data, withFingerprint: fingerprint) {
                if let card = try? record.cardData(additionalAddress: Array(response.data.prefix(70))) {
                    _ = card.masked()
                    _ = "\(card)"
                }
            }
        }
        _ = try? SAMID(data: response.data).description
    }
    _ = try? SAMCapture(frame)
    _ = try? SAMRequest(frame).knownCommand
}
