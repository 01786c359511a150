import Foundation

/// Counters for `/api/metrics`: responses by status (the API, once per request), workers spawned and jobs
/// rescued (the dispatcher).
public final class Metrics: @unchecked Sendable {
    // @unchecked: every counter is read and written under `lock`. A plain lock rather than `Locked`: this is
    // on every request's path, and a generic from another module is not specialized here.
    private let lock = NSLock()
    private var byStatus: [Int: Int] = [:]
    private var spawned = 0
    private var rescued = 0

    public init() {}

    public func count(status: Int) {
        lock.lock()
        byStatus[status, default: 0] += 1
        lock.unlock()
    }

    public func addSpawned() {
        lock.lock()
        spawned += 1
        lock.unlock()
    }

    public func addRescued(_ n: Int) {
        lock.lock()
        rescued += n
        lock.unlock()
    }

    public func snapshot() -> (byStatus: [Int: Int], spawned: Int, rescued: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (byStatus, spawned, rescued)
    }
}
