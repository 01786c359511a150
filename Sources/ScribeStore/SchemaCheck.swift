/// Read-only: which of this build's migrations a database lacks. scribe-fcgi and scribe-worker refuse to
/// start against a database that is behind (its queries would fail one by one), and `scribe migrate --check`
/// tells scripts the same thing.
public enum SchemaCheck {
    public struct Status: Sendable {
        /// Migrations of this build that the database has not applied, in order.
        public let missing: [Int]
        /// Versions the database has that this build does not know (a newer release migrated it).
        public let unknown: [Int]
        public var isCurrent: Bool { missing.isEmpty }
    }

    public static func status(of db: Connection) throws -> Status {
        let exists = try db.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present", name: "schema-check.table")
        var done = Set<Int>()
        if exists.first?.bool("present") == true {
            done = Set(try db.query("SELECT version FROM schema_migrations", name: "schema-check.list").rows.compactMap { $0.int("version") })
        }
        let known = Set(Migrations.all.map(\.version))
        return Status(
            missing: Migrations.all.map(\.version).filter { !done.contains($0) },
            unknown: done.subtracting(known).sorted())
    }

    /// The message a person sees when a program refuses to start, naming the fix.
    public static func refusal(program: String, _ s: Status) -> String {
        "\(program): the database schema is behind this release (missing migrations \(s.missing.map(String.init).joined(separator: ", "))); run `scribe migrate` first"
    }
}
