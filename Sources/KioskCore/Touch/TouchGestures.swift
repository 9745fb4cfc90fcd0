/// A moment on the touch panel's clock, in microseconds (the kernel's event time).
public struct TouchInstant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(milliseconds: Int64) { self.microseconds = milliseconds * 1000 }

    public static func < (lhs: TouchInstant, rhs: TouchInstant) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The instant `milliseconds` later.
    public func adding(milliseconds: Int) -> TouchInstant {
        TouchInstant(microseconds: microseconds + Int64(milliseconds) * 1000)
    }

    /// Milliseconds from `earlier` to this instant.
    public func milliseconds(since earlier: TouchInstant) -> Double {
        Double(microseconds - earlier.microseconds) / 1000
    }

    public var description: String {
        let seconds = microseconds / 1_000_000, rest = abs(microseconds % 1_000_000)
        let fraction = String(rest)
        return "\(seconds).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    public init(from decoder: any Decoder) throws {
        microseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microseconds)
    }
}

/// What a finger did, after calibration and filtering.
public enum TouchPhase: String, Sendable, Hashable, Codable {
    /// A finger touched the screen.
    case began
    /// It moved.
    case moved
    /// It was lifted.
    case ended
    /// It is no longer followed (a stuck contact released by the daemon, a lost resync): no
    /// gesture may be completed with it.
    case cancelled
}

/// One change of one contact, in screen coordinates.
public struct TouchContactChange: Sendable, Hashable, Codable {
    /// Stable for the life of the contact (not the kernel's slot).
    public var contact: Int
    public var phase: TouchPhase
    public var point: TouchPoint
    public var time: TouchInstant

    public init(contact: Int, phase: TouchPhase, point: TouchPoint, time: TouchInstant) {
        self.contact = contact
        self.phase = phase
        self.point = point
        self.time = time
    }
}

/// Which way a swipe went, on the screen.
public enum SwipeDirection: String, Sendable, Hashable, Codable {
    case left, right, up, down
}

/// A corner of the screen.
public enum ScreenCorner: String, Sendable, Hashable, Codable, CaseIterable {
    case topLeft = "top-left"
    case topRight = "top-right"
    case bottomLeft = "bottom-left"
    case bottomRight = "bottom-right"

    /// Whether `point` lies within `size` (a screen fraction) of this corner on both axes.
    public func contains(_ point: TouchPoint, size: Double) -> Bool {
        let nearLeft = point.x <= size, nearRight = point.x >= 1 - size
        let nearTop = point.y <= size, nearBottom = point.y >= 1 - size
        switch self {
        case .topLeft: return nearLeft && nearTop
        case .topRight: return nearRight && nearTop
        case .bottomLeft: return nearLeft && nearBottom
        case .bottomRight: return nearRight && nearBottom
        }
    }
}

/// A recognised gesture.
public struct TouchGesture: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        case tap
        case longPress = "long-press"
        case swipe
    }

    public var kind: Kind
    /// How many fingers made it.
    public var fingers: Int
    /// Where it started (the fingers' centre).
    public var point: TouchPoint
    /// For a swipe, where it ended.
    public var end: TouchPoint?
    public var direction: SwipeDirection?
    /// When it was recognised.
    public var time: TouchInstant

    public init(
        kind: Kind, fingers: Int, point: TouchPoint, end: TouchPoint? = nil, direction: SwipeDirection? = nil,
        time: TouchInstant
    ) {
        self.kind = kind
        self.fingers = fingers
        self.point = point
        self.end = end
        self.direction = direction
        self.time = time
    }

    /// `tap 1 (0.5, 0.5)`, `swipe 2 left`: the short form used by `kioskctl touch replay` and tests.
    public var description: String {
        switch kind {
        case .swipe: "swipe \(fingers) \(direction?.rawValue ?? "?")"
        case .tap, .longPress: "\(kind.rawValue) \(fingers) \(point)"
        }
    }
}

