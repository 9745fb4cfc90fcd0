import KioskCore
import KioskFiles

/// The filters against what cheap panels do wrong. A value of 0 (or `enabled: false`) turns a
/// filter off; each one counts what it removed in the device's counters.
public struct TouchFilterSettings: Sendable, Hashable, Codable {
    /// The part of the screen where touches are believed, `[left, top, right, bottom]` in screen
    /// fractions; contacts that start outside (on the bezel, in a dead strip) are dropped.
    public var activeArea: [Double]?
    /// Contacts shorter than this are dropped (electrical noise, a sleeve brushing the glass).
    public var minimumContactMilliseconds: Int
    /// A release followed within this time by a touch at the same place is one contact
    /// (a chattering contact); 0 disables.
    public var debounceMilliseconds: Int
    /// How near the new touch must be for debouncing, in screen fractions.
    public var debounceDistance: Double
    /// A contact held longer than this gets a synthesised release; 0 disables.
    public var stuckContactSeconds: Double
    /// Phantom touches recurring at a fixed point with a fixed period.
    public var phantom: PhantomFilterSettings

    public init(
        activeArea: [Double]? = nil, minimumContactMilliseconds: Int = 20, debounceMilliseconds: Int = 40,
        debounceDistance: Double = 0.02, stuckContactSeconds: Double = 20, phantom: PhantomFilterSettings = .init()
    ) {
        self.activeArea = activeArea
        self.minimumContactMilliseconds = minimumContactMilliseconds
        self.debounceMilliseconds = debounceMilliseconds
        self.debounceDistance = debounceDistance
        self.stuckContactSeconds = stuckContactSeconds
        self.phantom = phantom
    }

    /// No filtering at all: what the panel says goes through (for diagnosis).
    public static let none = TouchFilterSettings(
        activeArea: nil, minimumContactMilliseconds: 0, debounceMilliseconds: 0, stuckContactSeconds: 0,
        phantom: PhantomFilterSettings(enabled: false))

    enum CodingKeys: String, CodingKey {
        case activeArea = "active_area"
        case minimumContactMilliseconds = "minimum_contact_ms"
        case debounceMilliseconds = "debounce_ms"
        case debounceDistance = "debounce_distance"
        case stuckContactSeconds = "stuck_contact_s"
        case phantom
    }

    public init(from decoder: any Decoder) throws {
        let defaults = TouchFilterSettings()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        activeArea = try container.decodeIfPresent([Double].self, forKey: .activeArea)
        if let area = activeArea, area.count != 4 || area[0] >= area[2] || area[1] >= area[3] {
            throw DecodingError.dataCorruptedError(
                forKey: .activeArea, in: container,
                debugDescription: "the active area is [left, top, right, bottom] in screen fractions, e.g. [0.01, 0.01, 0.99, 0.99]")
        }
        minimumContactMilliseconds =
            try container.decodeIfPresent(Int.self, forKey: .minimumContactMilliseconds) ?? defaults.minimumContactMilliseconds
        debounceMilliseconds = try container.decodeIfPresent(Int.self, forKey: .debounceMilliseconds) ?? defaults.debounceMilliseconds
        debounceDistance = try container.decodeIfPresent(Double.self, forKey: .debounceDistance) ?? defaults.debounceDistance
        stuckContactSeconds = try container.decodeIfPresent(Double.self, forKey: .stuckContactSeconds) ?? defaults.stuckContactSeconds
        phantom = try container.decodeIfPresent(PhantomFilterSettings.self, forKey: .phantom) ?? defaults.phantom
    }

    /// The YAML shape, for unknown-key checks.
    public static let shape: YAMLShape = .mapping([
        "active_area": .list(.scalar), "minimum_contact_ms": .scalar, "debounce_ms": .scalar,
        "debounce_distance": .scalar, "stuck_contact_s": .scalar, "phantom": PhantomFilterSettings.shape,
    ])
}

