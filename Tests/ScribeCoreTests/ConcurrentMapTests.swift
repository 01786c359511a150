import Foundation
import ScribeCore
import Testing

/// The all-cores loop the indexer reads files with: each index's result in its place, every index once, and
/// the iterations really spread over threads.
@Suite struct ConcurrentMapTests {
    @Test func givesEachIndexItsResultInOrder() {
        let calls = Locked([Int: Int]())
        let out = concurrentMap(1000) { i -> String in
            calls.withLock { $0[i, default: 0] += 1 }
            return "item \(i)"
        }
        #expect(out == (0..<1000).map { "item \($0)" })
        #expect(calls.current.count == 1000)
        #expect(calls.current.values.allSatisfy { $0 == 1 })
    }

    @Test func anEmptyLoopGivesNothing() {
        #expect(concurrentMap(0) { $0 }.isEmpty)
    }

    @Test func runsIterationsAtTheSameTimeOnAMachineWithCores() {
        guard ProcessInfo.processInfo.activeProcessorCount > 1 else { return }
        let running = Locked((now: 0, most: 0))
        _ = concurrentMap(8) { i -> Int in
            running.withLock { r in
                r.now += 1
                r.most = max(r.most, r.now)
            }
            usleep(50_000)
            running.withLock { $0.now -= 1 }
            return i
        }
        #expect(running.current.most > 1)
    }
}
