import Foundation
import ScribeCore
import ScribeStore

/// Verified API tokens, kept briefly so that polling costs no authentication query (SPEC §4).
final class AuthCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: (AccountStore.Principal, Date)] = [:]
    private let ttl: TimeInterval

    init(ttl: TimeInterval = 30) { self.ttl = ttl }

    func get(_ digestHex: String) -> AccountStore.Principal? {
        lock.lock()
        defer { lock.unlock() }
        guard let (p, exp) = entries[digestHex] else { return nil }
        if exp < Date() {
            entries[digestHex] = nil
            return nil
        }
        return p
    }

    func put(_ digestHex: String, _ p: AccountStore.Principal) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count > 10_000 { entries.removeAll(keepingCapacity: true) }
        entries[digestHex] = (p, Date().addingTimeInterval(ttl))
    }
}

/// The latest version of each job, learnt from the workers' NOTIFYs, so that a poll whose ETag is current
/// is answered 304 without a database round trip. Trusted only while the listener is connected; every
/// (re)connection starts a new generation and forgets what came before.
final class JobVersionCache: @unchecked Sendable {
    struct Entry {
        let version: Int64
        let organisationID: String
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var connected = false
    private(set) var generation = 0

    func lookup(_ jobID: String) -> Entry? {
        lock.lock()
        defer { lock.unlock() }
        return connected ? entries[jobID] : nil
    }

    var currentGeneration: Int {
        lock.lock()
        defer { lock.unlock() }
        return generation
    }

    /// Stores what a request read from the database, unless the listener reconnected since the read began.
    func store(_ jobID: String, _ entry: Entry, readInGeneration gen: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard connected, gen == generation else { return }
        if let old = entries[jobID], old.version >= entry.version { return }
        entries[jobID] = entry
    }

    func notified(_ jobID: String, _ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count > 200_000 { entries.removeAll(keepingCapacity: true) }
        if let old = entries[jobID], old.version >= entry.version { return }
        entries[jobID] = entry
    }

    func setConnected(_ c: Bool) {
        lock.lock()
        defer { lock.unlock() }
        connected = c
        generation += 1
        entries.removeAll(keepingCapacity: true)
    }
}

/// Counters for `/api/metrics`.
final class Metrics: @unchecked Sendable {
    private let lock = NSLock()
    private var byStatus: [Int: Int] = [:]
    private(set) var notModified = 0
    private(set) var spawned = 0
    private(set) var rescued = 0

    func count(status: Int) {
        lock.lock()
        byStatus[status, default: 0] += 1
        if status == 304 { notModified += 1 }
        lock.unlock()
    }

    func addSpawned() { lock.lock(); spawned += 1; lock.unlock() }
    func addRescued(_ n: Int) { lock.lock(); rescued += n; lock.unlock() }

    func snapshot() -> (byStatus: [Int: Int], spawned: Int, rescued: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (byStatus, spawned, rescued)
    }
}

/// A boolean shared between threads.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
