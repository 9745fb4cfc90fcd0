import KioskCore

/// The answer of `POST /admin/v1/touch/calibrate`: the new matrix and how well it fits.
public struct CalibrationReport: Codable, Sendable {
    public var matrix: [Double]
    public var rmsError: Double
    public var worstError: Double
    public var targets: [TouchPoint]
    /// The touches, in panel orientation without the old calibration.
    public var touches: [TouchPoint]

    public init(matrix: [Double], rmsError: Double, worstError: Double, targets: [TouchPoint], touches: [TouchPoint]) {
        self.matrix = matrix
        self.rmsError = rmsError
        self.worstError = worstError
        self.targets = targets
        self.touches = touches
    }
}
