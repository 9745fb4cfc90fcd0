import KioskCore
import Testing

@Suite("Gesture recognition")
struct GestureRecognizerTests {
    /// Feeds changes given as (milliseconds, contact, phase, x, y); returns what was recognised.
    func recognise(
        _ script: [(Int64, Int, TouchPhase, Double, Double)], until end: Int64? = nil,
        settings: GestureSettings = .init()
    ) -> [GestureOutput] {
        var recognizer = GestureRecognizer(settings: settings)
        var output: [GestureOutput] = []
        for (ms, contact, phase, x, y) in script {
            recognizer.process(
                TouchContactChange(contact: contact, phase: phase, point: TouchPoint(x: x, y: y), time: .init(milliseconds: ms)),
                into: &output)
        }
        if let end { recognizer.advance(to: .init(milliseconds: end), into: &output) }
        return output
    }

    func gestures(_ outputs: [GestureOutput]) -> [TouchGesture] {
        outputs.compactMap { if case let .gesture(gesture) = $0 { gesture } else { nil } }
    }

    @Test("A short still touch is a tap where the finger landed")
    func tap() throws {
        let found = gestures(recognise([(0, 1, .began, 0.3, 0.4), (40, 1, .moved, 0.301, 0.401), (90, 1, .ended, 0.301, 0.401)]))
        let tap = try #require(found.first)
        #expect(found.count == 1)
        #expect(tap.kind == .tap && tap.fingers == 1)
        #expect(tap.point.distance(to: TouchPoint(x: 0.3, y: 0.4)) < 1e-9)
    }

    @Test("A touch held still is one long press, recognised while the finger is down")
    func longPress() {
        let script: [(Int64, Int, TouchPhase, Double, Double)] = [(0, 1, .began, 0.5, 0.5)]
        #expect(gestures(recognise(script, until: 799)).isEmpty)
        let held = gestures(recognise(script, until: 2000))
        #expect(held.map(\.kind) == [.longPress])
        // Lifting after a long press is not also a tap.
        #expect(gestures(recognise(script + [(2100, 1, .ended, 0.5, 0.5)], until: 2200)).map(\.kind) == [.longPress])
    }

    @Test(
        "Swipes are recognised by direction and finger count",
        arguments: [
            (0.8, 0.5, 0.3, 0.5, SwipeDirection.left), (0.2, 0.5, 0.7, 0.5, .right), (0.5, 0.8, 0.5, 0.3, .up),
            (0.5, 0.2, 0.5, 0.7, .down),
        ])
    func swipe(x0: Double, y0: Double, x1: Double, y1: Double, direction: SwipeDirection) throws {
        let single = gestures(recognise([(0, 1, .began, x0, y0), (100, 1, .moved, x1, y1), (200, 1, .ended, x1, y1)]))
        #expect(single.map(\.kind) == [.swipe])
        #expect(single.first?.direction == direction)
        let double = gestures(
            recognise([
                (0, 1, .began, x0 - 0.05, y0), (10, 2, .began, x0 + 0.05, y0), (150, 1, .moved, x1 - 0.05, y1),
                (150, 2, .moved, x1 + 0.05, y1), (250, 1, .ended, x1 - 0.05, y1), (260, 2, .ended, x1 + 0.05, y1),
            ]))
        #expect(double.count == 1)
        #expect(double.first?.fingers == 2 && double.first?.direction == direction)
    }

    @Test("A slow drag is neither a tap nor a swipe")
    func slowDrag() {
        let drag = recognise(
            [
                (0, 1, .began, 0.2, 0.5), (300, 1, .moved, 0.3, 0.5), (700, 1, .moved, 0.45, 0.5), (1100, 1, .moved, 0.6, 0.5),
                (1500, 1, .moved, 0.7, 0.5), (1600, 1, .ended, 0.7, 0.5),
            ], until: 3000)
        #expect(gestures(drag).isEmpty)
    }

    @Test("Three fingers held in the configured corner ask for maintenance once; elsewhere they do not")
    func technicianGesture() {
        let corner: [(Int64, Int, TouchPhase, Double, Double)] = [
            (0, 1, .began, 0.05, 0.05), (20, 2, .began, 0.12, 0.08), (30, 3, .began, 0.08, 0.15),
        ]
        let outputs = recognise(corner, until: 5000)
        let requests = outputs.filter { if case .maintenanceRequest = $0 { true } else { false } }
        #expect(requests.count == 1)
        #expect(gestures(outputs).map(\.kind) == [.longPress])
        #expect(gestures(outputs).first?.fingers == 3)

        let middle = corner.map { ($0.0, $0.1, $0.2, $0.3 + 0.4, $0.4 + 0.4) }
        #expect(!recognise(middle, until: 5000).contains { if case .maintenanceRequest = $0 { true } else { false } })

        var bottomRight = GestureSettings()
        bottomRight.technician = TechnicianGesture(fingers: 3, holdMilliseconds: 2000, corner: .bottomRight, cornerSize: 0.3)
        #expect(
            !recognise(corner, until: 5000, settings: bottomRight).contains { if case .maintenanceRequest = $0 { true } else { false } })
        bottomRight.technician = nil
        #expect(
            !recognise(corner, until: 5000, settings: bottomRight).contains { if case .maintenanceRequest = $0 { true } else { false } })
    }

    @Test("A cancelled contact completes no gesture")
    func cancelled() {
        #expect(recognise([(0, 1, .began, 0.3, 0.3), (50, 1, .cancelled, 0.3, 0.3)], until: 100).isEmpty)
    }
}
