import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// Invariant 2 of SPEC §2: a job never stays running without a live worker.
@Suite("Rescue and release", .freshDatabase, .serialized)
struct RescueTests {
    func setHeartbeat(_ fx: Fixture, _ id: String, secondsAgo: Int) throws {
        try fx.db.query(
            "UPDATE jobs SET heartbeat_at = now() - make_interval(secs => $2::int) WHERE id = $1",
            [id, String(secondsAgo)], name: "t.beat")
    }

    @Test("expired leases are requeued with backoff or failed when attempts are exhausted; live ones are left alone")
    func rescueExpired() throws {
        let fx = try Fixture()
        let retryable = try fx.queuedJob(maxRetries: 2)  // 3 attempts
        let exhausted = try fx.queuedJob(maxRetries: 0)  // 1 attempt
        let longRunning = try fx.queuedJob()
        let almostExpired = try fx.queuedJob()
        let retryClaim = try fx.claim(retryable.id)
        _ = try fx.claim(exhausted.id)
        let longClaim = try fx.claim(longRunning.id)
        let almostClaim = try fx.claim(almostExpired.id)
        try setHeartbeat(fx, retryable.id, secondsAgo: 3600)
        try setHeartbeat(fx, exhausted.id, secondsAgo: 31)
        try setHeartbeat(fx, almostExpired.id, secondsAgo: 20)
        // Started a day ago, heartbeating still: no fixed timeout may rescue it.
        try fx.db.query(
            "UPDATE jobs SET started_at = now() - interval '1 day' WHERE id = $1", [longRunning.id], name: "t.old")
        let untouched = [
            longRunning.id: try fx.snapshot(longRunning.id), almostExpired.id: try fx.snapshot(almostExpired.id),
        ]

        let rescued = try fx.jobs.rescueExpired(leaseSeconds: 30, message: Messages.leaseExpired, delaySeconds: 120)
        #expect(Dictionary(uniqueKeysWithValues: rescued) == [retryable.id: .queued, exhausted.id: .failed])

        let r = try #require(try fx.jobs.get(id: retryable.id))
        #expect(r.state == .queued)
        #expect(r.attempt == 1 && r.maxAttempts == 3)
        #expect(r.finishedAt == nil && r.errorMessage == nil)
        #expect(r.currentStep == "Waiting to retry (attempt 2 of 3)")
        #expect(r.errorLog.arrayValue?.count == 1)
        #expect(r.errorLog.arrayValue?.first?["message"] == .string(Messages.leaseExpired))
        #expect(
            try fx.value(
                "SELECT (run_after > now() + interval '100 seconds')::text AS v FROM jobs WHERE id = $1", [retryable.id]
            ) == "true")
        #expect(try fx.value("SELECT lease_token::text AS v FROM jobs WHERE id = $1", [retryable.id]) == nil)
        #expect(try fx.jobs.claim(host: "h") == nil, "a requeued job waits for its backoff")
        #expect(try LeaseStore(db: fx.db, jobID: retryable.id, lease: retryClaim.leaseToken).heartbeat() == .lost)

        let e = try #require(try fx.jobs.get(id: exhausted.id))
        #expect(e.state == .failed)
        #expect(e.errorMessage == "\(Messages.leaseExpired) (attempt 1 of 1)")
        #expect(e.finishedAt != nil)

