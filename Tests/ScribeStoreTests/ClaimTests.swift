import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

@Suite("Claiming", .freshDatabase, .serialized)
struct ClaimTests {
    @Test("concurrent claimers on their own connections never take the same job, and take them all")
    func concurrentClaimers() throws {
        let fx = try Fixture()
        let database = fx.database
        try fx.db.query("UPDATE jobs SET run_after = 'infinity' WHERE status = 'queued'", name: "t.hold-all")
        let org = try fx.organisation()
        var ids = Set<String>()
        for _ in 0..<60 { ids.insert(try fx.queuedJob(org: org, repo: try fx.repository(organisationID: org)).id) }
        let claims = try claimUntilNoneLeft(database, claimers: 6)
        let claimed = claims.map(\.jobID)
        #expect(claimed.count == Set(claimed).count, "a job was claimed twice")
        #expect(Set(claimed) == ids, "every queued job is claimed")
        #expect(Set(claims.map(\.leaseToken)).count == claims.count, "every claim has its own lease")
        #expect(claims.allSatisfy { $0.attempt == 1 })
        #expect(
            try fx.count(
                "SELECT count(*) AS v FROM jobs WHERE organisation_id = $1 AND status = 'running' AND attempt = 1"
                    + " AND lease_token IS NOT NULL",
                [org]) == ids.count)
        #expect(try JobStore(fx.db).claim(host: "claimer") == nil)
    }

    @Test("a claim marks the job running with a fresh lease and attempt + 1")
    func claimShape() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        let first = try fx.claim(job.id)
        let running = try #require(try fx.jobs.get(id: job.id))
        #expect(running.state == .running)
        #expect(running.attempt == 1)
        #expect(running.startedAt != nil && running.heartbeatAt != nil)
        // Released (worker exited) and claimed again: a new lease, the next attempt.
        #expect(
            try fx.jobs.releaseExited(jobID: job.id, lease: first.leaseToken, message: "exit 1", delaySeconds: 0)
                == .queued)
        let second = try fx.claim(job.id)
        #expect(second.attempt == 2)
        #expect(second.leaseToken != first.leaseToken)
    }

    /// Priority orders the jobs of one organisation; across organisations, claims are fair (FairClaimTests).
    @Test("claims honour priority, then run_after, and never take a job before its run_after")
    func order() throws {
        let fx = try Fixture()
        try fx.db.query("UPDATE jobs SET run_after = 'infinity' WHERE status = 'queued'", name: "t.hold-all")
        let org = try fx.organisation()
        let low = try fx.queuedJob(org: org, repo: try fx.repository(organisationID: org))
        let high = try fx.queuedJob(org: org, repo: try fx.repository(organisationID: org))
        let later = try fx.queuedJob(org: org, repo: try fx.repository(organisationID: org))
        try fx.db.query("UPDATE jobs SET priority = 10 WHERE id = $1", [high.id], name: "t.priority")
        try fx.db.query(
            "UPDATE jobs SET priority = 50, run_after = now() + interval '1 hour' WHERE id = $1", [later.id],
            name: "t.later")
        #expect(try fx.jobs.claim(host: "h")?.jobID == high.id)
        #expect(try fx.jobs.claim(host: "h")?.jobID == low.id)
        #expect(try fx.jobs.claim(host: "h") == nil)
        #expect(try fx.jobs.get(id: later.id)?.state == .queued)
    }
}
