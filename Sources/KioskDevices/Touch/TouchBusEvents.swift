import KioskCore

/// A calibrated, filtered contact change on the bus (`touch.contact`), for the UI's event
/// stream when the daemon owns the panel.
public struct TouchContactEvent: BusEvent, Hashable {
    public static let topic = "touch.contact"
    public var device: DeviceID
    public var change: TouchContactChange

    public init(device: DeviceID, change: TouchContactChange) {
        self.device = device
        self.change = change
    }
}

/// A recognised gesture on the bus (`touch.gesture`).
public struct TouchGestureEvent: BusEvent, Hashable {
    public static let topic = "touch.gesture"
    public var device: DeviceID
    public var gesture: TouchGesture

    public init(device: DeviceID, gesture: TouchGesture) {
        self.device = device
        self.gesture = gesture
    }
}

/// Someone is using the kiosk (`session.activity`): the citizen session's idle timer restarts.
/// Published at most once per ``TouchScreenDriver/activityInterval`` however busy the panel is.
public struct UserActivityEvent: BusEvent, Hashable {
    public static let topic = "session.activity"
    /// The device that saw the activity.
    public var device: DeviceID
    /// What kind of activity (`touch`).
    public var source: String
    /// The panel's time of the activity.
    public var time: TouchInstant

    public init(device: DeviceID, source: String, time: TouchInstant) {
        self.device = device
        self.source = source
        self.time = time
    }
}

/// The technician gesture was made (`session.maintenance-request`): the session decides
/// whether to enter maintenance mode (it may ask for a technician PIN).
public struct MaintenanceRequestEvent: BusEvent, Hashable {
    public static let topic = "session.maintenance-request"
    public var device: DeviceID
    /// Where the gesture was made (screen fractions).
    public var point: TouchPoint
    public var time: TouchInstant

    public init(device: DeviceID, point: TouchPoint, time: TouchInstant) {
        self.device = device
        self.point = point
        self.time = time
    }
}
