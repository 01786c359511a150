import Foundation
import ScribeCore
import Testing

@testable import ScribeStore

/// The statements on hot or growing paths, planned by PostgreSQL against a large history (20,000
/// repositories and 200,000 finished jobs in one organisation, a small live queue elsewhere): each must be
/// served by an index, without a sort of the history and without reading more rows than its budget.
/// Run with `EXPLAIN (ANALYZE, FORMAT JSON)` inside a transaction that is rolled back, so the rows read
/// are counted, not estimated, and claim and rescue change nothing.
@Suite(.freshDatabase, .serialized)
struct PlanTests {
    static let repositories = 20_000
    static let jobs = 200_000

    /// Loads the history once per suite (the suite owns its database).
    final class History: @unchecked Sendable {
        let db: Connection
        let org: String
        let repo: String
        let middle: (at: String, id: String)
        let repoMiddle: (at: String, id: String)

        init() throws {
            let f = try Fixture()
            db = f.db
            org = try f.organisation()
            try db.query(
                """
                INSERT INTO repositories (organisation_id, url, name, created_at)
                SELECT $1, 'https://github.com/big/r' || i, 'r' || i, now() - (\(PlanTests.repositories) - i) * interval '1 minute'
                FROM generate_series(1, \(PlanTests.repositories)) i
                """, [org], name: "t.repos")
            try db.query(
                """
                WITH r AS (SELECT array_agg(id ORDER BY created_at, id) AS a FROM repositories WHERE organisation_id = $1)
                INSERT INTO jobs (organisation_id, repository_id, status, progress, created_at, started_at, finished_at, error_message)
                SELECT $1, r.a[i % \(PlanTests.repositories) + 1], CASE WHEN i % 100 = 0 THEN 'failed' ELSE 'completed' END, 100,
                       now() - (\(PlanTests.jobs) - i) * interval '10 seconds', now(), now(), CASE WHEN i % 100 = 0 THEN 'boom' END
                FROM r, generate_series(1, \(PlanTests.jobs)) i
                """, [org], name: "t.jobs")
            // A live queue: running jobs in the big organisation (half with an expired lease), queued jobs in others.
            try db.query(
                """
                WITH r AS (SELECT id FROM repositories WHERE organisation_id = $1 ORDER BY created_at LIMIT 20)
                INSERT INTO jobs (organisation_id, repository_id, status, attempt, lease_token, heartbeat_at, started_at, worker_host)
                SELECT $1, r.id, 'running', 1, gen_random_uuid(),
                       now() - CASE WHEN row_number() OVER () % 2 = 0 THEN interval '1 hour' ELSE interval '1 second' END, now(), 'h'
                FROM r
                """, [org], name: "t.running")
            for _ in 0..<3 {
                let other = try f.organisation()
                for _ in 0..<10 { _ = try f.queuedJob(org: other, repo: try f.repository(organisationID: other)) }
            }
            try db.execute("ANALYZE", name: "t.analyze")
            let mid = try #require(
                try db.query(
                    "SELECT scribe_ts(created_at) AS at, id FROM jobs WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC OFFSET 100000 LIMIT 1",
                    [org], name: "t.mid"
                ).first)
            middle = (mid.string("at") ?? "", mid.string("id") ?? "")
            let rmid = try #require(
                try db.query(
                    "SELECT scribe_ts(created_at) AS at, id FROM repositories WHERE organisation_id = $1 ORDER BY created_at, id OFFSET 10000 LIMIT 1",
                    [org], name: "t.rmid"
                ).first)
            repoMiddle = (rmid.string("at") ?? "", rmid.string("id") ?? "")
            repo = rmid.string("id") ?? ""
        }
    }

    /// One history for every test of the suite: loading it is the slow part.
    nonisolated(unsafe) private static var loaded: History?
    private static let loading = NSLock()

    static func history() throws -> History {
        loading.lock()
        defer { loading.unlock() }
        if let h = loaded, h.db.isHealthy { return h }
        let h = try History()
        loaded = h
        return h
    }

    struct Checked {
        var nodes: [String] = []
        var rowsRead = 0
        var sortedRows = 0
        var sequentialScans: [String] = []
    }

    /// Runs `s` under `EXPLAIN (ANALYZE, FORMAT JSON)` in a transaction that is rolled back.
    static func check(_ s: Statement, on db: Connection) throws -> Checked {
        try db.execute("BEGIN", name: "t.begin")
        defer { _ = try? db.execute("ROLLBACK", name: "t.rollback") }
        let text = try db.query("EXPLAIN (ANALYZE, FORMAT JSON) " + s.sql, s.params, name: "explain " + s.name).rows
            .compactMap { $0.string("QUERY PLAN") }.joined()
        let plan = try JSONValue.parse(text)
        var out = Checked()
        func walk(_ node: JSONValue) {
            let type = node["Node Type"]?.stringValue ?? "?"
            let loops = Int(node["Actual Loops"]?.intValue ?? 1)
            let rows = Int(node["Actual Rows"]?.intValue ?? 0)
            let removed = Int(node["Rows Removed by Filter"]?.intValue ?? 0) + Int(node["Rows Removed by Index Recheck"]?.intValue ?? 0)
            out.nodes.append(type + (node["Index Name"]?.stringValue.map { " " + $0 } ?? ""))
            if type.contains("Scan") && node["Relation Name"] != nil { out.rowsRead += (rows + removed) * max(loops, 1) }
            if type == "Seq Scan", let rel = node["Relation Name"]?.stringValue { out.sequentialScans.append(rel) }
            if type == "Sort" || type == "Incremental Sort" {
                let input = node["Plans"]?.arrayValue?.first
                out.sortedRows += Int(input?["Actual Rows"]?.intValue ?? 0) * max(Int(input?["Actual Loops"]?.intValue ?? 1), 1)
            }
            for child in node["Plans"]?.arrayValue ?? [] { walk(child) }
        }
        if let root = plan.arrayValue?.first?["Plan"] { walk(root) }
        return out
    }

    /// Fails with the plan's nodes when `s` scans a big table sequentially, sorts more than `maxSorted` rows
    /// or reads more than `budget` rows.
    static func expectIndexed(_ s: Statement, budget: Int, maxSorted: Int = 0, on db: Connection) throws {
        let c = try check(s, on: db)
        let big: Set<String> = ["jobs", "repositories", "job_events", "job_objects", "doc_pages"]
        #expect(c.sequentialScans.filter(big.contains).isEmpty, "\(s.name): sequential scan: \(c.nodes)")
        #expect(c.sortedRows <= maxSorted, "\(s.name): sorts \(c.sortedRows) rows: \(c.nodes)")
        #expect(c.rowsRead <= budget, "\(s.name): reads \(c.rowsRead) rows, budget \(budget): \(c.nodes)")
    }

    @Test func jobListsAreServedByTheirIndexes() throws {
        let h = try Self.history()
        let pages: [(String?, String?, (at: String, id: String?)?)] = [
            (nil, nil, nil), (nil, nil, (h.middle.at, h.middle.id)), (nil, nil, (h.middle.at, nil)),
            ("completed", nil, nil), ("failed", nil, nil), ("failed", nil, (h.middle.at, h.middle.id)),
            (nil, h.repo, nil), ("completed", h.repo, (h.middle.at, h.middle.id)),
        ]
        for (status, repo, before) in pages {
            let s = JobStore.listStatement(organisationID: h.org, status: status, repositoryID: repo, limit: 51, before: before)
            // One repository's 10 jobs may be fetched by a bitmap and sorted: that sort is bounded by the
            // repository's own history, never the organisation's.
            try Self.expectIndexed(s, budget: 200, maxSorted: repo == nil ? 0 : 20, on: h.db)
            if status == nil, repo == nil { #expect(try h.db.query(s).rows.count == 51) }
        }
    }

    @Test func repositoryListIsServedByItsIndex() throws {
        let h = try Self.history()
        for (after, newest) in [(nil, false), (h.repoMiddle, false), (nil, true), (h.repoMiddle, true)] as [((at: String, id: String)?, Bool)] {
            let s = RepositoryStore.listStatement(organisationID: h.org, q: nil, limit: 101, after: after, newestFirst: newest)
            // 101 repositories, and one index probe each for its latest job.
            try Self.expectIndexed(s, budget: 101 * 2 + 10, on: h.db)
            #expect(try h.db.query(s).rows.count == 101)
        }
    }

    @Test func claimRescueHealthAndMetricsReadTheLiveQueueOnly() throws {
        let h = try Self.history()
        // 30 queued jobs and 20 running ones: whatever the history, these read a few hundred rows at most.
        try Self.expectIndexed(JobStore.claimStatement(host: "plan-test"), budget: 1000, maxSorted: 100, on: h.db)
        try Self.expectIndexed(JobStore.rescueStatement(leaseSeconds: 30, message: "lost", delaySeconds: 1), budget: 100, on: h.db)
        for org in [nil, h.org] as [String?] {
            try Self.expectIndexed(JobStore.statsStatement(organisationID: org), budget: 200, on: h.db)
            try Self.expectIndexed(JobStore.countsStatement(organisationID: org), budget: 50, maxSorted: 50, on: h.db)
        }
    }

    @Test func jobCountsAreKeptByTheDatabase() throws {
        let h = try Self.history()
        let counts = try JobStore(h.db).countsByState(organisationID: h.org)
        #expect(counts["completed"] == Self.jobs - Self.jobs / 100)
        #expect(counts["failed"] == Self.jobs / 100)
        #expect(counts["running"] == 20)
        // A move between states is counted on both sides, in the same transaction.
        try h.db.execute("BEGIN", name: "t.begin")
        defer { _ = try? h.db.execute("ROLLBACK", name: "t.rollback") }
        try h.db.query(
            "UPDATE jobs SET status = 'queued', lease_token = NULL WHERE organisation_id = $1 AND status = 'running'", [h.org],
            name: "t.requeue")
        let moved = try JobStore(h.db).countsByState(organisationID: h.org)
        #expect(moved["running"] == 0)
        #expect(moved["queued"] == 20)
        let all = try JobStore(h.db).countsByState()
        #expect(all["queued"] == 20 + 30)
    }
}
