/// What a citizen wrote on the screen's handwriting pad: strokes in writing order, each the
/// points the finger (or the demo's mouse) passed, in the pad's own coordinates.
public struct HandwrittenCharacter: Sendable, Hashable, Codable {
    /// A point on the pad, in pad units from its top-left corner.
    public struct Point: Sendable, Hashable, Codable {
        /// From the left edge.
        public var x: Int
        /// From the top edge.
        public var y: Int

        /// A point.
        public init(x: Int, y: Int) {
            self.x = x
            self.y = y
        }
    }

    /// The pad's width, in the units of the points.
    public var width: Int
    /// The pad's height.
    public var height: Int
    /// The strokes, first written first.
    public var strokes: [[Point]]

    /// A character written on a `width`×`height` pad.
    public init(width: Int, height: Int, strokes: [[Point]]) {
        self.width = width
        self.height = height
        self.strokes = strokes
    }

    /// The most strokes and points a pad may send: the longest standard character has 36
    /// strokes; the bound keeps one request's work small.
    public static let maximumStrokes = 40
    /// The most points in all strokes together.
    public static let maximumPoints = 4000

    /// Why this cannot be recognised as it is; `nil` when it can.
    public var problem: HandwritingError? {
        guard (16...4096).contains(width), (16...4096).contains(height) else {
            return HandwritingError(.badCharacter, "the pad must be 16 to 4096 units wide and high")
        }
        guard strokes.count <= Self.maximumStrokes, strokes.reduce(0, { $0 + $1.count }) <= Self.maximumPoints else {
            return HandwritingError(.badCharacter, "at most \(Self.maximumStrokes) strokes of \(Self.maximumPoints) points in all")
        }
        let inside = strokes.allSatisfy { $0.allSatisfy { (0...width).contains($0.x) && (0...height).contains($0.y) } }
        return inside ? nil : HandwritingError(.badCharacter, "every point must lie on the pad")
    }
}