        for (id, snap) in untouched { #expect(try fx.snapshot(id) == snap, "job \(id) was touched") }
        #expect(
            try LeaseStore(db: fx.db, jobID: longRunning.id, lease: longClaim.leaseToken).heartbeat()
                == LeaseStore.Signals())
        #expect(
            try LeaseStore(db: fx.db, jobID: almostExpired.id, lease: almostClaim.leaseToken).heartbeat()
                == LeaseStore.Signals())

        // Rescuing again finds nothing.
        #expect(try fx.jobs.rescueExpired(leaseSeconds: 30, message: Messages.leaseExpired, delaySeconds: 120).isEmpty)
    }

    @Test("a rescued job keeps its pending cancel or pause")
    func rescueHonoursRequests() throws {
        let fx = try Fixture()
        let cancelled = try fx.queuedJob()
        let paused = try fx.queuedJob()
        _ = try fx.claim(cancelled.id)
        _ = try fx.claim(paused.id)
        _ = try fx.jobs.request(.cancel, id: cancelled.id, organisationID: cancelled.organisationID)
        _ = try fx.jobs.request(.pause, id: paused.id, organisationID: paused.organisationID)
        try setHeartbeat(fx, cancelled.id, secondsAgo: 600)
        try setHeartbeat(fx, paused.id, secondsAgo: 600)
        let rescued = Dictionary(
            uniqueKeysWithValues: try fx.jobs.rescueExpired(leaseSeconds: 30, message: "gone", delaySeconds: 1))
        #expect(rescued[cancelled.id] == .cancelled)
        #expect(rescued[paused.id] == .paused)
    }

    @Test("a worker that exits with a cancel pending leaves its job cancelled")
    func releaseCancel() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        let asked = try #require(try fx.jobs.request(.cancel, id: job.id, organisationID: job.organisationID))
        #expect(asked.state == .running && asked.cancelRequested)
        #expect(
            try fx.jobs.releaseExited(
                jobID: job.id, lease: claim.leaseToken, message: "killed by signal 15", delaySeconds: 5) == .cancelled)
        let j = try #require(try fx.jobs.get(id: job.id))
        #expect(j.state == .cancelled && j.finishedAt != nil && j.currentStep == "Cancelled")
        #expect(try fx.value("SELECT lease_token::text AS v FROM jobs WHERE id = $1", [job.id]) == nil)
    }

    @Test("a worker that exits with a pause pending leaves its job paused, ready to resume")
    func releasePause() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        #expect(try fx.jobs.request(.pause, id: job.id, organisationID: job.organisationID)?.pauseRequested == true)
        #expect(
            try fx.jobs.releaseExited(jobID: job.id, lease: claim.leaseToken, message: "exit status 0", delaySeconds: 5)
                == .paused)
        let j = try #require(try fx.jobs.get(id: job.id))
        #expect(j.state == .paused && !j.pauseRequested && j.finishedAt == nil)
        #expect(try fx.jobs.request(.resume, id: job.id, organisationID: job.organisationID)?.state == .queued)
    }

    @Test("a worker that exits without a request: queued again while attempts remain, then failed with a message")
    func releaseRequeueThenFail() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob(maxRetries: 1)  // 2 attempts
        let first = try fx.claim(job.id)
        #expect(
            try fx.jobs.releaseExited(jobID: job.id, lease: first.leaseToken, message: "exit status 1", delaySeconds: 0)
                == .queued)
        let second = try fx.claim(job.id)
        #expect(
            try fx.jobs.releaseExited(
                jobID: job.id, lease: second.leaseToken, message: "exit status 1", delaySeconds: 0) == .failed)
        let j = try #require(try fx.jobs.get(id: job.id))
        #expect(j.state == .failed && j.finishedAt != nil)
        #expect(j.errorMessage == "exit status 1 (attempt 2 of 2)")
        #expect(j.errorLog.arrayValue?.count == 2, "one error log entry per failed attempt")
    }

    @Test("release with a wrong or old lease, or of a job no longer running, does nothing")
    func releaseFenced() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        let before = try fx.snapshot(job.id)
        #expect(
            try fx.jobs.releaseExited(jobID: job.id, lease: UUID().uuidString, message: "x", delaySeconds: 0) == nil)
        #expect(try fx.snapshot(job.id) == before)
        #expect(
            try LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken).complete(
                docsPath: "/d", pages: [], cacheHit: false))
        let done = try fx.snapshot(job.id)
        #expect(try fx.jobs.releaseExited(jobID: job.id, lease: claim.leaseToken, message: "x", delaySeconds: 0) == nil)
        #expect(try fx.snapshot(job.id) == done)
    }
}
