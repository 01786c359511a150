import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// `JobTransitions` is the table; this suite walks every state × event through the store's real statements
/// (the API's control methods, the dispatcher's claim, the worker's fenced writes) and checks that the
/// database ends where the table says, or stays where it was when the table refuses the event.
@Suite("Job state machine against the database", .freshDatabase, .serialized)
struct JobStateMachineTests {
    static let events: [JobEvent] = [.claim, .requeue, .pause, .resume, .cancel, .complete, .fail, .retry]
    static let noLease = "00000000-0000-4000-8000-000000000000"

    /// A job brought into `state` the way production brings it there; its lease when it has run.
    func job(in state: JobState, _ fx: Fixture) throws -> (job: Job, lease: String) {
        let job = try fx.queuedJob()
        let org = job.organisationID
        switch state {
        case .queued:
            return (job, Self.noLease)
        case .paused:
            _ = try #require(try fx.jobs.request(.pause, id: job.id, organisationID: org))
            return (job, Self.noLease)
        case .cancelled:
            _ = try #require(try fx.jobs.request(.cancel, id: job.id, organisationID: org))
            return (job, Self.noLease)
        case .running, .completed, .failed:
            let claim = try fx.claim(job.id)
            let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
            if state == .completed { #expect(try lease.complete(docsPath: "d", pages: [], cacheHit: false)) }
            if state == .failed { #expect(try lease.fail("broken")) }
            return (job, claim.leaseToken)
        }
    }

    /// The store's statement for `event`, as production runs it. Running jobs pause and cancel in two steps:
    /// the request (API), then the worker honouring it at an object boundary.
    func apply(_ event: JobEvent, to job: Job, lease token: String, _ fx: Fixture) throws {
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: token)
        let org = job.organisationID
        switch event {
        case .claim:
            try fx.db.query(
                "UPDATE jobs SET run_after = 'infinity' WHERE status = 'queued' AND id <> $1", [job.id], name: "t.hold")
            _ = try fx.jobs.claim(host: "test-host")
        case .requeue: _ = try lease.end(.requeue, message: "transient", delaySeconds: 0)
        case .pause:
            if try fx.jobs.request(.pause, id: job.id, organisationID: org)?.state == .running {
                _ = try lease.end(.pause, message: "", delaySeconds: 0)
            }
        case .resume: _ = try fx.jobs.request(.resume, id: job.id, organisationID: org)
        case .cancel:
            if try fx.jobs.request(.cancel, id: job.id, organisationID: org)?.state == .running {
                _ = try lease.end(.cancel, message: "", delaySeconds: 0)
            }
        case .complete: _ = try lease.complete(docsPath: "d", pages: [], cacheHit: false)
        case .fail: _ = try lease.end(.fail, message: "broken", delaySeconds: 0)
        case .retry: _ = try fx.jobs.retry(id: job.id, organisationID: org, regenerateAll: false)
        }
    }

    @Test("every state × event ends where JobTransitions says, or is refused and changes nothing")
    func wholeTable() throws {
        let fx = try Fixture()
        for state in JobState.allCases {
            for event in Self.events {
                let (job, lease) = try job(in: state, fx)
                #expect(try fx.jobs.get(id: job.id)?.state == state, "setting up \(state)")
                let before = try fx.snapshot(job.id)
                try apply(event, to: job, lease: lease, fx)
                let after = try #require(try fx.jobs.get(id: job.id))
                if let target = JobTransitions.target(from: state, on: event) {
                    #expect(after.state == target, "\(state) + \(event)")
                } else {
                    #expect(after.state == state, "\(state) + \(event) must be refused")
                    #expect(try fx.snapshot(job.id) == before, "\(state) + \(event) must change nothing")
                }
                // Leave the repository's active slot free for the next job.
                if after.state.isActive {
                    try fx.db.query(
                        "UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_token = NULL WHERE id = $1",
                        [job.id], name: "t.end")
                }
            }
        }
    }

    /// The release rule is decided once: for every pending cancel, pending pause and attempts left, the store's
    /// release (the reaper's, the rescue's and a worker's transient end) lands where `JobTransitions.released`
    /// says, and the state it returns is the one stored.
    @Test("a released attempt ends where JobTransitions.released says")
    func releaseFollowsTheRule() throws {
        let fx = try Fixture()
        for cancel in [false, true] {
            for pause in [false, true] {
                for attemptsLeft in [false, true] {
                    let job = try fx.queuedJob(maxRetries: attemptsLeft ? 2 : 0)
                    let claim = try fx.claim(job.id)
                    try fx.db.query(
                        "UPDATE jobs SET cancel_requested = $2, pause_requested = $3 WHERE id = $1",
                        [job.id, cancel ? "true" : "false", pause ? "true" : "false"], name: "t.flags")
                    let running = try #require(try fx.jobs.get(id: job.id))
                    let expected = JobTransitions.released(
                        cancelRequested: cancel, pauseRequested: pause, attempt: running.attempt,
                        maxAttempts: running.maxAttempts)
                    let returned = try fx.jobs.releaseExited(
                        jobID: job.id, lease: claim.leaseToken, message: "gone", delaySeconds: 0)
                    let label = "cancel \(cancel), pause \(pause), attempts left \(attemptsLeft)"
                    #expect(returned == expected, "\(label)")
                    #expect(try fx.jobs.get(id: job.id)?.state == expected, "\(label)")
                    if expected.isActive {
                        try fx.db.query(
                            "UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_token = NULL WHERE id = $1",
                            [job.id], name: "t.end")
                    }
                }
            }
        }
    }
}
