/// Exponential backoff with jitter, capped (SPEC §2: running → queued after a transient failure).
public struct Backoff: Sendable {
    public var baseSeconds: Double
    public var capSeconds: Double

    public init(baseSeconds: Double = 2, capSeconds: Double = 300) {
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }

    /// The ceiling for a given attempt (1-based): base · 2^(attempt-1), capped.
    public func ceiling(attempt: Int) -> Double {
        let exp = Double(1 << min(max(attempt - 1, 0), 30))
        return min(capSeconds, baseSeconds * exp)
    }

    /// "Equal jitter": half the ceiling plus a random part of the other half, so retries of many jobs spread
    /// out yet never come back sooner than half the ceiling.
    public func delay(attempt: Int, random: Double = Double.random(in: 0..<1)) -> Double {
        let c = ceiling(attempt: attempt)
        return c / 2 + (c / 2) * min(max(random, 0), 1)
    }
}
