import Foundation
import ScribeCore
@testable import ScribeStore
import ScribeTestSupport
import Testing

/// Rows a test needs, made with plain SQL so a store's bug cannot hide in its own fixture.
struct Fixture {
    let database: TestDatabase
    let db: Connection
    var jobs: JobStore { JobStore(db) }

    init() throws {
        guard let d = TestDatabase.current else {
            throw TestSetupError(description: "no test database: the suite needs the .freshDatabase trait")
        }
        database = d
        db = try d.connect()
    }

    func organisation() throws -> String {
        try #require(
            try db.query(
                "INSERT INTO organisations (name) VALUES ($1) RETURNING id", ["org " + UUID().uuidString], name: "t.org"
            )
            .first?.string("id"))
    }

    func repository(organisationID: String) throws -> String {
        let slug = "owner/" + UUID().uuidString.lowercased()
        return try #require(
            try db.query(
                "INSERT INTO repositories (organisation_id, url, name, github_slug) VALUES ($1, $2, $3, $4) RETURNING id",
                [organisationID, "https://github.com/" + slug, "repo", slug], name: "t.repo"
            ).first?.string("id"))
    }

    /// A new organisation, repository and queued job.
    func queuedJob(maxRetries: Int = 2) throws -> Job {
        let org = try organisation()
        return try queuedJob(org: org, repo: try repository(organisationID: org), maxRetries: maxRetries)
    }

    func queuedJob(org: String, repo: String, maxRetries: Int = 2) throws -> Job {
        var o = JobOptions()
        o.maxRetries = maxRetries
        guard
            case .created(let job) = try jobs.create(
                organisationID: org, repositoryID: repo, options: o, triggeredBy: nil)
        else {
            throw TestSetupError(description: "could not create a job for a repository without one")
        }
        return job
    }

    /// Claims this job and no other: every other queued job of the suite's database is held back first.
    /// Only for `.serialized` suites, which own their database.
    func claim(_ jobID: String, host: String = "test-host") throws -> JobStore.Claim {
        try db.query(
            "UPDATE jobs SET run_after = 'infinity' WHERE status = 'queued' AND id <> $1", [jobID],
            name: "t.hold-others")
        // Touch the job only when it is not runnable yet: every real change bumps its version.
        try db.query(
            "UPDATE jobs SET run_after = now() WHERE id = $1 AND run_after > now()", [jobID], name: "t.runnable")
        let claim = try #require(try jobs.claim(host: host))
        try #require(claim.jobID == jobID)
        return claim
    }

    /// The whole row as JSON text, to show that a refused write changed nothing.
    func snapshot(_ jobID: String) throws -> String {
        try #require(
            try db.query("SELECT to_jsonb(j)::text AS r FROM jobs j WHERE id = $1", [jobID], name: "t.snapshot").first?
                .string("r"))
    }

    func value(_ sql: String, _ params: [String?] = []) throws -> String? {
        try db.query(sql, params, name: "t.value").first.flatMap { row in row.string("v") }
    }

    func count(_ sql: String, _ params: [String?] = []) throws -> Int {
        Int(try value(sql, params) ?? "") ?? -1
    }
}

/// The barrier and the results of `raceOnThreads`, behind one condition lock.
private final class Race<T>: @unchecked Sendable {
    let cond = NSCondition()
    var arrived = 0
    var results: [Result<T, Error>?]
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}

/// Runs `n` bodies on `n` threads of their own, each after its `prepare` step (connecting) and released
/// together through a barrier, so the bodies really race. Results come back in thread order.
func raceOnThreads<C, T>(
    _ n: Int, timeoutSeconds: Double = 60, prepare: @escaping @Sendable (Int) throws -> C, run: @escaping @Sendable (C) throws -> T
) throws -> [Result<T, Error>] {
    let race = Race<T>(n)
    let group = DispatchGroup()
    for i in 0..<n {
        group.enter()
        let t = Thread {
            defer { group.leave() }
            let prepared = Result { try prepare(i) }
            race.cond.lock()
            race.arrived += 1
            if race.arrived == n { race.cond.broadcast() }
            while race.arrived < n { race.cond.wait() }
            race.cond.unlock()
            let r: Result<T, Error> = prepared.flatMap { c in Result { try run(c) } }
            race.cond.lock()
            race.results[i] = r
            race.cond.unlock()
        }
        t.stackSize = 1 << 20
        t.start()
    }
    guard group.wait(timeout: .now() + timeoutSeconds) == .success else {
        throw TestSetupError(description: "threads did not finish within \(timeoutSeconds) s")
    }
    race.cond.lock()
    defer { race.cond.unlock() }
    return race.results.map { $0 ?? .failure(TestSetupError(description: "no result")) }
}

/// Waits for a notification on `channel` whose payload satisfies `match`; nil after the timeout.
func awaitNotification(
    _ conn: Connection, channel: String = "scribe_jobs", timeoutSeconds: Double, where match: (String) -> Bool
) throws -> String? {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while true {
        for n in try conn.drainNotifications() where n.channel == channel && match(n.payload) {
            return n.payload
        }
        let left = deadline.timeIntervalSinceNow
        if left <= 0 { return nil }
        _ = conn.waitForNotifications(timeoutSeconds: left)
    }
}
