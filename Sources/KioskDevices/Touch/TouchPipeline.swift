import KioskCore

/// What comes out of the touch pipeline.
public enum TouchOutput: Sendable, Hashable {
    /// A calibrated, filtered contact change (screen coordinates `0...1`).
    case contact(TouchContactChange)
    /// A recognised gesture.
    case gesture(TouchGesture)
    /// The technician gesture: ask the session for maintenance mode.
    case maintenanceRequest(TouchPoint, TouchInstant)
    /// A filter removed or repaired something.
    case filtered(TouchFilterAction, TouchInstant)
    /// The reader fell behind and resynchronised; `blind` when the device's state could not
    /// be read, so contacts in progress were cancelled.
    case resynchronised(blind: Bool, TouchInstant)
}

/// The one path from evdev events to calibrated touches and gestures, used alike by the live
/// driver, `kioskctl touch replay`, the tests and the benchmark:
///
/// events → frames and contacts (protocol B or single-touch, `SYN_DROPPED` repair) →
/// normalised by the axis ranges → calibration matrix → filters → gesture recognition.
///
/// It is a value with no I/O and no clock of its own: time comes from the events and from
/// ``advance(to:into:)``.
public struct TouchPipeline: Sendable {
    public let configuration: TouchConfiguration
    public let device: EvdevDeviceDescription
    private let xAxis: AbsoluteAxis
    private let yAxis: AbsoluteAxis
    private let matrix: CalibrationMatrix
    private var tracker: EvdevContactTracker
    private var filter: TouchContactFilter
    private var recognizer: GestureRecognizer
    private var raw: [RawContactChange] = []
    private var gestures: [GestureOutput] = []
    private var filtered: [FilterOutput] = []
    private(set) public var lastEventTime: TouchInstant?

    /// Builds the pipeline for a device; its axis ranges come from the profile's override or,
    /// failing that, from the device.
    public init(device: EvdevDeviceDescription, configuration: TouchConfiguration) throws(TouchError) {
        self.device = device
        self.configuration = configuration
        let profileAxes = configuration.profile.axes
        if let override = profileAxes {
            xAxis = AbsoluteAxis(minimum: override.x[0], maximum: override.x[1])
            yAxis = AbsoluteAxis(minimum: override.y[0], maximum: override.y[1])
        } else if let axes = device.positionAxes {
            xAxis = axes.x
            yAxis = axes.y
        } else {
            throw TouchError(
                .notATouchScreen,
                "'\(device.name)' reports no position axes; give them in the profile as touch.axes x: [min, max], y: [min, max]")
        }
        guard xAxis.maximum > xAxis.minimum, yAxis.maximum > yAxis.minimum else {
            throw TouchError(.notATouchScreen, "'\(device.name)' reports an empty axis range")
        }
        matrix = configuration.matrix
        // A device that cannot describe itself (a pipe) is multi-touch if the profile gives slots.
        let multitouch = device.isMultitouch || (!device.isSingleTouch && profileAxes?.slots != nil)
        let slots = device.isMultitouch ? device.slotCount : (profileAxes?.slots ?? 1)
        tracker = EvdevContactTracker(
            multitouch: multitouch, slotCount: slots, releaseOnButtonUp: configuration.profile.quirks.releaseOnButtonUp)
        filter = TouchContactFilter(settings: configuration.profile.filters)
        recognizer = GestureRecognizer(settings: configuration.profile.gestures)
        raw.reserveCapacity(16)
        gestures.reserveCapacity(4)
    }

    /// Whether the pipeline reads the device as multi-touch (protocol B).
    public var isMultitouch: Bool { tracker.multitouch }

    /// Where a raw panel position lands on the screen.
    public func screenPoint(x: Int32, y: Int32) -> TouchPoint {
        configuration.matrix.apply(panelPoint(x: x, y: y))
    }

    /// A raw panel position, normalised but not calibrated (what calibration fits against).
    public func panelPoint(x: Int32, y: Int32) -> TouchPoint {
        TouchPoint(x: xAxis.normalise(x), y: yAxis.normalise(y))
    }

    /// Feeds one event. `snapshot` is asked for the device's state only to repair a
    /// `SYN_DROPPED` (return `nil` when it cannot be known).
    public mutating func process(
        _ event: InputEvent, into output: inout [TouchOutput], snapshot: () -> EvdevSnapshot? = { nil }
    ) {
        lastEventTime = event.time
        raw.removeAll(keepingCapacity: true)
        let note = tracker.process(event, into: &raw, snapshot: snapshot)
        switch note {
        case .none, .dropped:
            return
        case .resync, .blindResync:
            output.append(.resynchronised(blind: note == .blindResync, event.time))
        case .frame:
            break
        }
        if raw.isEmpty {
            advance(to: event.time, into: &output)
            return
        }
        for change in raw {
            let point = matrix.apply(TouchPoint(x: xAxis.normalise(change.x), y: yAxis.normalise(change.y)))
            let screen = ScreenContactChange(key: change.key, phase: change.phase, point: point, time: change.time)
            filter.process(screen, into: &filtered)
        }
        deliverFiltered(into: &output)
        advanceRecognizer(to: event.time, into: &output)
    }

    /// Lets time pass without events (a finger held still): long presses, the technician
    /// gesture, stuck contacts and held-back releases fall due here.
    public mutating func advance(to time: TouchInstant, into output: inout [TouchOutput]) {
        filter.advance(to: time, into: &filtered)
        deliverFiltered(into: &output)
        advanceRecognizer(to: time, into: &output)
    }

    /// The next time ``advance(to:into:)`` could produce something.
    public var nextDeadline: TouchInstant? {
        [filter.nextDeadline, recognizer.nextDeadline].compactMap { $0 }.min()
    }

    /// Ends a replay: lets the short waits (minimum duration, debounce) run out after the last
    /// event, so that a tap at the very end of a recording is not lost, but no long waits.
    public mutating func finish(into output: inout [TouchOutput]) {
        guard let last = lastEventTime else { return }
        let filters = configuration.profile.filters
        let settle = max(filters.debounceMilliseconds, filters.minimumContactMilliseconds) + 1
        advance(to: last.adding(milliseconds: settle), into: &output)
    }

    /// Where periodic phantoms were recognised, for `kioskctl touch replay`.
    public var phantomHotspots: [(point: TouchPoint, periodMilliseconds: Double)] { filter.phantomHotspots }

    private mutating func advanceRecognizer(to time: TouchInstant, into output: inout [TouchOutput]) {
        // Never run recognition past a change the filters still hold back (a release waiting
        // for the debounce time must not turn a press into a long press).
        var until = time
        if let held = filter.heldBackSince, held < until { until = held }
        gestures.removeAll(keepingCapacity: true)
        recognizer.advance(to: until, into: &gestures)
        append(gestures, into: &output)
    }

    private mutating func deliverFiltered(into output: inout [TouchOutput]) {
        for item in filtered {
            switch item {
            case let .action(action, time):
                output.append(.filtered(action, time))
            case let .change(change):
                output.append(.contact(change))
                gestures.removeAll(keepingCapacity: true)
                recognizer.process(change, into: &gestures)
                append(gestures, into: &output)
            }
        }
        filtered.removeAll(keepingCapacity: true)
    }

    private func append(_ gestures: [GestureOutput], into output: inout [TouchOutput]) {
        for gesture in gestures {
            switch gesture {
            case let .gesture(gesture): output.append(.gesture(gesture))
            case let .maintenanceRequest(point, time): output.append(.maintenanceRequest(point, time))
            }
        }
    }
}