/// How periodic phantom touches are recognised: short, still contacts at the same point whose
/// start times are evenly spaced. Once seen `occurrences` times, further ones are dropped.
public struct PhantomFilterSettings: Sendable, Hashable, Codable {
    public var enabled: Bool
    /// How many evenly spaced contacts make a phantom (the first ones get through).
    public var occurrences: Int
    /// How near the contacts must be to count as the same point, in screen fractions.
    public var distance: Double
    /// How much the period may vary, as a fraction of it.
    public var periodTolerance: Double
    public var minimumPeriodMilliseconds: Int
    public var maximumPeriodMilliseconds: Int
    /// Longer contacts are fingers, never phantoms.
    public var maximumContactMilliseconds: Int

    public init(
        enabled: Bool = true, occurrences: Int = 3, distance: Double = 0.01, periodTolerance: Double = 0.05,
        minimumPeriodMilliseconds: Int = 500, maximumPeriodMilliseconds: Int = 60_000, maximumContactMilliseconds: Int = 150
    ) {
        self.enabled = enabled
        self.occurrences = occurrences
        self.distance = distance
        self.periodTolerance = periodTolerance
        self.minimumPeriodMilliseconds = minimumPeriodMilliseconds
        self.maximumPeriodMilliseconds = maximumPeriodMilliseconds
        self.maximumContactMilliseconds = maximumContactMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case enabled, occurrences, distance
        case periodTolerance = "period_tolerance"
        case minimumPeriodMilliseconds = "minimum_period_ms"
        case maximumPeriodMilliseconds = "maximum_period_ms"
        case maximumContactMilliseconds = "maximum_contact_ms"
    }

    public init(from decoder: any Decoder) throws {
        let d = PhantomFilterSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        occurrences = try c.decodeIfPresent(Int.self, forKey: .occurrences) ?? d.occurrences
        distance = try c.decodeIfPresent(Double.self, forKey: .distance) ?? d.distance
        periodTolerance = try c.decodeIfPresent(Double.self, forKey: .periodTolerance) ?? d.periodTolerance
        minimumPeriodMilliseconds = try c.decodeIfPresent(Int.self, forKey: .minimumPeriodMilliseconds) ?? d.minimumPeriodMilliseconds
        maximumPeriodMilliseconds = try c.decodeIfPresent(Int.self, forKey: .maximumPeriodMilliseconds) ?? d.maximumPeriodMilliseconds
        maximumContactMilliseconds =
            try c.decodeIfPresent(Int.self, forKey: .maximumContactMilliseconds) ?? d.maximumContactMilliseconds
        if occurrences < 2 {
            throw DecodingError.dataCorruptedError(
                forKey: .occurrences, in: c, debugDescription: "at least 2 occurrences are needed to see a period")
        }
    }

    static let shape: YAMLShape = .mapping(
        Dictionary(
            uniqueKeysWithValues: [
                "enabled", "occurrences", "distance", "period_tolerance", "minimum_period_ms",
                "maximum_period_ms", "maximum_contact_ms",
            ].map { ($0, YAMLShape.scalar) }))
}

/// The `touch:` section of a touch profile in `Devices/touch/`: what is true of every panel of
/// that model.
public struct TouchProfileSettings: Sendable, Hashable, Decodable {
    /// Axis ranges to use instead of what the panel reports (some report wrong ones), also used
    /// when the device cannot be asked (a recording without `A:` lines, a pipe in tests).
    public struct Axes: Sendable, Hashable, Codable {
        public var x: [Int32]
        public var y: [Int32]
        public var slots: Int?
    }

    /// Odd behaviours of a model.
    public struct Quirks: Sendable, Hashable, Codable {
        /// `BTN_TOUCH 0` ends every contact even if the panel forgets `TRACKING_ID -1`.
        public var releaseOnButtonUp: Bool

        public init(releaseOnButtonUp: Bool = true) { self.releaseOnButtonUp = releaseOnButtonUp }

        enum CodingKeys: String, CodingKey { case releaseOnButtonUp = "release_on_button_up" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            releaseOnButtonUp = try c.decodeIfPresent(Bool.self, forKey: .releaseOnButtonUp) ?? true
        }
    }

