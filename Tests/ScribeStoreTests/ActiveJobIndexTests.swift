import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// Invariant 1 of SPEC §2: at most one active job per repository, even under a storm of requests.
@Suite("One active job per repository", .freshDatabase)
struct ActiveJobIndexTests {
    @Test("50 concurrent creates on 50 connections: exactly one job, 49 conflicts naming it")
    func storm() throws {
        let fx = try Fixture()
        let database = fx.database
        let org = try fx.organisation()
        let repo = try fx.repository(organisationID: org)
        let results = try raceOnThreads(
            50, prepare: { _ in try database.connect() },
            run: { conn in
                try JobStore(conn).create(
                    organisationID: org, repositoryID: repo, options: JobOptions(), triggeredBy: nil)
            })
        var created: [Job] = []
        var conflicts: [String?] = []
        for r in results {
            switch r {
            case .success(.created(let job)): created.append(job)
            case .success(.conflict(let active)): conflicts.append(active)
            case .failure(let e): Issue.record("create failed instead of answering conflict: \(e)")
            }
        }
        try #require(created.count == 1)
        #expect(conflicts.count == 49)
        #expect(conflicts.allSatisfy { $0 == created[0].id }, "every loser learns the active job's id")
        #expect(try fx.count("SELECT count(*) AS v FROM jobs WHERE repository_id = $1", [repo]) == 1)
        #expect(created[0].state == .queued && created[0].repositoryID == repo)
    }

    @Test("a second create for the same repository is a conflict; other repositories are independent")
    func sequential() throws {
        let fx = try Fixture()
        let org = try fx.organisation()
        let a = try fx.repository(organisationID: org)
        let b = try fx.repository(organisationID: org)
        let first = try fx.queuedJob(org: org, repo: a)
        guard
            case .conflict(let active) = try fx.jobs.create(
                organisationID: org, repositoryID: a, options: JobOptions(), triggeredBy: nil)
        else {
            Issue.record("a second active job was created")
            return
        }
        #expect(active == first.id)
        _ = try fx.queuedJob(org: org, repo: b)
    }

    @Test("a paused job still holds the slot; a cancelled one frees it")
    func slotFollowsState() throws {
        let fx = try Fixture()
        let org = try fx.organisation()
        let repo = try fx.repository(organisationID: org)
        let first = try fx.queuedJob(org: org, repo: repo)
        #expect(try fx.jobs.request(.pause, id: first.id, organisationID: org)?.state == .paused)
        guard
            case .conflict = try fx.jobs.create(
                organisationID: org, repositoryID: repo, options: JobOptions(), triggeredBy: nil)
        else {
            Issue.record("a paused job did not hold the slot")
            return
        }
        #expect(try fx.jobs.request(.cancel, id: first.id, organisationID: org)?.state == .cancelled)
        let second = try fx.queuedJob(org: org, repo: repo)
        #expect(second.id != first.id)
        #expect(try fx.jobs.activeJobID(repositoryID: repo) == second.id)
    }

    @Test("the database itself refuses a second active job, whoever writes it")
    func indexInSQL() throws {
        let fx = try Fixture()
        let job = try fx.queuedJob()
        do {
            try fx.db.query(
                "INSERT INTO jobs (organisation_id, repository_id, status) VALUES ($1, $2, 'paused')",
                [job.organisationID, job.repositoryID],
                name: "t.second-active")
            Issue.record("a second active job was inserted")
        } catch let e as PGError {
            #expect(e.isUniqueViolation)
            #expect(e.constraint == "jobs_one_active_per_repository")
        }
    }
}
