import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

@Suite("Fair claims and the cap of active jobs", .freshDatabase, .serialized)
struct FairClaimTests {
    /// Holds back every queued job of earlier tests, so that a test sees only its own.
    private func holdAll(_ fx: Fixture) throws {
        try fx.db.query("UPDATE jobs SET run_after = 'infinity' WHERE status = 'queued'", name: "t.hold-all")
    }

    private func queued(_ fx: Fixture, org: String, count: Int, priority: Int = 0) throws -> [String] {
        var ids: [String] = []
        for _ in 0..<count {
            let job = try fx.queuedJob(org: org, repo: try fx.repository(organisationID: org))
            if priority != 0 {
                try fx.db.query("UPDATE jobs SET priority = $2 WHERE id = $1", [job.id, String(priority)], name: "t.priority")
            }
            ids.append(job.id)
        }
        return ids
    }

    /// Ends a claimed job the way a worker does (completed, lease cleared), freeing its slot.
    private func finish(_ fx: Fixture, _ claim: JobStore.Claim) throws {
        let done = try fx.db.query(
            """
            UPDATE jobs SET status = 'completed', finished_at = now(), lease_token = NULL, progress = 100
            WHERE id = $1 AND lease_token = $2 AND status = 'running' RETURNING id
            """, [claim.jobID, claim.leaseToken], name: "t.finish")
        try #require(done.count == 1)
    }

    private func organisationOf(_ fx: Fixture, _ jobID: String) throws -> String? {
        try fx.value("SELECT organisation_id AS v FROM jobs WHERE id = $1", [jobID])
    }

    @Test("an organisation with fewer running jobs is served first, whatever the other's backlog and priority")
    func fewestRunningFirst() throws {
        let fx = try Fixture()
        try holdAll(fx)
        let busy = try fx.organisation()
        let other = try fx.organisation()
        let backlog = try queued(fx, org: busy, count: 30, priority: 100)
        // Two workers take the busy organisation's jobs (nothing else is queued).
        let first = try #require(try fx.jobs.claim(host: "h"))
        let second = try #require(try fx.jobs.claim(host: "h"))
        #expect(Set([first.jobID, second.jobID]).isSubset(of: Set(backlog)))
        let late = try queued(fx, org: other, count: 1, priority: -100)[0]
        #expect(try fx.jobs.claim(host: "h")?.jobID == late, "the other organisation's job is next, despite its priority")
        #expect(try organisationOf(fx, try #require(try fx.jobs.claim(host: "h")).jobID) == busy)
    }

