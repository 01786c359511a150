import Foundation
import Testing

@testable import ScribeCore

@Suite struct LockedTests {
    @Test func concurrentUpdatesAreNeverLost() {
        let counter = Locked(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.current == 80_000)
    }
}
