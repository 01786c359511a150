import Foundation
import ScribeCore
import ScribeStore

/// Verified API tokens, kept briefly so that polling costs no authentication query (SPEC §4).
final class AuthCache: @unchecked Sendable {
    // @unchecked: every var is read and written under `lock`.
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
/// is answered 304 without a database round trip, and a poll without one gets 200 from the rendered copy
/// kept beside the version. Trusted only while the listener is connected; every (re)connection starts a
/// new generation and forgets what came before.
///
/// A rendered copy is served only while its version is the latest one known: a NOTIFY (or the API's own
/// change) with a newer version replaces the entry and so drops the copy. The copies are bounded in bytes;
/// past the bound the oldest stored go first.
final class JobVersionCache: @unchecked Sendable {
    // @unchecked: every var (entries, connected, generation, the rendered bookkeeping) is read and written under
    // `lock`; `maxRenderedBytes` is a constant.
    struct Entry {
        let version: Int64
        let organisationID: String
        /// The job's JSON answer at `version`, when a request rendered it.
        var rendered: [UInt8]? = nil
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var connected = false
    private(set) var generation = 0
    /// Bytes held by rendered copies, and the order they were stored in (id and version, oldest first).
    private var renderedBytes = 0
    private var renderedOrder: [(String, Int64)] = []
    private var renderedHead = 0
    let maxRenderedBytes: Int

    init(maxRenderedBytes: Int = 16 << 20) { self.maxRenderedBytes = maxRenderedBytes }

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

    /// Stores what a request read from the database (and its rendered answer), unless the listener
    /// reconnected since the read began or a newer version is known already.
    func store(_ jobID: String, _ entry: Entry, readInGeneration gen: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard connected, gen == generation else { return }
        if let old = entries[jobID] {
            if old.version > entry.version { return }
            if old.version == entry.version, old.rendered != nil || entry.rendered == nil { return }
            replace(jobID, old, with: entry)
        } else {
            replace(jobID, nil, with: entry)
        }
    }

    func notified(_ jobID: String, _ entry: Entry) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count > 200_000 { forgetAll() }
        let old = entries[jobID]
        if let old, old.version >= entry.version { return }
        replace(jobID, old, with: Entry(version: entry.version, organisationID: entry.organisationID))
    }

    func setConnected(_ c: Bool) {
        lock.lock()
        defer { lock.unlock() }
        connected = c
        generation += 1
        forgetAll()
    }

    /// Bytes held by rendered copies now (for tests and metrics).
    var bytesRendered: Int {
        lock.lock()
        defer { lock.unlock() }
        return renderedBytes
    }

    // Called with the lock held.
    private func replace(_ jobID: String, _ old: Entry?, with new: Entry) {
        if let body = old?.rendered { renderedBytes -= body.count }
        var new = new
        if let body = new.rendered {
            if body.count > maxRenderedBytes / 4 {
                new.rendered = nil
            } else {
                renderedBytes += body.count
                renderedOrder.append((jobID, new.version))
            }
        }
        entries[jobID] = new
        evictRendered()
    }

    private func evictRendered() {
        while renderedBytes > maxRenderedBytes, renderedHead < renderedOrder.count {
            let (id, version) = renderedOrder[renderedHead]
            renderedHead += 1
            // An older slot of a job stored again since then, or already replaced by a newer version: skip it.
            if var e = entries[id], e.version == version, let body = e.rendered {
                renderedBytes -= body.count
                e.rendered = nil
                entries[id] = e
            }
        }
        // Drop the slots already passed once they are most of the queue.
        if renderedHead > 1024, renderedHead * 2 > renderedOrder.count {
            renderedOrder.removeFirst(renderedHead)
            renderedHead = 0
        }
        if renderedOrder.count > 4 * max(entries.count, 1024) { compactOrder() }
    }

    /// Rebuilds the queue from the copies actually held (a job rendered at many versions leaves many slots).
    private func compactOrder() {
        renderedOrder = renderedOrder[renderedHead...].filter { entries[$0.0]?.version == $0.1 && entries[$0.0]?.rendered != nil }
        renderedHead = 0
    }

    private func forgetAll() {
        entries.removeAll(keepingCapacity: true)
        renderedOrder.removeAll(keepingCapacity: true)
        renderedHead = 0
        renderedBytes = 0
    }
}
