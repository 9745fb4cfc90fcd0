import Foundation
import KioskCore
import KioskFiles
import Testing

@testable import KioskDevices

@Suite("evemu recordings")
struct EvemuRecordingTests {
    static let header = """
        # EVEMU 1.3
        N: ILITEK ILITEK-TP
        I: 0003 222a 0001 0110
        P: 02 00 00 00 00 00 00 00
        B: 00 1b 00 00 00 00 00 00 00
        B: 03 03 00 00 00 00 80 60 02
        A: 2f 0 9 0 0 0
        A: 35 0 16383 0 0 0
        A: 36 0 9599 0 0 0

        """

    @Test("The shipped recordings parse, with their device description")
    func shipped() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: touchRecordingsFolder).filter { $0.hasSuffix(".evemu") }
        #expect(files.count >= 8)
        for file in files {
            let recording = try shippedRecording(file)
            #expect(!recording.events.isEmpty, "\(file)")
            #expect(recording.device.positionAxes != nil, "\(file)")
        }
        let ilitek = try shippedRecording("taps.evemu").device
        #expect(ilitek.name == "ILITEK ILITEK-TP")
        #expect(ilitek.usbID == USBID(vendor: 0x222a, product: 0x0001))
        #expect(ilitek.isTouchScreen && ilitek.isMultitouch && ilitek.slotCount == 10)
        let egalax = try shippedRecording("single-touch.evemu").device
        #expect(egalax.isSingleTouch && !egalax.isMultitouch)
        #expect(!egalax.hasProperty(EvdevCode.propertyDirect))
    }

    @Test("Event lines keep their time, type, code and signed value")
    func events() throws {
        let text =
            Self.header + """
                E: 0.000001 0003 0039 0012\t# EV_ABS / ABS_MT_TRACKING_ID 12
                E: 0.000001 0003 0035 812
                E: 1.5 0000 0000 0000
                E: 2.020000 0003 0039 -001   # lifted
                """
        let recording = try EvemuRecording(text: text)
        #expect(recording.events.count == 4)
        #expect(recording.events[0] == InputEvent(seconds: 0, microseconds: 1, type: 3, code: 0x39, value: 12))
        #expect(recording.events[2].time == TouchInstant(microseconds: 1_500_000))
        #expect(recording.events[3].value == -1)
    }

    @Test(
        "A malformed recording is reported at its line",
        arguments: [
            ("E: 0.000001 0003 0039", "time, a type, a code"),
            ("E: x.1 0003 0039 1", "not a time"),
            ("E: 0.1 0z03 0039 1", "event type"),
            ("E: 0.1 0003 0039 12abc", "decimal event value"),
            ("I: 0003 222a 0001", "four hex numbers"),
            ("A: 35 100 0 0 0 0", "minimum is above"),
            ("B: 03 zz", "bitmask"),
            ("what is this", "expected a line"),
            ("X: 1 2", "unknown line type"),
        ])
    func malformed(line: String, message: String) {
        let text = Self.header + "E: 0.100000 0000 0000 0000\n" + line + "\n"
        do {
            _ = try EvemuRecording(text: text, file: "bad.evemu")
            Issue.record("'\(line)' was accepted")
        } catch {
            #expect(error.code == .malformedRecording)
            #expect(error.location == SourceLocation(file: "bad.evemu", line: 11), "\(error)")
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("Time going backwards is refused at the line where it happens")
    func backwards() {
        let text = Self.header + "E: 1.000000 0000 0000 0000\nE: 0.500000 0000 0000 0000\n"
        #expect(throws: TouchError.self) { try EvemuRecording(text: text) }
        do {
            _ = try EvemuRecording(text: text, file: "t")
        } catch {
            #expect(error.location?.line == 11)
        }
    }

    @Test("A missing file is a clear error, not a crash")
    func missingFile() {
        #expect(throws: TouchError.self) { try EvemuRecording.load(path: "/nonexistent/x.evemu") }
    }

    @Test("A recording written back reads the same")
    func roundTrip() throws {
        let original = try shippedRecording("syn-dropped.evemu")
        let again = try EvemuRecording(text: original.text())
        #expect(again == original)
    }

    @Test("input_event records are 24 bytes and read back identical")
    func binaryRecords() {
        let events = [
            InputEvent(seconds: 1_700_000_000, microseconds: 123_456, type: 3, code: 0x39, value: -1),
            InputEvent(seconds: 5, microseconds: 0, type: 1, code: 0x14a, value: 1),
        ]
        let bytes = events.flatMap(\.bytes)
        #expect(bytes.count == 48)
        let back = bytes.withUnsafeBytes { raw in [InputEvent(bytes: raw, at: 0), InputEvent(bytes: raw, at: 24)] }
        #expect(back == events)
    }
}