    public var grab: Bool
    public var rotation: PanelRotation
    public var mirror: PanelMirror
    public var axes: Axes?
    public var quirks: Quirks
    public var filters: TouchFilterSettings
    public var gestures: GestureSettings

    public init(
        grab: Bool = false, rotation: PanelRotation = .none, mirror: PanelMirror = .none, axes: Axes? = nil,
        quirks: Quirks = .init(), filters: TouchFilterSettings = .init(), gestures: GestureSettings = .init()
    ) {
        self.grab = grab
        self.rotation = rotation
        self.mirror = mirror
        self.axes = axes
        self.quirks = quirks
        self.filters = filters
        self.gestures = gestures
    }

    private struct File: Decodable { var touch: TouchProfileSettings? }

    enum CodingKeys: String, CodingKey { case grab, rotation, mirror, axes, quirks, filters, gestures }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        grab = try c.decodeIfPresent(Bool.self, forKey: .grab) ?? false
        rotation = try c.decodeIfPresent(PanelRotation.self, forKey: .rotation) ?? .none
        mirror = try c.decodeIfPresent(PanelMirror.self, forKey: .mirror) ?? .none
        axes = try c.decodeIfPresent(Axes.self, forKey: .axes)
        if let axes, axes.x.count != 2 || axes.y.count != 2 || axes.x[0] >= axes.x[1] || axes.y[0] >= axes.y[1] {
            throw DecodingError.dataCorruptedError(
                forKey: .axes, in: c, debugDescription: "axes are x: [minimum, maximum] and y: [minimum, maximum]")
        }
        quirks = try c.decodeIfPresent(Quirks.self, forKey: .quirks) ?? .init()
        filters = try c.decodeIfPresent(TouchFilterSettings.self, forKey: .filters) ?? .init()
        gestures = try c.decodeIfPresent(GestureSettingsFile.self, forKey: .gestures)?.settings ?? .init()
    }

    /// The touch settings of `profile` (defaults when it has no `touch:` section).
    public static func of(_ profile: DeviceProfile) throws(TouchError) -> TouchProfileSettings {
        do throws(FileProblem) {
            return try profile.settings(File.self).touch ?? .init()
        } catch {
            throw TouchError(.badSettings, error.message, location: error.location)
        }
    }

    /// The keys a profile's `touch:` section may have.
    public static let shape: YAMLShape = .mapping([
        "grab": .scalar, "rotation": .scalar, "mirror": .scalar,
        "axes": .mapping(["x": .list(.scalar), "y": .list(.scalar), "slots": .scalar]),
        "quirks": .mapping(["release_on_button_up": .scalar]),
        "filters": TouchFilterSettings.shape, "gestures": GestureSettingsFile.shape,
    ])
}

/// Gesture thresholds as written in YAML (milliseconds, snake_case).
struct GestureSettingsFile: Decodable {
    var settings: GestureSettings

    enum CodingKeys: String, CodingKey {
        case tapMax = "tap_max_ms", longPress = "long_press_ms", slop
        case swipeMinDistance = "swipe_min_distance", swipeMax = "swipe_max_ms", technician
    }

    struct Technician: Decodable {
        var fingers: Int?
        var holdMilliseconds: Int?
        var corner: ScreenCorner?
        var cornerSize: Double?
        var enabled: Bool?
        enum CodingKeys: String, CodingKey {
            case fingers, corner, enabled
            case holdMilliseconds = "hold_ms", cornerSize = "corner_size"
        }
    }