    @Test("with one worker slot, two organisations with backlogs take turns (round-robin)")
    func roundRobin() throws {
        let fx = try Fixture()
        try holdAll(fx)
        let a = try fx.organisation()
        let b = try fx.organisation()
        _ = try queued(fx, org: a, count: 8, priority: 50)
        _ = try queued(fx, org: b, count: 4)
        var order: [String] = []
        while let claim = try fx.jobs.claim(host: "h") {
            order.append(try #require(try organisationOf(fx, claim.jobID)))
            try finish(fx, claim)
        }
        #expect(order.count == 12)
        // Turns alternate while both have work; then the one with more backlog finishes alone.
        let firstEight = Array(order.prefix(8))
        for (i, org) in firstEight.enumerated() where i > 0 {
            #expect(org != firstEight[i - 1], "claim \(i) went to the same organisation twice in a row: \(order)")
        }
        #expect(order.suffix(4).allSatisfy { $0 == a })
    }

    @Test("priority and run_after still order the jobs of one organisation")
    func priorityWithinOrganisation() throws {
        let fx = try Fixture()
        try holdAll(fx)
        let org = try fx.organisation()
        let low = try queued(fx, org: org, count: 1)[0]
        let high = try queued(fx, org: org, count: 1, priority: 5)[0]
        #expect(try fx.jobs.claim(host: "h")?.jobID == high)
        #expect(try fx.jobs.claim(host: "h")?.jobID == low)
    }

    @Test("concurrent claimers over many organisations never take a job twice, and take them all")
    func concurrentFairClaimers() throws {
        let fx = try Fixture()
        let database = fx.database
        try holdAll(fx)
        var ids = Set<String>()
        for _ in 0..<4 {
            let org = try fx.organisation()
            ids.formUnion(try queued(fx, org: org, count: 15))
        }
        let claimed = try claimUntilNoneLeft(database, claimers: 6).map(\.jobID)
        #expect(claimed.count == Set(claimed).count, "a job was claimed twice")
        #expect(Set(claimed) == ids)
    }

    @Test("the cap of active jobs refuses one more, counts queued, running and paused, and frees a slot when a job ends")
    func activeLimit() throws {
        let fx = try Fixture()
        let org = try fx.organisation()
        let other = try fx.organisation()
        func create(_ org: String, limit: Int = 3) throws -> JobStore.CreateOutcome {
            try fx.jobs.create(
                organisationID: org, repositoryID: try fx.repository(organisationID: org), options: JobOptions(),
                triggeredBy: nil, activeLimit: limit)
        }
        var made: [Job] = []
        for _ in 0..<3 {
            guard case .created(let j) = try create(org) else { Issue.record("refused under the cap"); return }
            made.append(j)
        }
        try fx.db.query("UPDATE jobs SET status = 'paused' WHERE id = $1", [made[0].id], name: "t.pause")
        _ = try fx.claim(made[1].id)
        #expect(throws: JobStore.ActiveJobLimitReached.self) { try create(org) }
        // A job already active for the repository is still a conflict, not a cap refusal.
        guard case .conflict(let active) = try fx.jobs.create(
            organisationID: org, repositoryID: made[2].repositoryID, options: JobOptions(), triggeredBy: nil, activeLimit: 3)
        else {
            Issue.record("expected a conflict")
            return
        }
        #expect(active == made[2].id)
        guard case .created = try create(other) else { Issue.record("another organisation is not capped"); return }
        // Ending one frees its slot; retrying it is refused again while the cap is reached.
        let cancelled = try #require(try fx.jobs.request(.cancel, id: made[2].id, organisationID: org))
        #expect(cancelled.state == .cancelled)
        guard case .created = try create(org) else { Issue.record("a slot was freed"); return }
        #expect(throws: JobStore.ActiveJobLimitReached.self) {
            try fx.jobs.retry(id: made[2].id, organisationID: org, regenerateAll: false, activeLimit: 3)
        }
        guard case .retried = try fx.jobs.retry(id: made[2].id, organisationID: org, regenerateAll: false, activeLimit: 5)
        else {
            Issue.record("a retry under the cap is allowed")
            return
        }
    }

    @Test("a burst of parallel creations never goes past the cap")
    func activeLimitUnderRace() throws {
        let fx = try Fixture()
        let database = fx.database
        let org = try fx.organisation()
        let repos = try (0..<16).map { _ in try fx.repository(organisationID: org) }
        let results = try raceOnThreads(
            16, prepare: { i in (try database.connect(), repos[i]) },
            run: { (pair: (Connection, String)) -> Bool in
                do {
                    guard case .created = try JobStore(pair.0).create(
                        organisationID: org, repositoryID: pair.1, options: JobOptions(), triggeredBy: nil, activeLimit: 5)
                    else { return false }
                    return true
                } catch is JobStore.ActiveJobLimitReached {
                    return false
                }
            })
        let created = results.filter { (try? $0.get()) == true }.count
        #expect(results.allSatisfy { (try? $0.get()) != nil }, "no creation failed with another error")
        #expect(created == 5)
        #expect(
            try fx.count(
                "SELECT count(*) AS v FROM jobs WHERE organisation_id = $1 AND status IN ('queued', 'running', 'paused')", [org])
                == 5)
    }
}

/// `claimers` threads, each on its own connection, claim until nothing is left; every claim they made.
/// A claimer that fails is recorded as an issue.
func claimUntilNoneLeft(_ database: TestDatabase, claimers: Int) throws -> [JobStore.Claim] {
    let results = try raceOnThreads(
        claimers, prepare: { _ in try database.connect() },
        run: { conn -> [JobStore.Claim] in
            var mine: [JobStore.Claim] = []
            while let c = try JobStore(conn).claim(host: "claimer") { mine.append(c) }
            return mine
        })
    var claims: [JobStore.Claim] = []
    for r in results {
        switch r {
        case .success(let c): claims += c
        case .failure(let e): Issue.record("a claimer failed: \(e)")
        }
    }
    return claims
}
