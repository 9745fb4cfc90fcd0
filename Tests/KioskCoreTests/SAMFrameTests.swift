import KioskCore
import Testing

/// Hex text to bytes, for writing frames as the reference does.
func bytes(_ hexText: String) -> [UInt8] {
    (try? SAMHexText.bytes(from: hexText)) ?? []
}

@Suite("SAM frames")
struct SAMFrameTests {
    // Every worked example of the reference, decoded exactly.
    @Test(
        "find card request",
        arguments: [
            ("AA AA AA 96 69 00 03 20 01 22", SAMCommand.findCard),
            ("AA AA AA 96 69 00 03 20 02 21", SAMCommand.selectCard),
            ("AA AA AA 96 69 00 03 30 01 32", SAMCommand.readTextAndPhoto),
        ])
    func requestExamples(text: String, command: SAMCommand) throws {
        let frame = try SAMFrame.decode(bytes(text))
        let request = try SAMRequest(frame)
        #expect(request.knownCommand == command)
        #expect(request.data.isEmpty)
        #expect(frame.length == 3)
        // And the encoder produces exactly the reference bytes.
        #expect(command.frame.bytes == bytes(text))
    }

    @Test func foundExample() throws {
        let frame = try SAMFrame.decode(bytes("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"))
        let response = try SAMResponse(frame)
        #expect(response.status == .cardFound)
        #expect(response.data == [0, 0, 0, 0])
        #expect(response.status.outcome == .success)
        #expect(response.frame.bytes == bytes("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"))
    }

    @Test(arguments: [
        ("AA AA AA 96 69 00 04 00 00 80 84", SAMStatus.noCard, SAMOutcome.noCard),
        ("AA AA AA 96 69 00 04 00 00 41 45", SAMStatus.readFailed, SAMOutcome.retryCard),
    ])
    func statusOnlyExamples(text: String, status: SAMStatus, outcome: SAMOutcome) throws {
        let response = try SAMResponse(SAMFrame.decode(bytes(text)))
        #expect(response.status == status)
        #expect(response.status.outcome == outcome)
        #expect(response.data.isEmpty)
    }

    @Test func selectReplyExample() throws {
        // `... 00 0C 00 00 90` + 8 bytes serial + CHK
        let serial: [UInt8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]
        var wire = bytes("AA AA AA 96 69 00 0C 00 00 90") + serial
        wire.append(wire[5...].reduce(0, ^))
        let response = try SAMResponse(SAMFrame.decode(wire))
        #expect(response.status == .ok)
        #expect(try CardSerial(data: response.data).raw == serial)
        #expect(wire.count == 7 + 0x0C)
    }

