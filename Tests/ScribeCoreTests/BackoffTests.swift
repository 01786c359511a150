import Testing

@testable import ScribeCore

@Suite("Backoff")
struct BackoffTests {
    @Test("the ceiling doubles per attempt from the base")
    func exponential() {
        let b = Backoff(baseSeconds: 2, capSeconds: 300)
        #expect(b.ceiling(attempt: 1) == 2)
        #expect(b.ceiling(attempt: 2) == 4)
        #expect(b.ceiling(attempt: 3) == 8)
        #expect(b.ceiling(attempt: 6) == 64)
        #expect(b.ceiling(attempt: 8) == 256)
    }

    @Test("the ceiling is capped, also for absurd attempt numbers")
    func capped() {
        let b = Backoff(baseSeconds: 2, capSeconds: 300)
        #expect(b.ceiling(attempt: 9) == 300)
        #expect(b.ceiling(attempt: 64) == 300)
        #expect(b.ceiling(attempt: Int.max) == 300)
        #expect(b.delay(attempt: 1_000, random: 1) == 300)
    }

    @Test("attempt 0 and negative attempts get the base, never less")
    func lowAttempts() {
        let b = Backoff(baseSeconds: 3, capSeconds: 300)
        #expect(b.ceiling(attempt: 0) == 3)
        #expect(b.ceiling(attempt: -5) == 3)
    }

    @Test("the ceiling never decreases with the attempt", arguments: [0.5, 2.0, 7.0])
    func monotonic(base: Double) {
        let b = Backoff(baseSeconds: base, capSeconds: 120)
        var last = 0.0
        for a in 1...40 {
            let c = b.ceiling(attempt: a)
            #expect(c >= last)
            #expect(c <= 120)
            last = c
        }
    }

    @Test("jitter: random 0 gives half the ceiling, random 1 the whole ceiling", arguments: 1...10)
    func jitterBounds(attempt: Int) {
        let b = Backoff(baseSeconds: 2, capSeconds: 300)
        let c = b.ceiling(attempt: attempt)
        #expect(b.delay(attempt: attempt, random: 0) == c / 2)
        #expect(b.delay(attempt: attempt, random: 1) == c)
        #expect(b.delay(attempt: attempt, random: 0.5) == c * 0.75)
    }

    @Test("a random value out of [0, 1] is clamped")
    func clamped() {
        let b = Backoff(baseSeconds: 2, capSeconds: 300)
        #expect(b.delay(attempt: 3, random: -4) == 4)
        #expect(b.delay(attempt: 3, random: 9) == 8)
    }

    @Test("the default random source stays within [ceiling/2, ceiling] and actually varies")
    func defaultRandom() {
        let b = Backoff(baseSeconds: 2, capSeconds: 300)
        var seen = Set<Double>()
        for _ in 0..<500 {
            let d = b.delay(attempt: 4)
            #expect(d >= 8 && d <= 16)
            seen.insert(d)
        }
        #expect(seen.count > 50, "jitter should spread retries")
    }
}
