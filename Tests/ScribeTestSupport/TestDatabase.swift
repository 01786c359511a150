import Foundation
import ScribeStore
import Testing

/// Why a store suite cannot run; thrown from the suite's scope so that the run fails with this message.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A database of its own for one suite: created from `DATABASE_URL`'s server, dropped when the suite ends,
/// so suites run in parallel without seeing each other's rows.
// @unchecked: every stored property is a constant String.
public final class TestDatabase: @unchecked Sendable {
    public let name: String
    public let url: String
    public let adminURL: String

    /// The database of the suite that is running (set by the `.freshDatabase` trait).
    @TaskLocal public static var current: TestDatabase?

    private init(name: String, url: String, adminURL: String) {
        self.name = name
        self.url = url
        self.adminURL = adminURL
    }

    public static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw TestSetupError(
                description: """
                    DATABASE_URL is not set: database tests need a real PostgreSQL and never skip without one. \
                    Start a private one with `scripts/pg.sh start /tmp/scribe-test-pg 55499 --ephemeral` and \
                    `export DATABASE_URL=$(scripts/pg.sh url /tmp/scribe-test-pg 55499)`.
                    """)
        }
        return url
    }

    /// `url` with its database replaced: the path of a libpq URI, or a `dbname=` added to a key/value string.
    public static func url(_ base: String, database: String) -> String {
        guard let schemeEnd = base.range(of: "://") else { return base + " dbname=\(database)" }
        let rest = base[schemeEnd.upperBound...]
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        let authorityEnd = rest[..<queryStart].firstIndex(of: "/") ?? queryStart
        return String(base[..<authorityEnd]) + "/" + database + String(base[queryStart...])
    }

    public static func create(migrate: Bool) throws -> TestDatabase {
        let admin = try serverURL()
        let name = "scribe_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let conn: Connection
        do {
            conn = try Connection(url: admin, applicationName: "scribe store tests")
        } catch {
            throw TestSetupError(description: "cannot connect to DATABASE_URL's server: \(error)")
        }
        try DatabaseAdmin.create(String(name), on: conn)
        let db = TestDatabase(name: name, url: url(admin, database: name), adminURL: admin)
        if migrate {
            do {
                let c = try db.connect()
                try Migrations.apply(on: c)
            } catch {
                db.drop()
                throw error
            }
        }
        return db
    }

    public func connect() throws -> Connection { try Connection(url: url, applicationName: "scribe store tests") }

    public func drop() {
        guard let c = try? Connection(url: adminURL, applicationName: "scribe store tests") else { return }
        try? DatabaseAdmin.drop(name, on: c)
    }
}

/// Gives the suite a fresh database (migrated unless `migrate` is false) for its whole run.
public struct FreshDatabase: SuiteTrait, TestScoping {
    public let migrate: Bool

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let db = try TestDatabase.create(migrate: migrate)
        defer { db.drop() }
        try await TestDatabase.$current.withValue(db) { try await function() }
    }
}

extension Trait where Self == FreshDatabase {
    public static var freshDatabase: Self { FreshDatabase(migrate: true) }
    public static var emptyDatabase: Self { FreshDatabase(migrate: false) }
}
