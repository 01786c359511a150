import Foundation

/// One provider key's limits, shared by every thread of a worker that calls it: a wait set by a 429 (or a
/// 503 with `Retry-After`) holds back every request until it is over, and at most `maxPerMinute` requests
/// leave in any 60 s (0: no cap). Threads ask `reserve()` before each request and wait what it says.
public final class RateLimiter: Sendable {
    private struct State {
        var blockedUntil = Date.distantPast
        var sent: [Date] = []  // the last minute's requests, oldest first
    }

    private let state = Locked(State())
    private let maxPerMinute: Int
    private let clock: @Sendable () -> Date

    public init(maxPerMinute: Int = 0, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.maxPerMinute = max(0, maxPerMinute)
        self.clock = clock
    }

    /// Takes a slot for a request now and returns 0, or returns the seconds to wait before asking again
    /// (nothing is taken then). Checking and taking are one step under the lock, so no two threads take the
    /// last slot of a minute, and none takes one inside a wait.
    public func reserve() -> Double {
        let now = clock()
        return state.withLock { s in
            var wait = s.blockedUntil.timeIntervalSince(now)
            if maxPerMinute > 0 {
                s.sent.removeAll { now.timeIntervalSince($0) >= 60 }
                if s.sent.count >= maxPerMinute, let oldest = s.sent.first {
                    wait = max(wait, 60 - now.timeIntervalSince(oldest))
                }
            }
            if wait > 0 { return wait }
            if maxPerMinute > 0 { s.sent.append(now) }
            return 0
        }
    }

    /// Holds back every request for `seconds` from now (a later wait already set is kept).
    public func block(for seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        let until = clock().addingTimeInterval(seconds)
        state.withLock { s in s.blockedUntil = max(s.blockedUntil, until) }
    }

    /// Seconds until the current wait ends (0 when none).
    public var blockedFor: Double {
        let now = clock()
        return max(0, state.withLock { $0.blockedUntil }.timeIntervalSince(now))
    }
}

/// The `Retry-After` header (RFC 9110 §10.2.3): a number of seconds, or an HTTP date.
public enum RetryAfter {
    /// Seconds to wait from `now`, or nil when the header is missing or unreadable; a date in the past is 0.
    public static func seconds(_ header: String?, now: Date = Date()) -> Double? {
        guard let raw = header?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        if let s = Double(raw) { return s.isFinite && s >= 0 ? min(s, 86_400) : nil }
        for format in formats {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "GMT")
            f.dateFormat = format
            if let d = f.date(from: raw) { return min(86_400, max(0, d.timeIntervalSince(now))) }
        }
        return nil
    }

    /// IMF-fixdate (what servers send), then the obsolete RFC 850 and asctime forms recipients must accept.
    static let formats = ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"]
}