    init(from decoder: any Decoder) throws {
        let d = GestureSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var technician = d.technician
        if let t = try c.decodeIfPresent(Technician.self, forKey: .technician) {
            if t.enabled == false {
                technician = nil
            } else {
                let base = TechnicianGesture()
                technician = TechnicianGesture(
                    fingers: t.fingers ?? base.fingers, holdMilliseconds: t.holdMilliseconds ?? base.holdMilliseconds,
                    corner: t.corner ?? base.corner, cornerSize: t.cornerSize ?? base.cornerSize)
                if let fingers = t.fingers, !(1...10).contains(fingers) {
                    throw DecodingError.dataCorruptedError(
                        forKey: .technician, in: c, debugDescription: "the technician gesture uses 1 to 10 fingers")
                }
            }
        }
        settings = GestureSettings(
            tapMaxMilliseconds: try c.decodeIfPresent(Int.self, forKey: .tapMax) ?? d.tapMaxMilliseconds,
            longPressMilliseconds: try c.decodeIfPresent(Int.self, forKey: .longPress) ?? d.longPressMilliseconds,
            slop: try c.decodeIfPresent(Double.self, forKey: .slop) ?? d.slop,
            swipeMinDistance: try c.decodeIfPresent(Double.self, forKey: .swipeMinDistance) ?? d.swipeMinDistance,
            swipeMaxMilliseconds: try c.decodeIfPresent(Int.self, forKey: .swipeMax) ?? d.swipeMaxMilliseconds,
            technician: technician)
    }

    static let shape: YAMLShape = .mapping([
        "tap_max_ms": .scalar, "long_press_ms": .scalar, "slop": .scalar, "swipe_min_distance": .scalar,
        "swipe_max_ms": .scalar,
        "technician": .mapping(["fingers": .scalar, "hold_ms": .scalar, "corner": .scalar, "corner_size": .scalar, "enabled": .scalar]),
    ])
}

/// The `touch:` section of the kiosk's own configuration: what is true of this kiosk's panel
/// (how it is mounted, its calibration), which wins over the profile.
///
/// ```yaml
/// touch:
///   device: auto            # or /dev/input/event3
///   profile: ilitek-222a-0001
///   rotation: 90
///   calibration: [1.02, 0, -0.01, 0, 0.98, 0.012]
/// ```
public struct TouchSiteSettings: Sendable, Hashable, Codable {
    /// `auto` (find the panel by profile or capabilities) or a device path.
    public var device: String?
    /// The profile to use instead of matching by USB id.
    public var profile: String?
    public var rotation: PanelRotation?
    public var mirror: PanelMirror?
    /// The libinput matrix from `kioskctl touch calibrate`, applied after rotation and mirror.
    public var calibration: [Double]?
    public var grab: Bool?

    public init(
        device: String? = nil, profile: String? = nil, rotation: PanelRotation? = nil, mirror: PanelMirror? = nil,
        calibration: [Double]? = nil, grab: Bool? = nil
    ) {
        self.device = device
        self.profile = profile
        self.rotation = rotation
        self.mirror = mirror
        self.calibration = calibration
        self.grab = grab
    }

    /// The keys the section may have.
    public static let shape: YAMLShape = .mapping([
        "device": .scalar, "profile": .scalar, "rotation": .scalar, "mirror": .scalar, "calibration": .list(.scalar),
        "grab": .scalar,
    ])
}

/// Everything the touch pipeline needs, resolved from the profile and the site configuration.
public struct TouchConfiguration: Sendable, Hashable {
    public var profile: TouchProfileSettings
    /// Rotation and mirror (site over profile).
    public var orientation: CalibrationMatrix
    /// The technician's calibration, applied after the orientation.
    public var calibration: CalibrationMatrix
    public var grab: Bool

    /// The one matrix from panel coordinates to screen coordinates.
    public var matrix: CalibrationMatrix { orientation.then(calibration) }

    public init(profile: TouchProfileSettings = .init(), site: TouchSiteSettings = .init()) throws(TouchError) {
        self.profile = profile
        orientation = CalibrationMatrix.orientation(
            rotation: site.rotation ?? profile.rotation, mirror: site.mirror ?? profile.mirror)
        if let values = site.calibration {
            guard let matrix = CalibrationMatrix(values), matrix.inverse != nil else {
                throw TouchError(
                    .badSettings,
                    "touch.calibration must be six numbers a b c d e f that do not flatten the screen; run kioskctl touch calibrate")
            }
            calibration = matrix
        } else {
            calibration = .identity
        }
        grab = site.grab ?? profile.grab
    }
}
