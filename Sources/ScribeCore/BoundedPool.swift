import Foundation

/// A small pool of `width` threads that run submitted tasks in order, at most `width` at once. `stop()` drops
/// the tasks not yet started and lets the running ones finish; `waitUntilIdle` waits for them (the drain).
/// Tasks that block (an HTTP request) hold a thread, never the caller: the caller decides what to submit and
/// when, and the pool only bounds how many run.
public final class BoundedPool: Sendable {
    private struct State {
        var queue: [@Sendable () -> Void] = []
        var running = 0
        var stopped = false
    }

    public let width: Int
    private let state = Locked(State())
    /// Signalled once per task submitted (and `width` times by `stop`), so that idle threads wake.
    private let work = DispatchSemaphore(value: 0)
    /// Signalled each time a task ends, so that `waitUntilIdle` can check again.
    private let ended = DispatchSemaphore(value: 0)

    public init(width: Int, name: String) {
        self.width = max(1, width)
        for index in 0..<self.width {
            let t = Thread { [self] in self.serve() }
            t.name = "\(name)-\(index)"
            t.start()
        }
    }

    /// Queues a task; false (and the task is dropped) once the pool is stopped.
    @discardableResult
    public func submit(_ task: @escaping @Sendable () -> Void) -> Bool {
        let accepted = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.queue.append(task)
            return true
        }
        if accepted { work.signal() }
        return accepted
    }

    /// Tasks queued or running now.
    public var pending: Int { state.withLock { $0.queue.count + $0.running } }

    /// Tasks running now (never more than `width`).
    public var running: Int { state.withLock { $0.running } }

    /// No task starts any more: those queued are dropped, the threads end once their task is done.
    public func stop() {
        state.withLock { s in
            s.stopped = true
            s.queue.removeAll()
        }
        for _ in 0..<width { work.signal() }
    }

    /// Waits until no task is queued or running, at most `timeout` seconds; true when the pool is idle.
    @discardableResult
    public func waitUntilIdle(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while pending > 0 {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            _ = ended.wait(timeout: .now() + min(left, 0.05))
        }
        return true
    }

    private func serve() {
        while true {
            work.wait()
            let next = state.withLock { s -> (@Sendable () -> Void)?? in
                if s.stopped && s.queue.isEmpty { return .some(nil) }
                guard !s.queue.isEmpty else { return nil }
                s.running += 1
                return .some(s.queue.removeFirst())
            }
            guard let next else { continue }
            guard let task = next else { return }
            task()
            state.withLock { $0.running -= 1 }
            ended.signal()
        }
    }
}
