import Foundation
import ScribeCore
import ScribeCrypto

/// This host's bounded cache of page files, `$SCRIBE_DATA_DIR/docs/cache/<2 hex>/<sha256>`, so that nginx sends
/// pages itself (`X-Accel-Redirect`). The database holds every page; a file is written on its first read here,
/// after its bytes were checked against the hash that names it, and is replaced by a rename, so a file under a
/// hash always holds exactly those bytes. Several processes may share the folder: each finds files by `stat`.
public final class PageCache: @unchecked Sendable {
    // @unchecked: `entries`, `total` and `scanned` are read and written under `lock`; the rest are constants.
    public let root: String
    public let maxBytes: Int64
    private let lock = NSLock()
    private var entries: [String: (size: Int64, used: Date)] = [:]
    private var total: Int64 = 0
    private var scanned = false

    public init(dataDir: String, maxBytes: Int64) {
        self.root = "\(dataDir)/docs/cache"
        self.maxBytes = maxBytes
    }

    /// The folder under `$SCRIBE_DATA_DIR/docs` (what nginx's internal location aliases) of a content's file.
    public static func relativePath(hash: String) -> String { "cache/\(hash.prefix(2))/\(hash)" }

    public func path(hash: String) -> String { "\(root)/\(hash.prefix(2))/\(hash)" }

    /// A file is the cached content of `hash` when it exists with the size the database gives.
    public func has(hash: String, size: Int) -> Bool {
        var st = stat()
        guard stat(path(hash: hash), &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int64(st.st_size) == Int64(size) else {
            return false
        }
        lock.lock()
        entries[hash] = (Int64(size), Date())
        lock.unlock()
        return true
    }

    public struct Mismatch: Error, CustomStringConvertible {
        public let hash: String
        public var description: String { "page content \(hash.prefix(12))… does not match its hash" }
    }

    /// Writes `bytes` as the file of `hash` after checking them against it; evicts the least recently used
    /// files beyond the bound. Returns the file's path.
    @discardableResult
    public func fill(hash: String, bytes: [UInt8]) throws -> String {
        guard Secrets.hex(Secrets.sha256(bytes)) == hash else { throw Mismatch(hash: hash) }
        let target = path(hash: hash)
        let dir = "\(root)/\(hash.prefix(2))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A name of this writer's own: two processes filling the same page never write into one file.
        let tmp = "\(dir)/.\(hash).\(getpid()).\(UInt64.random(in: 0...UInt64.max))"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(bytes)) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: dir])
        }
        guard rename(tmp, target) == 0 else {
            unlink(tmp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: dir])
        }
        lock.lock()
        defer { lock.unlock() }
        if let old = entries[hash] { total -= old.size }
        entries[hash] = (Int64(bytes.count), Date())
        total += Int64(bytes.count)
        if !scanned || total > maxBytes { evictLocked(keeping: hash) }
        return target
    }

    /// The files of the cache (hash and size), read from the folder: other processes write here too.
    public func files() -> [(hash: String, size: Int64, modified: Date)] {
        var out: [(String, Int64, Date)] = []
        guard let dirs = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        for d in dirs where d.count == 2 {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(d)") else { continue }
            for name in names where name.count == 64 && name.hasPrefix(d) {
                var st = stat()
                guard lstat("\(root)/\(d)/\(name)", &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                out.append((name, Int64(st.st_size), Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec))))
            }
        }
        return out
    }

    /// Removes the files of these hashes (contents the database no longer holds).
    @discardableResult
    public func remove(hashes: [String]) -> Int {
        var removed = 0
        lock.lock()
        defer { lock.unlock() }
        for h in hashes where h.count == 64 && h.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) {
            if unlink(path(hash: h)) == 0 { removed += 1 }
            if let e = entries.removeValue(forKey: h) { total -= e.size }
        }
        return removed
    }

    /// Brings the folder (every process's files) under the bound: least recently used first.
    private func evictLocked(keeping: String) {
        // The first time, and whenever the bound is crossed, the folder is read again: files of other
        // processes count too, and files they removed no longer do.
        let onDisk = files()
        var merged: [String: (size: Int64, used: Date)] = [:]
        for f in onDisk { merged[f.hash] = (f.size, max(f.modified, entries[f.hash]?.used ?? .distantPast)) }
        entries = merged
        total = merged.values.reduce(0) { $0 + $1.size }
        scanned = true
        guard total > maxBytes else { return }
        // Down to 90 % of the bound, so that the next fills do not each pay for a scan.
        let target = maxBytes - maxBytes / 10
        for (hash, e) in merged.sorted(by: { $0.value.used < $1.value.used }) where hash != keeping {
            if total <= target { break }
            if Posix.removeFile(path(hash: hash)) {
                entries.removeValue(forKey: hash)
                total -= e.size
            }
        }
    }
}
