import Foundation
import ScribeCore
import Testing

/// The pool the `llm` generator runs its requests on: never more than its width at once, every task run, and a
/// stop that drops what has not started while the running tasks finish.
@Suite struct BoundedPoolTests {
    @Test func runsAtMostWidthTasksAtOnceAndReachesIt() {
        let pool = BoundedPool(width: 3, name: "test-pool")
        defer { pool.stop() }
        let seen = Locked((now: 0, most: 0, done: 0))
        for _ in 0..<24 {
            pool.submit {
                seen.withLock { s in
                    s.now += 1
                    s.most = max(s.most, s.now)
                }
                usleep(20_000)
                seen.withLock { s in
                    s.now -= 1
                    s.done += 1
                }
            }
        }
        #expect(pool.waitUntilIdle(timeout: 20))
        let s = seen.current
        #expect(s.done == 24)
        #expect(s.most == 3)
        #expect(s.now == 0)
    }

    @Test func runsEveryTaskSubmittedFromManyThreads() {
        let pool = BoundedPool(width: 2, name: "test-pool")
        defer { pool.stop() }
        let ran = Locked(Set<Int>())
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            pool.submit { ran.withLock { _ = $0.insert(i) } }
        }
        #expect(pool.waitUntilIdle(timeout: 20))
        #expect(ran.current == Set(0..<200))
    }

    @Test func stopDropsQueuedTasksAndDrainsRunningOnes() {
        let pool = BoundedPool(width: 2, name: "test-pool")
        let gate = DispatchSemaphore(value: 0)
        let finished = Locked(0)
        for _ in 0..<10 {
            pool.submit {
                gate.wait()
                finished.withLock { $0 += 1 }
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while pool.running < 2 && Date() < deadline { usleep(1_000) }
        #expect(pool.running == 2)
        pool.stop()
        #expect(pool.pending == 2)  // the queued eight are gone, the running two are not
        #expect(!pool.submit { finished.withLock { $0 += 100 } })
        #expect(!pool.waitUntilIdle(timeout: 0.1))  // the running two still wait at the gate
        for _ in 0..<10 { gate.signal() }
        #expect(pool.waitUntilIdle(timeout: 10))
        #expect(finished.current == 2)
    }
}
