import Foundation
import ScribeCore

/// Counters for `/api/metrics`: responses by status (the API), workers spawned and jobs rescued (the dispatcher).
public final class Metrics: Sendable {
    private struct Counts {
        var byStatus: [Int: Int] = [:]
        var spawned = 0
        var rescued = 0
    }

    private let counts = Locked(Counts())

    public init() {}

    public func count(status: Int) { counts.withLock { $0.byStatus[status, default: 0] += 1 } }
    public func addSpawned() { counts.withLock { $0.spawned += 1 } }
    public func addRescued(_ n: Int) { counts.withLock { $0.rescued += n } }

    public func snapshot() -> (byStatus: [Int: Int], spawned: Int, rescued: Int) {
        counts.withLock { ($0.byStatus, $0.spawned, $0.rescued) }
    }
}
