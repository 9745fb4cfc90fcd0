import Foundation
import KioskCore
import KioskDevices
import Testing

@Suite("Serial transport against the simulator on a pseudo-terminal", .serialized)
struct SerialSAMTransportTests {
    @Test(arguments: sampleCardFiles)
    func readsEverySampleCard(file: String) async throws {
        let card = try sampleCard(file)
        try await withSimulatorOnPTY(card: card) { _, reader, _ async throws in
            try await reader.checkSAM()
            let read = try #require(try await reader.readPresentCard(withFingerprint: card.fingerprint != nil))
            // As the common readers do: eight zero bytes, not the card's serial.
            #expect(read.serial.raw == [UInt8](repeating: 0, count: 8))
            #expect(read.data.type == card.data.type)
            #expect(read.data.name == card.data.name)
            #expect(read.data.idNumber == card.data.idNumber)
            #expect(read.data.birthDate == card.data.birthDate)
            #expect(read.data.englishName == card.data.englishName)
            #expect(read.data.additionalAddress == card.additionalAddress)
            #expect(read.data.photo.wlt.count == 1024)
            #expect(read.data.fingerprint.map(\.count) == card.fingerprint.map(\.count))
            #expect(read.data.idNumberLooksValid)
            // A card that was read is not found again until it is lifted.
            #expect(try await reader.findCard() == false)
        }
    }

    @Test func samIDAndNoCard() async throws {
        try await withSimulatorOnPTY { sam, reader, _ async throws in
            #expect(try await reader.readSAMID().raw == sam.samID)
            #expect(try await reader.findCard() == false)
            #expect(try await reader.readPresentCard() == nil)
        }
    }

    @Test func corruptedChecksumIsRetriedOnce() async throws {
        try await withSimulatorOnPTY(card: try sampleCard("resident-id.yaml")) { sam, reader, _ async throws in
            sam.inject(.corruptChecksum(for: .findCard))
            #expect(try await reader.findCard())
        }
    }

    @Test func corruptedChecksumWithoutRetryIsATypedError() async throws {
        try await withSimulatorOnPTY(card: try sampleCard("resident-id.yaml"), retries: 0) { sam, reader, _ async throws in
            sam.inject(.corruptChecksum(for: .findCard))
            let error = await #expect(throws: IDCardReaderError.self) { try await reader.findCard() }
            #expect(error?.code == .protocolError)
            #expect(error?.message.contains("checksum mismatch: expected 0x97, got 0x98") == true)
        }
    }

    @Test(arguments: SAMStatus.documented.filter { ![.ok, .cardFound, .noData, .hostChecksumError, .hostLengthError].contains($0) })
    func eachErrorStatusReachesTheCaller(status: SAMStatus) async throws {
        try await withSimulatorOnPTY(card: try sampleCard("resident-id.yaml")) { sam, reader, _ async throws in
            #expect(try await reader.findCard())
            _ = try await reader.selectCard()
            sam.inject(.status(status, for: .readTextAndPhoto))
            let error = await #expect(throws: IDCardReaderError.self) { try await reader.readCard() }
            #expect(error?.code == .status)
            #expect(error?.status == status)
            #expect(error?.fault.action == status.outcome.recommendedAction ?? .suspend)
        }
    }

    @Test func hostLineNoiseStatusesAreRetried() async throws {
        try await withSimulatorOnPTY { sam, reader, _ async throws in
            sam.inject(.status(.hostChecksumError, for: .samStatus))
            try await reader.checkSAM()
            sam.inject(.status(.hostLengthError, for: .samStatus))
            sam.inject(.status(.hostLengthError, for: .samStatus))
            let error = await #expect(throws: IDCardReaderError.self) { try await reader.checkSAM() }
            #expect(error?.status == .hostLengthError)
        }
    }

