import Foundation
import ScribeStore
import ScribeTestSupport
import Testing

@Suite("Migrations", .emptyDatabase)
struct MigrationTests {
    @Test("migrations apply once; a second run applies nothing and harms nothing")
    func applyTwice() throws {
        let fx = try Fixture()
        #expect(try Migrations.apply(on: fx.db) == Migrations.all.map(\.version))
        let job = try fx.queuedJob()
        #expect(try Migrations.apply(on: fx.db) == [])
        #expect(try Migrations.apply(on: try fx.database.connect()) == [])
        #expect(try fx.count("SELECT count(*) AS v FROM schema_migrations") == Migrations.all.count)
        // The data survived and the schema's guarantees are still there.
        #expect(try fx.jobs.get(id: job.id)?.state == .queued)
        #expect(
            try fx.count("SELECT count(*) AS v FROM pg_indexes WHERE indexname = 'jobs_one_active_per_repository'") == 1
        )
        #expect(
            try fx.count("SELECT count(*) AS v FROM pg_trigger WHERE tgname IN ('jobs_version', 'jobs_notify')") == 2)
    }

    /// Version 8 is reserved for outgoing webhooks, numbered apart; the runner applies whatever is missing in
    /// order, so a database that got 9 first takes 8 when it comes.
    static let reserved: Set<Int> = [8]

    @Test("migration versions are numbered 1, 2, 3… without gaps but the reserved ones")
    func numbering() {
        let versions = Migrations.all.map(\.version)
        #expect(versions == versions.sorted() && Set(versions).count == versions.count)
        #expect(Set(1...(versions.max() ?? 0)).subtracting(versions).isSubset(of: Self.reserved))
    }
}

/// Several processes starting at once on a fresh database (scribe-fcgi and `scribe dispatch`, say) must not
/// fail: one applies the migrations, the others find them applied.
@Suite("Migrations racing", .emptyDatabase)
struct MigrationRaceTests {
    @Test("concurrent first runs: one applies, the others apply nothing, none fails")
    func concurrentApply() throws {
        let database = try #require(TestDatabase.current)
        let results = try raceOnThreads(
            6, prepare: { _ in try database.connect() }, run: { c in try Migrations.apply(on: c) })
        for r in results {
            if case .failure(let e) = r { Issue.record("a concurrent migration run failed: \(e)") }
        }
        let applied = results.compactMap { try? $0.get() }
        #expect(applied.filter { !$0.isEmpty } == [Migrations.all.map(\.version)])
    }
}