    @Test func readReplyExampleHeaderAndSize() throws {
        // Header AA AA AA 96 69 05 08 00 00 90 01 00 04 00 + 256 text + 1024 photo + CHK = 1295 bytes.
        let text = [UInt8](repeating: 0x20, count: 256).enumerated().map { $0.offset % 2 == 0 ? UInt8(0x20) : 0 }
        let photo = (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 31) }
        let record = SAMCardRecord(text: text, photo: photo)
        let wire = SAMResponse(status: .ok, data: record.replyData).frame.bytes
        #expect(wire.count == 1295)
        #expect(Array(wire.prefix(14)) == bytes("AA AA AA 96 69 05 08 00 00 90 01 00 04 00"))
        let decoded = try SAMCardRecord(data: SAMResponse(SAMFrame.decode(wire)).data, withFingerprint: false)
        #expect(decoded.text == text)
        #expect(decoded.photo == photo)
        #expect(decoded.fingerprint == nil)
    }

    @Test func checksumMismatchIsATypedErrorWithBothValues() {
        #expect {
            try SAMFrame.decode(bytes("AA AA AA 96 69 00 03 20 01 21"))
        } throws: { error in
            let error = error as? SAMProtocolError
            return error?.code == .checksumMismatch && error?.message == "checksum mismatch: expected 0x22, got 0x21"
        }
    }

    @Test func absurdLengthIsRejectedWithoutWaitingForIt() {
        var decoder = SAMFrameDecoder()
        decoder.append(bytes("AA AA AA 96 69 FF FF 00"))
        #expect(throws: SAMProtocolError.self) { try decoder.nextFrame() }
        #expect(throws: SAMProtocolError.self) { try SAMFrame.decode(bytes("AA AA AA 96 69 00 01 01")) }
    }

    @Test func resynchronisesAfterGarbageAndAfterABadFrame() throws {
        var decoder = SAMFrameDecoder()
        // Garbage, a partial preamble, a frame with a bad checksum, then a good frame.
        decoder.append(bytes("00 13 AA AA 55 AA AA AA 96 69 00 04 00 00 80 00"))
        decoder.append(bytes("AA AA AA 96 69 00 04 00 00 41 45"))
        #expect(throws: SAMProtocolError.self) { try decoder.nextFrame() }
        let frame = try #require(try decoder.nextFrame())
        #expect(try SAMResponse(frame).status == .readFailed)
        #expect(try decoder.nextFrame() == nil)
        #expect(decoder.discardedByteCount == 11)
    }

    @Test func decodesAFrameDeliveredOneByteAtATime() throws {
        let wire = SAMResponse(status: .ok, data: Array(0..<200)).frame.bytes
        var decoder = SAMFrameDecoder()
        var frames: [SAMFrame] = []
        for byte in bytes("55 AA") + wire + wire {
            decoder.append([byte])
            if let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        #expect(frames.count == 2)
        #expect(try frames.map { try SAMResponse($0).data } == [Array(0..<200), Array(0..<200)])
    }

    @Test func truncatedAndTrailingInputAreReported() {
        #expect(throws: SAMProtocolError.self) { try SAMFrame.decode(bytes("AA AA AA 96 69 00 08 00 00 9F")) }
        #expect(throws: SAMProtocolError.self) { try SAMFrame.decode(bytes("AA AA AA 96 69 00 04 00 00 80 84 00")) }
        #expect(throws: SAMProtocolError.self) { try SAMFrame.decode(bytes("01 02 03")) }
        #expect(throws: SAMProtocolError.self) { try SAMFrame.decode([UInt8]()) }
    }

    @Test func hexTextAcceptsCommonCaptureFormsAndRejectsOthers() throws {
        #expect(try SAMHexText.bytes(from: "0xAA,0xaa:aa-96 69\n00 03") == [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03])
        #expect(throws: SAMProtocolError.self) { try SAMHexText.bytes(from: "AA A") }
        #expect(throws: SAMProtocolError.self) { try SAMHexText.bytes(from: "AG") }
    }

    @Test(arguments: SAMCommand.allCases)
    func everyCommandRoundTrips(command: SAMCommand) throws {
        let request = try SAMRequest(SAMFrame.decode(command.frame.bytes))
        #expect(request.knownCommand == command)
    }

    @Test func samIDStringForm() throws {
        let id = try SAMID(data: [0x05, 0x00, 0x01, 0x00, 0x4C, 0xBC, 0x32, 0x01, 0x93, 0x0E, 0x01, 0x00, 0xF7, 0x2B, 0x4F, 0x0A])
        // 0x0132BC4C = 20102220, 0x00010E93 = 69267, 0x0A4F2BF7 = 172960759
        #expect(id.description == "05.01-20102220-0000069267-0172960759")
        #expect(id.hexString == "050001004CBC3201930E0100F72B4F0A")
        #expect(throws: SAMProtocolError.self) { try SAMID(data: [1, 2, 3]) }
    }

    @Test func readReplyWithInconsistentLengthsIsMalformed() {
        #expect(throws: SAMProtocolError.self) { try SAMCardRecord(data: [0x01, 0x00, 0x04, 0x00, 1, 2, 3], withFingerprint: false) }
        #expect(throws: SAMProtocolError.self) { try SAMCardRecord(data: [0x01], withFingerprint: true) }
    }
}

@Suite("SAM status codes")
struct SAMStatusTests {
    @Test(arguments: [
        (SAMStatus.ok, SAMOutcome.success), (.noData, .noData), (.cardFound, .success), (.noCard, .noCard),
        (.selectFailed, .retryCard), (.readFailed, .retryCard), (.hostChecksumError, .retryCommand),
        (.hostLengthError, .retryCommand), (.commandError, .hostError), (.notPermitted, .hostError),
        (.unrecognisedError, .unrecognised), (.cardAuthenticationFailed, .cardNotVerifiable),
        (.samAuthenticationFailed, .cardNotVerifiable), (.dataVerificationFailed, .cardNotVerifiable),
        (.unknownCardType, .cardNotSupported), (.getRandomFailed, .retryCard), (.samSelfTestFailed, .hardwareError),
        (.samNotAuthorised, .hardwareError), (SAMStatus(0x77), .unrecognised),
    ])
    func outcome(status: SAMStatus, outcome: SAMOutcome) throws {
        #expect(status.outcome == outcome)
        // A response frame carrying the status decodes to it.
        let decoded = try SAMResponse(SAMFrame.decode(SAMResponse(status: status).frame.bytes))
        #expect(decoded.status == status)
        #expect(status.outcome.concernsCitizen == (status.outcome.citizenMessage != nil && outcome != .retryCard))
    }

    @Test func everyDocumentedStatusHasAMeaning() {
        for status in SAMStatus.documented {
            #expect(status.meaning != "undocumented status", "\(status.rawValue)")
        }
        #expect(SAMStatus.documented.count == 18)
    }
}
