import Logging

/// Numbered, append-only schema migrations, each applied in its own transaction and recorded in
/// `schema_migrations`. An advisory lock keeps two processes from migrating at once.
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: Schema.v1),
        Migration(version: 2, name: "unverified mentions of the llm generator", sql: Schema.v2),
        Migration(version: 3, name: "cost precision", sql: Schema.v3),
        Migration(version: 4, name: "timestamps in microseconds", sql: Schema.v4),
        Migration(version: 5, name: "fair claims across organisations", sql: Schema.v5),
        Migration(version: 6, name: "lists paged by a key, job counts kept by the database", sql: Schema.v6),
        Migration(version: 7, name: "pages in the database", sql: Schema.v7),
        Migration(version: 8, name: "webhooks out", sql: Schema.v8),
        Migration(version: 9, name: "pushes in: push secrets, newest remote commit, follow-up jobs", sql: Schema.v9),
    ]

    /// Applies what is missing; returns the versions applied now. Safe to run any number of times.
    @discardableResult
    public static func apply(on db: Connection, logger: Logger? = nil) throws -> [Int] {
        // The lock comes first: CREATE TABLE IF NOT EXISTS itself is not safe when run concurrently.
        try db.query("SELECT pg_advisory_lock(727274)", name: "migrations.lock")
        defer { _ = try? db.query("SELECT pg_advisory_unlock(727274)", name: "migrations.unlock") }
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version int PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, name: "migrations.table")
        let done = Set(try db.query("SELECT version FROM schema_migrations", name: "migrations.list").rows.compactMap { $0.int("version") })
        var applied: [Int] = []
        for m in all where !done.contains(m.version) {
            try db.withTransaction {
                try db.execute(m.sql, name: "migration \(m.version)")
                try db.query(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [String(m.version), m.name],
                    name: "migrations.record")
            }
            logger?.info("applied migration", metadata: ["migration.version": "\(m.version)", "migration.name": "\(m.name)"])
            applied.append(m.version)
        }
        return applied
    }
}
