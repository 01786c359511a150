import Foundation
import Testing

@testable import ScribeCore

/// A clock the test moves by hand.
private final class FakeClock: Sendable {
    private let now = Locked(Date(timeIntervalSince1970: 1_800_000_000))
    var date: Date { now.current }
    func advance(_ s: Double) { now.withLock { $0 = $0.addingTimeInterval(s) } }
}

@Suite struct RateLimiterTests {
    @Test func aBlockHoldsBackEveryRequestUntilItEnds() {
        let clock = FakeClock()
        let limiter = RateLimiter(clock: { clock.date })
        #expect(limiter.reserve() == 0)
        limiter.block(for: 2)
        #expect(abs(limiter.reserve() - 2) < 1e-9)
        clock.advance(1.5)
        #expect(abs(limiter.reserve() - 0.5) < 1e-9)
        limiter.block(for: 0.1)  // a shorter wait does not shorten the current one
        #expect(abs(limiter.blockedFor - 0.5) < 1e-9)
        clock.advance(0.5)
        #expect(limiter.reserve() == 0)
        #expect(limiter.blockedFor == 0)
    }

    @Test func theCapAllowsAtMostNInAnySixtySeconds() {
        let clock = FakeClock()
        let limiter = RateLimiter(maxPerMinute: 3, clock: { clock.date })
        for _ in 0..<3 {
            #expect(limiter.reserve() == 0)
            clock.advance(10)
        }
        // 30 s after the first: the fourth waits the 30 s left of the first's minute.
        #expect(abs(limiter.reserve() - 30) < 1e-9)
        clock.advance(30)
        #expect(limiter.reserve() == 0)
        #expect(limiter.reserve() > 0, "the second and third are still inside the minute")
    }

    @Test func threadsNeverTakeMoreSlotsThanTheCap() {
        let limiter = RateLimiter(maxPerMinute: 50)
        let taken = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<100 where limiter.reserve() == 0 { taken.withLock { $0 += 1 } }
        }
        #expect(taken.current == 50)
    }

    @Test func noBlockForNonsense() {
        let limiter = RateLimiter()
        limiter.block(for: -3)
        limiter.block(for: .nan)
        limiter.block(for: .infinity)
        #expect(limiter.reserve() == 0)
    }
}

@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT

    @Test func seconds() {
        #expect(RetryAfter.seconds("1", now: now) == 1)
        #expect(RetryAfter.seconds(" 120 ", now: now) == 120)
        #expect(RetryAfter.seconds("0.5", now: now) == 0.5)
        #expect(RetryAfter.seconds("-1", now: now) == nil)
        #expect(RetryAfter.seconds(nil, now: now) == nil)
        #expect(RetryAfter.seconds("", now: now) == nil)
        #expect(RetryAfter.seconds("soon", now: now) == nil)
        #expect(RetryAfter.seconds("99999999", now: now) == 86_400, "capped at a day")
    }

    @Test func httpDates() {
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:03 GMT", now: now) == 3)
        #expect(RetryAfter.seconds("Wednesday, 21-Oct-15 07:28:05 GMT", now: now) == 5)
        #expect(RetryAfter.seconds("Wed Oct 21 07:28:07 2015", now: now) == 7)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == 0, "a date past is no wait")
    }
}
