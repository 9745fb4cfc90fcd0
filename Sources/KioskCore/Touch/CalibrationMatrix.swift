/// A point on the touch panel or screen in normalised coordinates: `0...1` across the width
/// and height, origin top-left, whatever the panel's own units are.
public struct TouchPoint: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// The straight-line distance to `other`, in screen fractions.
    public func distance(to other: TouchPoint) -> Double {
        let dx = x - other.x, dy = y - other.y
        return (dx * dx + dy * dy).squareRoot()
    }

    public var description: String {
        "(\(Self.format(x)), \(Self.format(y)))"
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == 0 { return "0" }
        if rounded == rounded.rounded(), abs(rounded) < 1e9 { return "\(Int(rounded))" }
        return "\(rounded)"
    }
}

/// How a panel is mounted relative to the screen: turned clockwise in quarter turns.
public enum PanelRotation: Int, Sendable, Hashable, Codable, CaseIterable {
    case none = 0
    case clockwise90 = 90
    case clockwise180 = 180
    case clockwise270 = 270
}

/// Which axes of a panel are wired backwards.
public enum PanelMirror: String, Sendable, Hashable, Codable, CaseIterable {
    case none
    /// Left and right are swapped.
    case horizontal
    /// Top and bottom are swapped.
    case vertical
    /// Both.
    case both
}

/// The touch calibration matrix in the libinput convention: six numbers `a b c d e f` applied
/// to normalised panel coordinates, `x' = a·x + b·y + c`, `y' = d·x + e·y + f`.
///
/// The same six numbers can be given to libinput (`LIBINPUT_CALIBRATION_MATRIX`), so the
/// compositor and the daemon agree on where a finger is.
public struct CalibrationMatrix: Sendable, Hashable, Codable, CustomStringConvertible {
    public var a, b, c, d, e, f: Double

    public init(a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        (self.a, self.b, self.c, self.d, self.e, self.f) = (a, b, c, d, e, f)
    }

    /// The matrix from its six values in libinput order; `nil` unless there are exactly six
    /// finite numbers.
    public init?(_ values: [Double]) {
        guard values.count == 6, values.allSatisfy(\.isFinite) else { return nil }
        self.init(a: values[0], b: values[1], c: values[2], d: values[3], e: values[4], f: values[5])
    }

    /// The six values in libinput order.
    public var values: [Double] { [a, b, c, d, e, f] }

    /// Leaves every point where it is.
    public static let identity = CalibrationMatrix(a: 1, b: 0, c: 0, d: 0, e: 1, f: 0)

    /// The matrix for a panel turned clockwise by `rotation` (libinput's published matrices).
    public static func rotation(_ rotation: PanelRotation) -> CalibrationMatrix {
        switch rotation {
        case .none: identity
        case .clockwise90: CalibrationMatrix(a: 0, b: -1, c: 1, d: 1, e: 0, f: 0)
        case .clockwise180: CalibrationMatrix(a: -1, b: 0, c: 1, d: 0, e: -1, f: 1)
        case .clockwise270: CalibrationMatrix(a: 0, b: 1, c: 0, d: -1, e: 0, f: 1)
        }
    }

    /// The matrix that undoes a panel's mirrored wiring.
    public static func mirror(_ mirror: PanelMirror) -> CalibrationMatrix {
        switch mirror {
        case .none: identity
        case .horizontal: CalibrationMatrix(a: -1, b: 0, c: 1, d: 0, e: 1, f: 0)
        case .vertical: CalibrationMatrix(a: 1, b: 0, c: 0, d: 0, e: -1, f: 1)
        case .both: CalibrationMatrix(a: -1, b: 0, c: 1, d: 0, e: -1, f: 1)
        }
    }

    /// The orientation of a mounted panel: the mirroring is undone first (it is a property of
    /// the panel's wiring), then the rotation (a property of how it is mounted).
    public static func orientation(rotation: PanelRotation, mirror: PanelMirror) -> CalibrationMatrix {
        Self.mirror(mirror).then(Self.rotation(rotation))
    }

    /// Where `point` lands.
    @inlinable
    public func apply(_ point: TouchPoint) -> TouchPoint {
        TouchPoint(x: a * point.x + b * point.y + c, y: d * point.x + e * point.y + f)
    }

    /// The matrix that applies `self` first and then `next`.
    public func then(_ next: CalibrationMatrix) -> CalibrationMatrix {
        CalibrationMatrix(
            a: next.a * a + next.b * d, b: next.a * b + next.b * e, c: next.a * c + next.b * f + next.c,
            d: next.d * a + next.e * d, e: next.d * b + next.e * e, f: next.d * c + next.e * f + next.f
        )
    }

    /// The matrix that undoes this one, or `nil` if it squashes the panel onto a line.
    public var inverse: CalibrationMatrix? {
        let determinant = a * e - b * d
        guard abs(determinant) > 1e-12 else { return nil }
        let ia = e / determinant, ib = -b / determinant
        let id = -d / determinant, ie = a / determinant
        return CalibrationMatrix(a: ia, b: ib, c: -(ia * c + ib * f), d: id, e: ie, f: -(id * c + ie * f))
    }

    /// Whether every value is within `tolerance` of `other`'s.
    public func isClose(to other: CalibrationMatrix, tolerance: Double = 1e-9) -> Bool {
        zip(values, other.values).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// `a b c d e f`, as libinput and udev's hwdb write it.
    public var description: String {
        values.map { TouchPoint.format($0) }.joined(separator: " ")
    }
}