    @Test func slowReplyWithinTheTimeoutIsRead() async throws {
        var timeouts = patientTimeouts
        timeouts.findCard = .seconds(3)
        try await withSimulatorOnPTY(card: try sampleCard("resident-id.yaml"), timeouts: timeouts) { sam, reader, _ async throws in
            sam.inject(.slowReply(.milliseconds(400), for: .findCard))
            #expect(try await reader.findCard())
        }
    }

    @Test func slowReplyBeyondTheTimeoutTimesOut() async throws {
        var timeouts = patientTimeouts
        timeouts.findCard = .milliseconds(300)
        try await withSimulatorOnPTY(card: try sampleCard("resident-id.yaml"), timeouts: timeouts) { sam, reader, server async throws in
            sam.inject(.slowReply(.milliseconds(700), for: .findCard))
            let started = ContinuousClock.now
            let error = await #expect(throws: IDCardReaderError.self) { try await reader.findCard() }
            #expect(error?.code == .timeout)
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            // The late reply must not be taken for the next command's: wait until it has come.
            let deadline = ContinuousClock.now + .seconds(30)
            while server.repliesSent < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.repliesSent == 1)
            #expect(try await reader.readSAMID().raw == sam.samID)
        }
    }

    @Test func repliesInSmallChunksWithGarbageBetweenFrames() async throws {
        let card = try sampleCard("foreign-permanent-resident-2023.yaml")
        try await withSimulatorOnPTY(card: card) { sam, reader, _ async throws in
            sam.behaviour = .init(chunkSize: 7, chunkGap: .milliseconds(1), garbageBeforeReply: [0x00, 0xAA, 0x55, 0xAA, 0xAA, 0x96])
            let read = try #require(try await reader.readPresentCard())
            #expect(read.data.englishName == card.data.englishName)
            #expect(read.data.idNumber == card.data.idNumber)
        }
    }

    @Test func cardLiftedMidReadEndsTheReadAndTheCardIsGone() async throws {
        var timeouts = patientTimeouts
        timeouts.read = .milliseconds(600)
        try await withSimulatorOnPTY(card: try sampleCard("resident-id.yaml"), timeouts: timeouts) { sam, reader, _ async throws in
            sam.inject(.cardLiftedMidRead)
            #expect(try await reader.findCard())
            _ = try await reader.selectCard()
            let error = await #expect(throws: IDCardReaderError.self) { try await reader.readCard() }
            #expect(error?.code == .timeout)
            #expect(try await reader.findCard() == false)
        }
    }

    @Test func unplugMidReadEndsTheReadAsDisconnected() async throws {
        try await withSimulatorOnPTY(card: try sampleCard("resident-id.yaml")) { sam, reader, _ async throws in
            sam.inject(.unplugMidRead)
            #expect(try await reader.findCard())
            _ = try await reader.selectCard()
            let error = await #expect(throws: IDCardReaderError.self) { try await reader.readCard() }
            #expect(error?.code == .disconnected)
            #expect(error?.meansDeviceGone == true)
            #expect(error?.unavailable.state == .noDevice)
        }
    }

    @Test func theLineIsOpenedExclusively() async throws {
        try await withSimulatorOnPTY { _, _, server async throws in
            let error = #expect(throws: IDCardReaderError.self) { try SerialSAMTransport(path: try require(server.path)) }
            #expect(error?.code == .busy)
        }
    }

    @Test func setBaudSwitchesTheSAMAndThenTheHostLine() async throws {
        try await withSimulatorOnPTY { sam, reader, _ async throws in
            let serial = try #require(reader.transport as? SerialSAMTransport)
            #expect(serial.configuredSpeed == 115200)
            try await reader.setBaudRate(.b9600)
            #expect(sam.rate == .b9600)
            #expect(serial.configuredSpeed == 9600)
            #expect(serial.rate == .b9600)
            try await reader.checkSAM()
        }
    }

    @Test func missingDeviceIsNotFound() {
        let error = #expect(throws: IDCardReaderError.self) { try SerialSAMTransport(path: "/dev/ttyUSB-absent-\(getpid())") }
        #expect(error?.code == .notFound)
        #expect(error?.meansDeviceGone == true)
    }
}