/// The gesture a technician makes to ask for maintenance mode (a long press with several
/// fingers in one corner: something no citizen does by accident).
public struct TechnicianGesture: Sendable, Hashable, Codable {
    public var fingers: Int
    public var holdMilliseconds: Int
    public var corner: ScreenCorner
    /// How far from the corner the fingers' centre may be, as a screen fraction.
    public var cornerSize: Double

    public init(fingers: Int = 3, holdMilliseconds: Int = 3000, corner: ScreenCorner = .topLeft, cornerSize: Double = 0.3) {
        self.fingers = fingers
        self.holdMilliseconds = holdMilliseconds
        self.corner = corner
        self.cornerSize = cornerSize
    }
}

/// The thresholds of gesture recognition.
public struct GestureSettings: Sendable, Hashable, Codable {
    /// A tap is shorter than this.
    public var tapMaxMilliseconds: Int
    /// A press held still this long is a long press.
    public var longPressMilliseconds: Int
    /// Fingers that stay within this distance (screen fraction) have not moved.
    public var slop: Double
    /// A swipe covers at least this distance...
    public var swipeMinDistance: Double
    /// ...within this time.
    public var swipeMaxMilliseconds: Int
    /// The maintenance gesture; `nil` disables it.
    public var technician: TechnicianGesture?

    public init(
        tapMaxMilliseconds: Int = 350, longPressMilliseconds: Int = 800, slop: Double = 0.03,
        swipeMinDistance: Double = 0.12, swipeMaxMilliseconds: Int = 1000, technician: TechnicianGesture? = .init()
    ) {
        self.tapMaxMilliseconds = tapMaxMilliseconds
        self.longPressMilliseconds = longPressMilliseconds
        self.slop = slop
        self.swipeMinDistance = swipeMinDistance
        self.swipeMaxMilliseconds = swipeMaxMilliseconds
        self.technician = technician
    }
}

/// What gesture recognition produces.
public enum GestureOutput: Sendable, Hashable {
    case gesture(TouchGesture)
    /// The technician gesture was made: ask the session for maintenance mode.
    case maintenanceRequest(TouchPoint, TouchInstant)
}

/// Recognises taps, long presses, swipes (each with any number of fingers) and the technician
/// gesture from calibrated contact changes. Pure: time comes only from the changes and from
/// ``advance(to:into:)``, so a recording gives the same gestures every time.
public struct GestureRecognizer: Sendable {
    private struct Track {
        var start: TouchPoint
        var current: TouchPoint
    }

    public var settings: GestureSettings
    private var active: [Int: Track] = [:]
    private var finished: [Track] = []
    private var sessionStart = TouchInstant(microseconds: 0)
    /// When the number of fingers last grew: holds are measured from there.
    private var heldSince = TouchInstant(microseconds: 0)
    private var maxFingers = 0
    private var moved = false
    private var drifted = false
    private var longPressDone = false
    private var technicianDone = false
    private var cancelled = false

    public init(settings: GestureSettings = .init()) {
        self.settings = settings
    }

    /// Whether any finger is on the screen.
    public var isTouching: Bool { !active.isEmpty }

    /// Feeds one contact change; gestures completed by it (or by time passing before it) are
    /// appended to `output`.
    public mutating func process(_ change: TouchContactChange, into output: inout [GestureOutput]) {
        advance(to: change.time, into: &output)
        switch change.phase {
        case .began:
            if active.isEmpty { startSession(at: change.time) }
            active[change.contact] = Track(start: change.point, current: change.point)
            if active.count > maxFingers {
                maxFingers = active.count
                heldSince = change.time
            }
        case .moved:
            guard var track = active[change.contact] else { return }
            track.current = change.point
            let distance = track.current.distance(to: track.start)
            if distance > settings.slop { moved = true }
            if distance > settings.slop * 2 { drifted = true }
            active[change.contact] = track
        case .ended, .cancelled:
            guard var track = active.removeValue(forKey: change.contact) else { return }
            track.current = change.point
            if change.phase == .cancelled { cancelled = true }
            if track.current.distance(to: track.start) > settings.slop { moved = true }
            finished.append(track)
            if active.isEmpty { finishSession(at: change.time, into: &output) }
        }
    }

