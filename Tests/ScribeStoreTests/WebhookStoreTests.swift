import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// Webhooks out, against PostgreSQL: a job's final state writes exactly one delivery per matching webhook in
/// its own transaction, whichever statement ends it; claims never hand one delivery to two senders; an
/// attempt is recorded only by the sender that holds it.
@Suite("Webhook deliveries", .freshDatabase, .serialized)
struct WebhookStoreTests {
    func hook(
        _ fx: Fixture, org: String, repo: String? = nil, url: String = "https://hooks.example.com/x"
    ) throws -> String {
        guard
            case .created(let h) = try WebhookStore(fx.db).create(
                organisationID: org, repositoryID: repo, url: url, sealedSecret: [1, 2, 3], createdBy: nil)
        else { throw TestSetupError(description: "webhook not created") }
        return h.id
    }

    func deliveries(_ fx: Fixture, job: String) throws -> [(webhook: String, event: String, payload: JSONValue)] {
        try fx.db.query(
            "SELECT webhook_id, event, payload::text AS payload FROM webhook_deliveries WHERE job_id = $1 ORDER BY webhook_id",
            [job], name: "t.deliveries"
        ).rows.map { r in
            (r.string("webhook_id") ?? "", r.string("event") ?? "", try JSONValue.parse(r.string("payload") ?? ""))
        }
    }

    /// Nothing else of the suite's database is due: each test sees its own deliveries only.
    func clearDue(_ fx: Fixture) throws {
        try fx.db.query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL WHERE status = 'pending'",
            name: "t.clear")
    }

    /// `n` webhooks on a new repository, and a job of it cancelled while queued (by the API's statement).
    func cancelledJob(_ fx: Fixture, hooks n: Int) throws -> (job: String, hooks: [String]) {
        try clearDue(fx)
        let org = try fx.organisation()
        let repo = try fx.repository(organisationID: org)
        let made = try (0..<n).map { _ in try hook(fx, org: org, repo: repo) }
        let job = try fx.queuedJob(org: org, repo: repo)
        _ = try fx.jobs.request(.cancel, id: job.id, organisationID: org)
        return (job.id, made)
    }

    @Test("a final state writes one delivery per matching webhook, with the job as it ended; other moves write none")
    func finalStatesWriteDeliveries() throws {
        let fx = try Fixture()
        let org = try fx.organisation()
        let repo = try fx.repository(organisationID: org)
        let otherRepo = try fx.repository(organisationID: org)
        let otherOrg = try fx.organisation()
        let orgHook = try hook(fx, org: org)
        let repoHook = try hook(fx, org: org, repo: repo)
        _ = try hook(fx, org: org, repo: otherRepo)
        _ = try hook(fx, org: otherOrg)

        let job = try fx.queuedJob(org: org, repo: repo)
        let claim = try fx.claim(job.id)
        #expect(try deliveries(fx, job: job.id).isEmpty)  // queued → running is no ending
        let lease = LeaseStore(db: fx.db, jobID: job.id, lease: claim.leaseToken)
        #expect(try lease.fail("the clone failed"))
        let rows = try deliveries(fx, job: job.id)
        #expect(Set(rows.map(\.webhook)) == [orgHook, repoHook])
        for r in rows {
            #expect(r.event == "job.failed")
            let e = try #require(WebhookEvent(event: r.event, deliveryID: "d", snapshot: r.payload))
            #expect(e.jobID == job.id && e.repositoryID == repo && e.status == "failed" && !e.partial)
            #expect(e.errorMessage == "the clone failed" && e.repositoryURL.hasPrefix("https://github.com/owner/"))
        }

        // A retry that ends again is a new ending: one more delivery per webhook, not a repeat of the old one.
        guard case .retried = try fx.jobs.retry(id: job.id, organisationID: org, regenerateAll: false) else {
            Issue.record("retry refused")
            return
        }
        #expect(try deliveries(fx, job: job.id).count == 2)
        _ = try fx.jobs.request(.cancel, id: job.id, organisationID: org)  // queued → cancelled, by the API's statement
        let after = try deliveries(fx, job: job.id)
        #expect(after.count == 4)
        #expect(after.filter { $0.event == "job.cancelled" }.count == 2)
        try clearDue(fx)
    }

    @Test("two senders racing for the same due deliveries each get a different share, and none twice")
    func claimsAreExclusive() throws {
        let fx = try Fixture()
        let (job, _) = try cancelledJob(fx, hooks: 10)
        #expect(try deliveries(fx, job: job).count == 10)

        let database = fx.database
        let results = try raceOnThreads(4, prepare: { _ in try database.connect() }) { db in
            try WebhookStore(db).claimDue(limit: 10, lockSeconds: 60).map(\.event.deliveryID)
        }
        let claimed = try results.flatMap { try $0.get() }
        #expect(claimed.count == 10)
        #expect(Set(claimed).count == 10)
        // Claimed and not yet recorded: nobody else gets them.
        #expect(try WebhookStore(fx.db).claimDue(limit: 10, lockSeconds: 60).isEmpty)
        try clearDue(fx)
    }

    @Test("an attempt is recorded by its own claim only; a retry falls due again, delivered and failed are final")
    func recordingIsFenced() throws {
        let fx = try Fixture()
        let (job, made) = try cancelledJob(fx, hooks: 1)
        let h = made[0]
        let store = WebhookStore(fx.db)

        let first = try #require(try store.claimDue(limit: 5, lockSeconds: 60).first)
        #expect(first.attempt == 1 && first.webhookID == h && first.sealedSecret == [1, 2, 3])
        #expect(
            try store.record(
                id: first.event.deliveryID, attempt: 1, httpStatus: 500, error: "HTTP 500",
                outcome: .retry(afterSeconds: 0)))
        // A late sender of the same attempt changes nothing.
        #expect(
            try !store.record(id: first.event.deliveryID, attempt: 1, httpStatus: 200, error: nil, outcome: .delivered))
        let second = try #require(try store.claimDue(limit: 5, lockSeconds: 60).first)
        #expect(second.event.deliveryID == first.event.deliveryID && second.attempt == 2)
        #expect(second.event.body(publicURL: nil) == first.event.body(publicURL: nil))  // the same bytes each time
        #expect(
            try !store.record(id: first.event.deliveryID, attempt: 1, httpStatus: 200, error: nil, outcome: .delivered))
        #expect(
            try store.record(id: first.event.deliveryID, attempt: 2, httpStatus: 204, error: nil, outcome: .delivered))
        #expect(try store.claimDue(limit: 5, lockSeconds: 60).isEmpty)

        let log = try store.deliveries(webhookID: h, limit: 10, after: nil)
        #expect(log.count == 1)
        let d = try #require(log.first)
        #expect(d.status == .delivered && d.attempts == 2 && d.lastStatus == 204 && d.lastError == nil)
        #expect(d.nextAttemptAt == nil && d.deliveredAt != nil && d.event == "job.cancelled" && d.jobID == job)

        // Retention keeps what is recent and removes finished rows past the window.
        #expect(try store.prune(keepDays: 30) == 0)
        try fx.db.query(
            "UPDATE webhook_deliveries SET last_attempt_at = now() - interval '31 days' WHERE webhook_id = $1", [h],
            name: "t.age")
        #expect(try store.prune(keepDays: 30) == 1)
    }
}
