/// One step of a calibration: where a target was drawn on the screen and where the panel said
/// the technician touched it.
public struct CalibrationSample: Sendable, Hashable, Codable {
    /// The target, in screen coordinates.
    public var target: TouchPoint
    /// The touch, in panel coordinates (normalised, before calibration).
    public var touch: TouchPoint

    public init(target: TouchPoint, touch: TouchPoint) {
        self.target = target
        self.touch = touch
    }
}

/// Why a calibration could not be computed.
public struct CalibrationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable code; a struct wrapping a private enum so that codes can grow without breaking
    /// `switch`es.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case tooFewSamples = "too-few-samples"
            case degenerate
            case inconsistent
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Fewer than four touches.
        public static let tooFewSamples = Code(.tooFewSamples)
        /// The touches lie on a line (or one point), so they say nothing about one direction.
        public static let degenerate = Code(.degenerate)
        /// The touches do not fit any straight mapping: a touch missed its target.
        public static let inconsistent = Code(.inconsistent)

        /// The code as it appears in JSON and logs.
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, in words a technician can act on.
    public var message: String
    /// The underlying cause, for logs.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// Errors are equal when their code and message are; the cause is for logs only.
    public static func == (lhs: CalibrationError, rhs: CalibrationError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
    }
}

/// The outcome of a calibration: the matrix and how well it explains the touches.
public struct CalibrationFit: Sendable, Hashable, Codable {
    /// Maps panel coordinates to screen coordinates.
    public var matrix: CalibrationMatrix
    /// The root-mean-square distance between each target and its corrected touch, in screen
    /// fractions (0.01 is 1 % of the screen).
    public var rmsError: Double
    /// The largest such distance.
    public var worstError: Double

    /// The fewest touches accepted: three determine the matrix exactly; a fourth checks it.
    public static let minimumSamples = 4
    /// Beyond this worst error (5 % of the screen) a touch is taken to have missed its target.
    public static let defaultMaximumError = 0.05

    /// Fits the matrix that best maps each touch onto its target (least squares), rejecting
    /// degenerate layouts and touches that missed.
    public init(samples: [CalibrationSample], maximumError: Double = defaultMaximumError) throws(CalibrationError) {
        guard samples.count >= Self.minimumSamples else {
            throw CalibrationError(
                .tooFewSamples, "a calibration needs at least \(Self.minimumSamples) touches, got \(samples.count)")
        }
        // Normal equations of the two independent fits x' = a·x + b·y + c and y' = d·x + e·y + f;
        // both share the same 3×3 matrix Σ [x y 1]ᵀ[x y 1].
        var normal = [[Double]](repeating: [0, 0, 0], count: 3)
        var rightX = [0.0, 0, 0], rightY = [0.0, 0, 0]
        for sample in samples {
            let row = [sample.touch.x, sample.touch.y, 1]
            for i in 0..<3 {
                for j in 0..<3 { normal[i][j] += row[i] * row[j] }
                rightX[i] += row[i] * sample.target.x
                rightY[i] += row[i] * sample.target.y
            }
        }
        guard let abc = Self.solve(normal, rightX), let def = Self.solve(normal, rightY) else {
            throw CalibrationError(
                .degenerate, "the touches lie on one line; touch targets spread over the screen, not in a row")
        }
        let matrix = CalibrationMatrix(a: abc[0], b: abc[1], c: abc[2], d: def[0], e: def[1], f: def[2])
        var squares = 0.0, worst = 0.0
        for sample in samples {
            let error = matrix.apply(sample.touch).distance(to: sample.target)
            squares += error * error
            worst = max(worst, error)
        }
        guard worst <= maximumError else {
            throw CalibrationError(
                .inconsistent,
                "a touch was \(Int((worst * 100).rounded())) % of the screen away from its target; repeat the calibration"
            )
        }
        self.matrix = matrix
        self.rmsError = (squares / Double(samples.count)).squareRoot()
        self.worstError = worst
    }

    /// Solves a 3×3 system by Gaussian elimination with partial pivoting; `nil` if singular.
    private static func solve(_ matrix: [[Double]], _ right: [Double]) -> [Double]? {
        var m = matrix
        var r = right
        // Scale-aware threshold: panel coordinates are 0...1, so sums are of the order of n.
        let scale = max(1, m.flatMap { $0 }.map(abs).max() ?? 1)
        for column in 0..<3 {
            var pivot = column
            for row in column..<3 where abs(m[row][column]) > abs(m[pivot][column]) { pivot = row }
            guard abs(m[pivot][column]) > 1e-9 * scale else { return nil }
            if pivot != column {
                m.swapAt(pivot, column)
                r.swapAt(pivot, column)
            }
            for row in (column + 1)..<3 {
                let factor = m[row][column] / m[column][column]
                for k in column..<3 { m[row][k] -= factor * m[column][k] }
                r[row] -= factor * r[column]
            }
        }
        var x = [0.0, 0, 0]
        for row in stride(from: 2, through: 0, by: -1) {
            var sum = r[row]
            for k in (row + 1)..<3 { sum -= m[row][k] * x[k] }
            x[row] = sum / m[row][row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// The usual targets: four near the corners and one in the middle, inset so that a finger
    /// can reach them past the bezel.
    public static func standardTargets(inset: Double = 0.1) -> [TouchPoint] {
        [
            TouchPoint(x: inset, y: inset), TouchPoint(x: 1 - inset, y: inset),
            TouchPoint(x: 1 - inset, y: 1 - inset), TouchPoint(x: inset, y: 1 - inset),
            TouchPoint(x: 0.5, y: 0.5),
        ]
    }
}
