import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// Invariant 3 of SPEC §2 (fencing), invariant 5 (progress) and invariant 6 (versions and NOTIFY).
@Suite("Leases", .freshDatabase, .serialized)
struct LeaseStoreTests {
    func counts(_ fx: Fixture, _ jobID: String) throws -> [Int] {
        [
            try fx.count("SELECT count(*) AS v FROM job_events WHERE job_id = $1", [jobID]),
            try fx.count("SELECT count(*) AS v FROM job_objects WHERE job_id = $1", [jobID]),
            try fx.count("SELECT count(*) AS v FROM doc_pages WHERE job_id = $1", [jobID]),
        ]
    }

    /// Every write the worker can make, with a lease that is no longer the job's: all must be refused.
    func expectEveryWriteRefused(_ stale: LeaseStore) throws {
        #expect(try stale.heartbeat() == .lost)
        #expect(try stale.poll() == .lost)
        #expect(
            try stale.step(progress: 95, step: "Saving documentation", logLine: "Step 9: Saving documentation…")
                == .lost)
        #expect(try stale.setResolved(commit: "abc1234", cacheKey: "k") == .lost)
        #expect(try stale.setRepositoryMetadata(description: "stale", defaultBranch: "stale") == false)
        try stale.seedObjects([(path: "src/a", fingerprint: "f1"), (path: "src/b", fingerprint: nil)])
        #expect(try stale.objectStarted("src/a", progress: 60, step: "Generating documentation: a (1 of 2)") == .lost)
        #expect(
            try stale.objectFinished(
                "src/a", status: .done, error: nil, durationMs: 5, counts: .init(processed: 1, failed: 0, total: 2),
                progress: 70,
                etaSeconds: 3) == .lost)
        try stale.event(level: "warning", "a stale worker speaks")
        #expect(
            try stale.complete(
                docsPath: "/stale",
                pages: [.init(path: "index.md", title: "x", kind: "index", module: nil, contentType: "text/markdown")],
                cacheHit: false) == false)
        #expect(try stale.fail("stale failure") == false)
        #expect(try stale.stop(.pause) == false)
        #expect(try stale.stop(.cancel) == false)
        #expect(try stale.retryLater("stale transient error", delaySeconds: 0) == nil)
    }

    @Test("after a rescue and a new claim, the old lease's writes change nothing")
    func staleLeaseAfterRescue() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let old = try fx.claim(job.id)
        try fx.db.query(
            "UPDATE jobs SET heartbeat_at = now() - interval '10 minutes' WHERE id = $1", [job.id], name: "t.stale")
        let rescued = try fx.jobs.rescueExpired(leaseSeconds: 30, message: Messages.leaseExpired, delaySeconds: 0)
        #expect(rescued.contains { $0.0 == job.id && $0.1 == .queued })
        let new = try fx.claim(job.id)
        #expect(new.attempt == 2)
        let fresh = LeaseStore(db: fx.db, jobID: job.id, lease: new.leaseToken)
        _ = try fresh.step(progress: 50, step: "Analyzing code structure", logLine: "Step 7: Analyzing code structure…")

        let before = try fx.snapshot(job.id)
        let countsBefore = try counts(fx, job.id)
        try expectEveryWriteRefused(LeaseStore(db: fx.db, jobID: job.id, lease: old.leaseToken))
        #expect(try fx.snapshot(job.id) == before, "a stale lease changed the job row")
        #expect(try counts(fx, job.id) == countsBefore, "a stale lease wrote events, objects or pages")
        #expect(
            try fx.value("SELECT docs_job_id::text AS v FROM repositories WHERE id = $1", [job.repositoryID]) == nil)

        // The current lease still works, and after it completes the old one still cannot fail the job.
        #expect(try fresh.heartbeat() == LeaseStore.Signals())
        #expect(try fresh.complete(docsPath: "/docs/\(job.id)", pages: [], cacheHit: false))
        #expect(try LeaseStore(db: fx.db, jobID: job.id, lease: old.leaseToken).fail("late") == false)
        #expect(try fresh.fail("after completion") == false)
        #expect(try fx.jobs.get(id: job.id)?.state == .completed)
    }

    @Test("after the dispatcher released an exited worker's job, that worker's lease writes nothing")
    func staleLeaseAfterRelease() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        #expect(
            try fx.jobs.releaseExited(jobID: job.id, lease: claim.leaseToken, message: "exit 9", delaySeconds: 60)
                == .queued)
        let before = try fx.snapshot(job.id)
        let countsBefore = try counts(fx, job.id)
        try expectEveryWriteRefused(LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken))
        #expect(try fx.snapshot(job.id) == before)
        #expect(try counts(fx, job.id) == countsBefore)
    }

    @Test("the repository's GitHub metadata is written only under the job's current lease")
    func repositoryMetadataFenced() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        func metadata() throws -> [String?] {
            [
                try fx.value("SELECT description AS v FROM repositories WHERE id = $1", [job.repositoryID]),
                try fx.value("SELECT default_branch AS v FROM repositories WHERE id = $1", [job.repositoryID]),
            ]
        }
        let old = try fx.claim(job.id)
        #expect(
            try fx.jobs.releaseExited(jobID: job.id, lease: old.leaseToken, message: "exit 9", delaySeconds: 0) == .queued)
        let new = try fx.claim(job.id)
        let stale = LeaseStore(db: fx.db, jobID: job.id, lease: old.leaseToken)
        let fresh = LeaseStore(db: fx.db, jobID: job.id, lease: new.leaseToken)

        #expect(try stale.setRepositoryMetadata(description: "stale", defaultBranch: "stale-branch") == false)
        #expect(try metadata() == [nil, nil], "a stale lease wrote the repository's metadata")

        #expect(try fresh.setRepositoryMetadata(description: "Docs for all", defaultBranch: "main"))
        #expect(try metadata() == ["Docs for all", "main"])
        // GitHub's nil keeps what is stored.
        #expect(try fresh.setRepositoryMetadata(description: nil, defaultBranch: "trunk"))
        #expect(try metadata() == ["Docs for all", "trunk"])

        // Once the job has ended, its own last lease writes nothing either.
        #expect(try fresh.complete(docsPath: "/docs/\(job.id)", pages: [], cacheHit: false))
        #expect(try fresh.setRepositoryMetadata(description: "late", defaultBranch: "late") == false)
        #expect(try metadata() == ["Docs for all", "trunk"])
    }

    @Test("a made-up lease token is refused too")
    func foreignLease() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        _ = try fx.claim(job.id)
        let before = try fx.snapshot(job.id)
        try expectEveryWriteRefused(LeaseStore(db: fx.db, jobID: job.id, lease: UUID().uuidString.lowercased()))
        #expect(try fx.snapshot(job.id) == before)
    }

    @Test("progress never goes backwards within an attempt")
    func progressMonotonic() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        func progress() throws -> Int? { try fx.jobs.get(id: job.id)?.progress }

        _ = try lease.step(
            progress: 40, step: "Fetching repository contents", logLine: "Step 6: Fetching repository contents…")
        #expect(try progress() == 40)
        _ = try lease.step(progress: 25, step: "Validating GitHub token", logLine: "Step 4: Validating GitHub token…")
        #expect(try progress() == 40)
        #expect(try fx.jobs.get(id: job.id)?.currentStep == "Validating GitHub token")
        try lease.seedObjects([(path: "a", fingerprint: nil), (path: "b", fingerprint: nil)])
        _ = try lease.objectStarted("a", progress: 30, step: "Generating documentation: a (1 of 2)")
        #expect(try progress() == 40)
        _ = try lease.objectFinished(
            "a", status: .done, error: nil, durationMs: 1, counts: .init(processed: 1, failed: 0, total: 2),
            progress: 35, etaSeconds: nil)
        #expect(try progress() == 40)
        _ = try lease.objectFinished(
            "b", status: .failed, error: "boom", durationMs: 1, counts: .init(processed: 1, failed: 1, total: 2),
            progress: 90,
            etaSeconds: nil)
        #expect(try progress() == 90)
        let j = try #require(try fx.jobs.get(id: job.id))
        #expect(j.processedObjects == 1 && j.failedObjects == 1 && j.totalObjects == 2)
        #expect(j.errorLog.arrayValue?.count == 1, "a failed object is logged")
        _ = try lease.step(progress: 50, step: "Analyzing code structure", logLine: "x")
        #expect(try progress() == 90)
    }

    @Test("a bare heartbeat keeps the version (no NOTIFY); a real change bumps it and notifies scribe_jobs")
    func versionsAndNotify() throws {
        let fx = try Fixture()
        let listener = try fx.database.connect()
        try listener.execute("LISTEN scribe_jobs", name: "t.listen")

        let job = try fx.queuedJob()
        #expect(job.version == 1)
        let created = try awaitNotification(listener, timeoutSeconds: 5) { $0.hasPrefix(job.id + " ") }
        #expect(created == "\(job.id) 1 queued \(job.organisationID)")

        let claim = try fx.claim(job.id)
        let v2 = try #require(try fx.jobs.get(id: job.id)).version
        #expect(v2 == 2)
        #expect(
            try awaitNotification(listener, timeoutSeconds: 5) { $0 == "\(job.id) 2 running \(job.organisationID)" }
                != nil)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)

        let heartbeatBefore = try #require(try fx.jobs.get(id: job.id)?.heartbeatAt)
        try fx.db.query("SELECT pg_sleep(0.01)", name: "t.sleep")
        #expect(try lease.heartbeat() == LeaseStore.Signals())
        let afterBeat = try #require(try fx.jobs.get(id: job.id))
        #expect(afterBeat.version == v2, "a bare heartbeat must not change the version (the ETag)")
        #expect(afterBeat.heartbeatAt != heartbeatBefore, "the heartbeat was written")
        #expect(
            try awaitNotification(listener, timeoutSeconds: 0.3) { $0.hasPrefix(job.id + " ") } == nil,
            "a heartbeat notified")

        _ = try lease.step(
            progress: 10, step: "Fetching repository metadata", logLine: "Step 2: Fetching repository metadata…")
        let v3 = try #require(try fx.jobs.get(id: job.id)).version
        #expect(v3 == v2 + 1)
        #expect(
            try awaitNotification(listener, timeoutSeconds: 5) { $0 == "\(job.id) \(v3) running \(job.organisationID)" }
                != nil)

        // A control from the API is a change too.
        let paused = try #require(try fx.jobs.request(.pause, id: job.id, organisationID: job.organisationID))
        #expect(paused.version == v3 + 1)
        #expect(
            try awaitNotification(listener, timeoutSeconds: 5) {
                $0 == "\(job.id) \(v3 + 1) running \(job.organisationID)"
            } != nil)

        // An UPDATE that changes nothing keeps the version.
        try fx.db.query("UPDATE jobs SET progress = progress WHERE id = $1", [job.id], name: "t.noop")
        #expect(try fx.jobs.get(id: job.id)?.version == v3 + 1)
    }

    @Test("signals carry the API's pause and cancel requests to the worker")
    func signals() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        #expect(try lease.heartbeat() == LeaseStore.Signals())
        _ = try fx.jobs.request(.pause, id: job.id, organisationID: job.organisationID)
        #expect(try lease.heartbeat() == LeaseStore.Signals(pauseRequested: true))
        _ = try fx.jobs.request(.cancel, id: job.id, organisationID: job.organisationID)
        #expect(try lease.poll() == LeaseStore.Signals(cancelRequested: true))
        #expect(try lease.stop(.cancel))
        let j = try #require(try fx.jobs.get(id: job.id))
        #expect(j.state == .cancelled && j.finishedAt != nil)
    }

    @Test("completing indexes the pages and points the repository at them, atomically")
    func complete() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        let pages: [LeaseStore.PageRecord] = [
            .init(path: "index.md", title: "Overview", kind: "overview", module: nil, contentType: "text/markdown"),
            .init(
                path: "modules/a.md", title: "a, \"quoted\" {braces}", kind: "module", module: "a",
                contentType: "text/markdown"),
        ]
        #expect(try lease.complete(docsPath: "/data/docs/x", pages: pages, cacheHit: true))
        let j = try #require(try fx.jobs.get(id: job.id))
        #expect(
            j.state == .completed && j.progress == 100 && j.finishedAt != nil && j.cacheHit
                && j.docsPath == "/data/docs/x")
        #expect(
            try fx.value("SELECT docs_job_id::text AS v FROM repositories WHERE id = $1", [job.repositoryID]) == job.id)
        let stored = try RepositoryStore(fx.db).pages(jobID: job.id)
        #expect(stored.map(\.path) == ["index.md", "modules/a.md"])
        #expect(stored.last?.title == "a, \"quoted\" {braces}")
        #expect(stored.first?.module == nil)
    }
}
