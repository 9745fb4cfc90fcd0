import KioskCore
import Testing

@Suite("Touch calibration")
struct TouchCalibrationTests {
    /// Where each corner of the panel must land on the screen for each mounting: a panel turned
    /// 90° clockwise has its top-left corner at the screen's top-right, and so on.
    @Test(
        "Rotation matrices put the panel's corners on the right screen corners",
        arguments: [
            (PanelRotation.none, [(0.0, 0.0), (1, 0), (1, 1), (0, 1)]),
            (.clockwise90, [(1, 0), (1, 1), (0, 1), (0, 0)]),
            (.clockwise180, [(1, 1), (0, 1), (0, 0), (1, 0)]),
            (.clockwise270, [(0, 1), (0, 0), (1, 0), (1, 1)]),
        ])
    func rotation(rotation: PanelRotation, corners: [(Double, Double)]) {
        let panelCorners = [TouchPoint(x: 0, y: 0), TouchPoint(x: 1, y: 0), TouchPoint(x: 1, y: 1), TouchPoint(x: 0, y: 1)]
        let matrix = CalibrationMatrix.rotation(rotation)
        for (corner, expected) in zip(panelCorners, corners) {
            let landed = matrix.apply(corner)
            #expect(landed.distance(to: TouchPoint(x: expected.0, y: expected.1)) < 1e-12, "\(rotation) \(corner)")
        }
    }

    @Test("The rotation matrices are libinput's published ones")
    func libinputValues() {
        #expect(CalibrationMatrix.rotation(.clockwise90).values == [0, -1, 1, 1, 0, 0])
        #expect(CalibrationMatrix.rotation(.clockwise180).values == [-1, 0, 1, 0, -1, 1])
        #expect(CalibrationMatrix.rotation(.clockwise270).values == [0, 1, 0, -1, 0, 1])
    }

    @Test("Four quarter turns are no turn, and a mirror twice is no mirror", arguments: PanelMirror.allCases)
    func composition(mirror: PanelMirror) {
        let quarter = CalibrationMatrix.rotation(.clockwise90)
        #expect(quarter.then(quarter).then(quarter).then(quarter).isClose(to: .identity))
        #expect(quarter.then(quarter).isClose(to: .rotation(.clockwise180)))
        let flip = CalibrationMatrix.mirror(mirror)
        #expect(flip.then(flip).isClose(to: .identity))
        let point = TouchPoint(x: 0.2, y: 0.7)
        let oriented = CalibrationMatrix.orientation(rotation: .clockwise90, mirror: mirror)
        let expected = quarter.apply(flip.apply(point))
        #expect(oriented.apply(point).distance(to: expected) < 1e-12)
    }

    @Test("A matrix and its inverse cancel out")
    func inverse() throws {
        let skew = CalibrationMatrix(a: 1.04, b: 0.02, c: -0.03, d: -0.015, e: 0.97, f: 0.02)
        let inverse = try #require(skew.inverse)
        #expect(skew.then(inverse).isClose(to: .identity))
        #expect(CalibrationMatrix(a: 1, b: 2, c: 0, d: 2, e: 4, f: 0).inverse == nil)
    }

    @Test("Least squares recovers a skewed panel from five noisy touches")
    func recoversSkew() throws {
        let truth = CalibrationMatrix(a: 1.04, b: 0.02, c: -0.03, d: -0.015, e: 0.97, f: 0.02)
        let toPanel = try #require(truth.inverse)
        // A fixed pattern of small touch errors (±0.2 % of the screen), like a careful finger.
        let noise = [(0.002, -0.001), (-0.0015, 0.002), (0.001, 0.0015), (-0.002, -0.002), (0.0005, 0.001)]
        let samples = zip(CalibrationFit.standardTargets(), noise).map { target, error in
            let touch = toPanel.apply(target)
            return CalibrationSample(target: target, touch: TouchPoint(x: touch.x + error.0, y: touch.y + error.1))
        }
        let fit = try CalibrationFit(samples: samples)
        #expect(fit.matrix.isClose(to: truth, tolerance: 0.01))
        #expect(fit.rmsError < 0.003)
        // Exact touches give the exact matrix.
        let exact = CalibrationFit.standardTargets().map { CalibrationSample(target: $0, touch: toPanel.apply($0)) }
        #expect(try CalibrationFit(samples: exact).matrix.isClose(to: truth, tolerance: 1e-9))
    }

    @Test("Least squares recovers a rotated and mirrored panel")
    func recoversOrientation() throws {
        let truth = CalibrationMatrix.orientation(rotation: .clockwise270, mirror: .horizontal)
        let toPanel = try #require(truth.inverse)
        let samples = CalibrationFit.standardTargets().map { CalibrationSample(target: $0, touch: toPanel.apply($0)) }
        #expect(try CalibrationFit(samples: samples).matrix.isClose(to: truth, tolerance: 1e-9))
    }

    @Test("Too few touches, touches in a row and a missed target are refused")
    func refusals() {
        let targets = CalibrationFit.standardTargets()
        let three = targets.prefix(3).map { CalibrationSample(target: $0, touch: $0) }
        #expect(throws: CalibrationError.self) { try CalibrationFit(samples: three) }
        do {
            _ = try CalibrationFit(samples: three)
        } catch {
            #expect(error.code == .tooFewSamples)
        }
        let row = (0..<5).map { i in
            CalibrationSample(target: targets[i], touch: TouchPoint(x: Double(i) / 5, y: Double(i) / 5))
        }
        do {
            _ = try CalibrationFit(samples: row)
            Issue.record("collinear touches were accepted")
        } catch {
            #expect(error.code == .degenerate)
        }
        var missed = targets.map { CalibrationSample(target: $0, touch: $0) }
        missed[2].touch = TouchPoint(x: 0.5, y: 0.2)
        do {
            _ = try CalibrationFit(samples: missed)
            Issue.record("a missed target was accepted")
        } catch {
            #expect(error.code == .inconsistent)
        }
    }
}
