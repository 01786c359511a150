import Foundation
import ScribeCore
import ScribeStore
import ScribeTestSupport
import Testing

/// Pause, resume, cancel and retry as the API calls them (SPEC §2 and §4).
@Suite("Job controls", .freshDatabase, .serialized)
struct JobControlTests {
    @Test("a queued job pauses at once and resumes to the queue; repeated requests are refused")
    func pauseQueued() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let org = job.organisationID
        let paused = try #require(try fx.jobs.request(.pause, id: job.id, organisationID: org))
        #expect(paused.state == .paused && !paused.pauseRequested && paused.currentStep == "Paused")
        #expect(try fx.jobs.request(.pause, id: job.id, organisationID: org) == nil)
        let resumed = try #require(try fx.jobs.request(.resume, id: job.id, organisationID: org))
        #expect(resumed.state == .queued && resumed.currentStep == "Queued")
        #expect(try fx.jobs.request(.resume, id: job.id, organisationID: org) == nil)
    }

    @Test("a running job is asked to pause; resume withdraws the request; the worker's stop pauses it")
    func pauseRunning() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let org = job.organisationID
        let claim = try fx.claim(job.id)
        let asked = try #require(try fx.jobs.request(.pause, id: job.id, organisationID: org))
        #expect(asked.state == .running && asked.pauseRequested)
        let withdrawn = try #require(try fx.jobs.request(.resume, id: job.id, organisationID: org))
        #expect(withdrawn.state == .running && !withdrawn.pauseRequested)
        #expect(try fx.jobs.request(.resume, id: job.id, organisationID: org) == nil, "nothing left to resume")
        _ = try fx.jobs.request(.pause, id: job.id, organisationID: org)
        #expect(try LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken).stop(.pause))
        let paused = try #require(try fx.jobs.get(id: job.id))
        #expect(paused.state == .paused && !paused.pauseRequested && paused.finishedAt == nil)
        #expect(try fx.jobs.request(.resume, id: job.id, organisationID: org)?.state == .queued)
    }

    @Test("cancel: queued and paused jobs end at once, a running one is asked; a cancelled job refuses the rest")
    func cancel() throws {
        let fx = try Fixture()
        let queued = try fx.queuedJob()
        let c = try #require(try fx.jobs.request(.cancel, id: queued.id, organisationID: queued.organisationID))
        #expect(c.state == .cancelled && c.finishedAt != nil && c.currentStep == "Cancelled")
        #expect(try fx.jobs.request(.cancel, id: queued.id, organisationID: queued.organisationID) == nil)
        #expect(try fx.jobs.request(.pause, id: queued.id, organisationID: queued.organisationID) == nil)
        #expect(try fx.jobs.request(.resume, id: queued.id, organisationID: queued.organisationID) == nil)

        let paused = try fx.queuedJob()
        _ = try fx.jobs.request(.pause, id: paused.id, organisationID: paused.organisationID)
        #expect(try fx.jobs.request(.cancel, id: paused.id, organisationID: paused.organisationID)?.state == .cancelled)

        let running = try fx.queuedJob()
        _ = try fx.claim(running.id)
        let asked = try #require(try fx.jobs.request(.cancel, id: running.id, organisationID: running.organisationID))
        #expect(asked.state == .running && asked.cancelRequested && asked.finishedAt == nil)
    }

    @Test("retry of a cancelled or failed job queues it afresh; other states are refused")
    func retry() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let org = job.organisationID
        guard case .refused = try fx.jobs.retry(id: job.id, organisationID: org, regenerateAll: false) else {
            Issue.record("a queued job was retried")
            return
        }
        let claim = try fx.claim(job.id)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        _ = try lease.step(progress: 40, step: "Fetching repository contents", logLine: "x")
        guard case .refused = try fx.jobs.retry(id: job.id, organisationID: org, regenerateAll: false) else {
            Issue.record("a running job was retried")
            return
        }
        #expect(try lease.fail(Messages.repositoryNotFound("https://github.com/owner/gone")))
        let failed = try #require(try fx.jobs.get(id: job.id))
        #expect(failed.state == .failed && failed.errorMessage == "Repository not found: https://github.com/owner/gone")

        guard case .retried(let again) = try fx.jobs.retry(id: job.id, organisationID: org, regenerateAll: false) else {
            Issue.record("a failed job was not retried")
            return
        }
        #expect(again.state == .queued)
        #expect(again.attempt == 0 && again.progress == 0)
        #expect(again.errorMessage == nil && again.finishedAt == nil && !again.cancelRequested)
        #expect(again.errorLog.arrayValue?.count == 1, "the failed attempt stays in the error log")
        #expect(try fx.claim(job.id).attempt == 1)

        // Cancelled → retry too.
        _ = try fx.jobs.request(.cancel, id: job.id, organisationID: org)
        _ = try LeaseStore(
            db: fx.db, jobID: job.id,
            lease: try #require(try fx.value("SELECT lease_token::text AS v FROM jobs WHERE id = $1", [job.id]))
        )
        .stop(.cancel)
        guard case .retried = try fx.jobs.retry(id: job.id, organisationID: org, regenerateAll: false) else {
            Issue.record("a cancelled job was not retried")
            return
        }
    }

    @Test("retry with regenerate_all drops the checkpoint and records the option")
    func retryRegenerate() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        try lease.seedObjects([(path: "a", fingerprint: nil), (path: "b", fingerprint: nil)])
        #expect(try lease.fail("fatal"))
        #expect(try fx.count("SELECT count(*) AS v FROM job_objects WHERE job_id = $1", [job.id]) == 2)
        guard
            case .retried(let again) = try fx.jobs.retry(
                id: job.id, organisationID: job.organisationID, regenerateAll: true)
        else {
            Issue.record("not retried")
            return
        }
        #expect(again.options["regenerate_all"] == .bool(true))
        #expect(try fx.count("SELECT count(*) AS v FROM job_objects WHERE job_id = $1", [job.id]) == 0)
    }

    @Test("retry keeps the checkpoint without regenerate_all")
    func retryResumes() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let claim = try fx.claim(job.id)
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        try lease.seedObjects([(path: "a", fingerprint: nil)])
        _ = try lease.objectStarted("a", progress: 50, step: "a")
        _ = try lease.objectFinished(
            "a", status: .done, error: nil, durationMs: 1, counts: .init(processed: 1, failed: 0, total: 1),
            progress: 90, etaSeconds: nil)
        #expect(try lease.fail("fatal"))
        guard case .retried = try fx.jobs.retry(id: job.id, organisationID: job.organisationID, regenerateAll: false)
        else {
            Issue.record("not retried")
            return
        }
        #expect(
            try fx.value("SELECT status AS v FROM job_objects WHERE job_id = $1 AND path = 'a'", [job.id]) == "done")
    }

    @Test("retry while another job is active for the repository is a conflict naming that job")
    func retryConflict() throws {
        let fx = try Fixture()
        let org = try fx.organisation()
        let repo = try fx.repository(organisationID: org)
        let old = try fx.queuedJob(org: org, repo: repo)
        _ = try fx.jobs.request(.cancel, id: old.id, organisationID: org)
        let current = try fx.queuedJob(org: org, repo: repo)
        guard case .conflict(let active) = try fx.jobs.retry(id: old.id, organisationID: org, regenerateAll: false)
        else {
            Issue.record("retry did not answer conflict")
            return
        }
        #expect(active == current.id)
        #expect(try fx.jobs.get(id: old.id)?.state == .cancelled)
        // The connection is still usable after the rolled-back transaction.
        #expect(try fx.jobs.get(id: current.id)?.state == .queued)
    }

    @Test("a completed job refuses pause, resume, cancel and retry")
    func completedRefusesAll() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let org = job.organisationID
        let claim = try fx.claim(job.id)
        #expect(
            try LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken).complete(
                docsPath: "/d", pages: [], cacheHit: false))
        let before = try fx.snapshot(job.id)
        #expect(try fx.jobs.request(.pause, id: job.id, organisationID: org) == nil)
        #expect(try fx.jobs.request(.resume, id: job.id, organisationID: org) == nil)
        #expect(try fx.jobs.request(.cancel, id: job.id, organisationID: org) == nil)
        guard case .refused = try fx.jobs.retry(id: job.id, organisationID: org, regenerateAll: false) else {
            Issue.record("a completed job was retried")
            return
        }
        #expect(try fx.snapshot(job.id) == before)
    }

    @Test("another organisation cannot see or control a job")
    func scopedByOrganisation() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let stranger = try fx.organisation()
        let before = try fx.snapshot(job.id)
        #expect(try fx.jobs.get(id: job.id, organisationID: stranger) == nil)
        #expect(try fx.jobs.request(.pause, id: job.id, organisationID: stranger) == nil)
        #expect(try fx.jobs.request(.cancel, id: job.id, organisationID: stranger) == nil)
        #expect(try fx.jobs.request(.resume, id: job.id, organisationID: stranger) == nil)
        guard case .refused = try fx.jobs.retry(id: job.id, organisationID: stranger, regenerateAll: false) else {
            Issue.record("a stranger retried the job")
            return
        }
        #expect(try fx.snapshot(job.id) == before)
        #expect(
            try fx.jobs.list(organisationID: stranger, status: nil, repositoryID: nil, limit: 10, before: nil).isEmpty)
    }
}
