import Foundation
import Logging
import ScribeCore
import ScribeStore

/// Retention and this host's housekeeping (`scribe gc`, and every dispatcher each `SCRIBE_GC_SECONDS`):
/// per repository, the pages of its `SCRIBE_KEEP_VERSIONS` newest completed jobs and of the job it points at
/// stay; older pages leave the database, and each host removes the files of contents that are gone from its
/// page cache, the work folders of jobs that ended, and job folders of the layout before pages moved into the
/// database once the database holds their pages; and finished webhook deliveries older than
/// `SCRIBE_WEBHOOK_KEEP_DAYS`.
public struct Retention {
    let config: Config
    let logger: Logger
    let cache: PageCache

    public init(config: Config, logger: Logger) {
        self.config = config
        self.logger = logger
        self.cache = PageCache(dataDir: config.dataDir, maxBytes: config.pageCacheBytes)
    }

    public struct Report: Sendable {
        public var prunedJobs = 0
        public var removedContents = 0
        public var cacheFiles = 0
        public var workFolders = 0
        public var oldFolders = 0
        public var webhookDeliveries = 0
    }

    /// Everything: the database's retention, then this host's files.
    public func run(_ db: Connection) throws -> Report {
        var report = Report()
        let pruned = try PageStore(db).prune(keep: config.keepVersions)
        report.prunedJobs = pruned.jobs.count
        report.removedContents = pruned.contents
        if !pruned.jobs.isEmpty {
            logger.info(
                "removed the pages of old documentation versions",
                metadata: ["gc.jobs": "\(pruned.jobs.count)", "gc.contents": "\(pruned.contents)"])
        }
        report.webhookDeliveries = try WebhookStore(db).prune(keepDays: config.webhookKeepDays)
        if report.webhookDeliveries > 0 {
            logger.info("removed old webhook deliveries", metadata: ["gc.webhook_deliveries": "\(report.webhookDeliveries)"])
        }
        report.cacheFiles = try cleanCache(db)
        report.workFolders = try removeFinishedWorkFolders(JobStore(db))
        report.oldFolders = try removeImportedFolders(db)
        return report
    }

    /// Removes the cached files of contents the database no longer holds.
    func cleanCache(_ db: Connection) throws -> Int {
        let hashes = cache.files().map(\.hash)
        var removed = 0
        var start = 0
        while start < hashes.count {
            let chunk = Array(hashes[start..<min(start + 1000, hashes.count)])
            removed += cache.remove(hashes: try PageStore(db).absent(hashes: chunk))
            start += chunk.count
        }
        return removed
    }

    /// Removes the work folders (`$SCRIBE_DATA_DIR/jobs/<job>`) of jobs that ended: a worker removes its own,
    /// but one that was killed, or whose job was failed by a rescue, leaves its clone and pages behind.
    @discardableResult
    func removeFinishedWorkFolders(_ jobs: JobStore) throws -> Int {
        let root = "\(config.dataDir)/jobs"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return 0 }
        let ids = names.filter { Router.isUUID($0) && $0 == $0.lowercased() }
        var removed = 0
        for id in try jobs.withoutWork(ids) {
            do {
                try FileManager.default.removeItem(atPath: "\(root)/\(id)")
                removed += 1
                logger.info("removed the work folder of a finished job", metadata: ["job.id": "\(id)"])
            } catch {
                logger.warning("cannot remove a work folder", metadata: ["job.id": "\(id)", "error": "\(error)"])
            }
        }
        return removed
    }

    /// The job folders (`docs/<repository>/<job>`) written before pages moved into the database.
    public func oldFolders() -> [String] {
        let docs = "\(config.dataDir)/docs"
        var out: [String] = []
        for repo in (try? FileManager.default.contentsOfDirectory(atPath: docs)) ?? [] where Router.isUUID(repo) {
            for job in (try? FileManager.default.contentsOfDirectory(atPath: "\(docs)/\(repo)")) ?? [] where Router.isUUID(job) {
                out.append("\(repo)/\(job)")
            }
        }
        return out
    }

    /// Removes old-layout job folders whose pages the database holds (imported) or no longer lists.
    func removeImportedFolders(_ db: Connection) throws -> Int {
        let folders = oldFolders()
        guard !folders.isEmpty else { return 0 }
        var removed = 0
        for folder in try PageStore(db).foldersNoLongerNeeded(folders) {
            let path = "\(config.dataDir)/docs/\(folder)"
            if (try? FileManager.default.removeItem(atPath: path)) != nil {
                removed += 1
                rmdir(URL(fileURLWithPath: path).deletingLastPathComponent().path)  // the repository's folder, once empty
            }
        }
        return removed
    }
}
