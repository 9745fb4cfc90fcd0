import KioskCore
import Testing

@testable import KioskDevices

@Suite("Touch pipeline details")
struct TouchPipelineTests {
    static let panel = EvdevDeviceDescription(
        name: "test panel", bus: 3, vendor: 0x222a, product: 1, properties: [2],
        eventBits: [0: [0x0b], 1: Array(repeating: 0, count: 41) + [0x04], 3: [0x03, 0, 0, 0, 0, 0x80, 0x60, 0x02]],
        axes: [
            EvdevCode.absMTSlot: AbsoluteAxis(minimum: 0, maximum: 9), EvdevCode.absMTPositionX: AbsoluteAxis(minimum: 0, maximum: 1000),
            EvdevCode.absMTPositionY: AbsoluteAxis(minimum: 0, maximum: 1000),
        ])

    func run(
        _ script: [(Int64, UInt16, UInt16, Int32)], quirk: Bool = true, filters: TouchFilterSettings = .none
    ) throws
        -> [TouchOutput]
    {
        let profile = TouchProfileSettings(quirks: .init(releaseOnButtonUp: quirk), filters: filters)
        var pipeline = try TouchPipeline(device: Self.panel, configuration: try TouchConfiguration(profile: profile))
        var outputs: [TouchOutput] = []
        for (ms, type, code, value) in script {
            pipeline.process(InputEvent(time: .init(milliseconds: ms), type: type, code: code, value: value), into: &outputs)
        }
        pipeline.finish(into: &outputs)
        return outputs
    }

    func taps(_ outputs: [TouchOutput]) -> [TouchPoint] {
        outputs.compactMap { if case let .gesture(gesture) = $0, gesture.kind == .tap { gesture.point } else { nil } }
    }

    /// Firmware that ends a touch with BTN_TOUCH 0 but never sends TRACKING_ID -1, then touches
    /// again without a new tracking id (the kernel drops the repeated value).
    static let lostRelease: [(Int64, UInt16, UInt16, Int32)] = [
        (0, 3, EvdevCode.absMTTrackingID, 7), (0, 3, EvdevCode.absMTPositionX, 200), (0, 3, EvdevCode.absMTPositionY, 300),
        (0, 1, EvdevCode.buttonTouch, 1), (0, 0, 0, 0),
        (80, 1, EvdevCode.buttonTouch, 0), (80, 0, 0, 0),
        (1000, 3, EvdevCode.absMTPositionX, 700), (1000, 3, EvdevCode.absMTPositionY, 600), (1000, 1, EvdevCode.buttonTouch, 1),
        (1000, 0, 0, 0),
        (1090, 1, EvdevCode.buttonTouch, 0), (1090, 0, 0, 0),
    ]

    @Test("BTN_TOUCH 0 ends a contact whose release was lost, and the next touch is seen")
    func lostReleases() throws {
        let points = taps(try run(Self.lostRelease))
        #expect(points.count == 2)
        #expect(points.first.map { $0.distance(to: TouchPoint(x: 0.2, y: 0.3)) < 1e-9 } == true)
        #expect(points.last.map { $0.distance(to: TouchPoint(x: 0.7, y: 0.6)) < 1e-9 } == true)
        // Without the quirk the first contact never ends: no tap at all.
        #expect(taps(try run(Self.lostRelease, quirk: false)).isEmpty)
    }

    @Test("A finger lifted and another put down in one frame: release first, then the new touch")
    func sameFrameOrder() throws {
        let script: [(Int64, UInt16, UInt16, Int32)] = [
            (0, 3, EvdevCode.absMTTrackingID, 1), (0, 3, EvdevCode.absMTPositionX, 100), (0, 3, EvdevCode.absMTPositionY, 100),
            (0, 0, 0, 0),
            (60, 3, EvdevCode.absMTTrackingID, -1), (60, 3, EvdevCode.absMTSlot, 1), (60, 3, EvdevCode.absMTTrackingID, 2),
            (60, 3, EvdevCode.absMTPositionX, 900), (60, 3, EvdevCode.absMTPositionY, 900), (60, 0, 0, 0),
            (150, 3, EvdevCode.absMTTrackingID, -1), (150, 0, 0, 0),
        ]
        for filters in [TouchFilterSettings.none, TouchFilterSettings()] {
            let outputs = try run(script, filters: filters)
            let phases = outputs.compactMap { if case let .contact(change) = $0 { change.phase } else { nil } }
            #expect(phases == [.began, .ended, .began, .ended])
            #expect(taps(outputs).count == 2)
        }
    }
}
