/// Capped exponential backoff with full jitter (a random wait between zero and base × 2ⁿ,
/// capped), so that a fleet coming back after an outage does not arrive at once; a platform's
/// `Retry-After` is a floor.
public struct Backoff: Sendable {
    public var base: Duration
    public var cap: Duration
    public private(set) var failures = 0

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// Counts a failure and returns how long to wait before the next attempt.
    public mutating func next(retryAfter: Duration? = nil, using random: inout some RandomNumberGenerator) -> Duration {
        failures += 1
        let ceiling = min(cap, base * Double(1 << min(failures, 30)))
        let ceilingSeconds = Double(ceiling.components.seconds) + Double(ceiling.components.attoseconds) / 1e18
        let jittered = Duration.milliseconds(Int64(Double.random(in: 0...ceilingSeconds, using: &random) * 1000))
        return max(jittered, retryAfter ?? .zero)
    }

    /// A success: the next failure starts from the base again.
    public mutating func reset() { failures = 0 }
}