    /// Lets time pass with the fingers where they are: long presses and the technician
    /// gesture are recognised here.
    public mutating func advance(to time: TouchInstant, into output: inout [GestureOutput]) {
        guard !active.isEmpty, !cancelled else { return }
        let held = time.milliseconds(since: heldSince)
        if !longPressDone, !moved, held >= Double(settings.longPressMilliseconds) {
            longPressDone = true
            output.append(
                .gesture(
                    TouchGesture(
                        kind: .longPress, fingers: active.count, point: centroid(\.start),
                        time: heldSince.adding(milliseconds: settings.longPressMilliseconds))))
        }
        if let technician = settings.technician, !technicianDone, !drifted, active.count == technician.fingers,
            held >= Double(technician.holdMilliseconds)
        {
            let centre = centroid(\.current)
            if technician.corner.contains(centre, size: technician.cornerSize) {
                technicianDone = true
                output.append(.maintenanceRequest(centre, heldSince.adding(milliseconds: technician.holdMilliseconds)))
            }
        }
    }

    /// The next time ``advance(to:into:)`` could recognise something, so a live driver knows
    /// when to wake up even if the panel stays silent.
    public var nextDeadline: TouchInstant? {
        guard !active.isEmpty, !cancelled else { return nil }
        var deadlines: [TouchInstant] = []
        if !longPressDone, !moved { deadlines.append(heldSince.adding(milliseconds: settings.longPressMilliseconds)) }
        if let technician = settings.technician, !technicianDone, !drifted, active.count == technician.fingers {
            deadlines.append(heldSince.adding(milliseconds: technician.holdMilliseconds))
        }
        return deadlines.min()
    }

    private mutating func startSession(at time: TouchInstant) {
        finished.removeAll(keepingCapacity: true)
        sessionStart = time
        heldSince = time
        maxFingers = 0
        moved = false
        drifted = false
        longPressDone = false
        technicianDone = false
        cancelled = false
    }

    private func centroid(_ point: KeyPath<Track, TouchPoint>) -> TouchPoint {
        var x = 0.0, y = 0.0
        for track in active.values {
            x += track[keyPath: point].x
            y += track[keyPath: point].y
        }
        let count = Double(max(active.count, 1))
        return TouchPoint(x: x / count, y: y / count)
    }

    private mutating func finishSession(at time: TouchInstant, into output: inout [GestureOutput]) {
        guard !cancelled, !longPressDone, !technicianDone, !finished.isEmpty else { return }
        let count = Double(finished.count)
        var start = TouchPoint(x: 0, y: 0), end = TouchPoint(x: 0, y: 0)
        for track in finished {
            start.x += track.start.x / count
            start.y += track.start.y / count
            end.x += track.current.x / count
            end.y += track.current.y / count
        }
        let duration = time.milliseconds(since: sessionStart)
        let dx = end.x - start.x, dy = end.y - start.y
        if start.distance(to: end) >= settings.swipeMinDistance, duration <= Double(settings.swipeMaxMilliseconds) {
            let direction: SwipeDirection = abs(dx) >= abs(dy) ? (dx < 0 ? .left : .right) : (dy < 0 ? .up : .down)
            output.append(
                .gesture(
                    TouchGesture(kind: .swipe, fingers: maxFingers, point: start, end: end, direction: direction, time: time)))
        } else if !moved, duration <= Double(settings.tapMaxMilliseconds) {
            output.append(.gesture(TouchGesture(kind: .tap, fingers: maxFingers, point: start, time: time)))
        }
    }
}
