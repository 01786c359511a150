/// An error from PostgreSQL or libpq: SQLSTATE, the server's message and the statement's name, never bind values.
public struct PGError: Error, CustomStringConvertible, Sendable {
    public let sqlState: String?
    public let message: String
    public let statement: String
    /// The name of the violated constraint, when there is one (unique index, check).
    public let constraint: String?

    public var description: String {
        "PostgreSQL error\(sqlState.map { " \($0)" } ?? "") in \(statement): \(message)"
    }

    /// Connection-level trouble (server down, connection lost): callers answer 503 or retry.
    public var isConnectionError: Bool {
        guard let s = sqlState else { return true }
        return s.hasPrefix("08") || s == "57P01" || s == "57P02" || s == "57P03"
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
}
