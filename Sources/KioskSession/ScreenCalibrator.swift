import Foundation
import KioskAPI
import KioskCore
import KioskDevices

/// What the screen draws during calibration: the target to touch (screen fractions), or the end.
public struct CalibrationTargetEvent: BusEvent, Hashable {
    public static let topic = "touch.calibration"
    /// `target`, `done` or `cancelled`.
    public var state: String
    /// 1-based number of the target, and how many there are.
    public var index: Int
    public var total: Int
    public var x: Double
    public var y: Double
}

/// Runs the calibration procedure on the kiosk's own screen: shows each target, takes the
/// next single-finger tap for it, and fits the matrix by least squares.
///
/// The taps arrive calibrated with the matrix in use; they are mapped back through its
/// inverse, so the new matrix replaces the old one rather than correcting it.
public actor ScreenCalibrator {
    private let bus: EventBus
    private let current: CalibrationMatrix
    private let isScreenFree: @Sendable () async -> Bool
    private var running = false

    /// - Parameters:
    ///   - current: the calibration the touch driver applies now (identity if none).
    ///   - isScreenFree: whether no citizen is using the kiosk (calibration takes the screen).
    public init(bus: EventBus, current: CalibrationMatrix, isScreenFree: @escaping @Sendable () async -> Bool) {
        self.bus = bus
        self.current = current
        self.isScreenFree = isScreenFree
    }

    public func calibrate(targets: [TouchPoint], timeout: Duration) async throws(ScreenCalibrationError) -> CalibrationReport {
        guard !running else { throw ScreenCalibrationError(.busy, "a calibration is already running on the screen") }
        guard await isScreenFree() else {
            throw ScreenCalibrationError(.screenInUse, "a citizen is using the kiosk; calibrate when the attract screen is shown")
        }
        guard let inverse = current.inverse else {
            throw ScreenCalibrationError(
                .currentNotInvertible, "the configured touch.calibration cannot be inverted; remove it and calibrate again")
        }
        running = true
        defer { running = false }
        var session = CalibrationSession(targets: targets)
        let taps = bus.subscribe()
        func show(_ state: String) {
            let next = session.nextTarget ?? TouchPoint(x: 0.5, y: 0.5)
            bus.publish(
                CalibrationTargetEvent(
                    state: state, index: min(session.touches.count + 1, targets.count), total: targets.count, x: next.x, y: next.y))
        }
        show("target")
        let finished = await withTaskGroup(of: Bool.self) { group -> CalibrationSession? in
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            group.addTask { [session] in
                var session = session
                for await event in taps {
                    guard let gesture = (event as? TouchGestureEvent)?.gesture, gesture.kind == .tap, gesture.fingers == 1 else {
                        continue
                    }
                    var raw = gesture
                    raw.point = inverse.apply(gesture.point)
                    session.take([.gesture(raw)])
                    if session.nextTarget == nil { break }
                    let next = session.nextTarget!
                    self.bus.publish(
                        CalibrationTargetEvent(
                            state: "target", index: session.touches.count + 1, total: targets.count, x: next.x, y: next.y))
                }
                await self.collected(session)
                return session.nextTarget == nil
            }
            let done = await group.next() ?? false
            group.cancelAll()
            return done ? self.lastSession : nil
        }
        guard let finished else {
            show("cancelled")
            throw ScreenCalibrationError(
                .timedOut, "not every target was touched within \(timeout.components.seconds) s; run the calibration again")
        }
        session = finished
        show("done")
        do {
            let fit = try session.fit()
            return CalibrationReport(
                matrix: fit.matrix.values, rmsError: fit.rmsError, worstError: fit.worstError, targets: session.targets,
                touches: session.touches)
        } catch {
            throw ScreenCalibrationError(
                .unusableTouches, "the touches do not give a usable calibration (\(error.message)); touch each target's centre and repeat",
                cause: error)
        }
    }

    private var lastSession: CalibrationSession?
    private func collected(_ session: CalibrationSession) { lastSession = session }
}
