/// One SQL statement with its parameters, as a store method would run it: built apart from running, so
/// that a test can ask PostgreSQL for the plan of the very statement a growing list or a hot path runs.
public struct Statement: Sendable {
    public let sql: String
    public let params: [String?]
    public let name: String

    init(_ sql: String, _ params: [String?], name: String) {
        self.sql = sql
        self.params = params
        self.name = name
    }
}

extension Connection {
    func query(_ s: Statement) throws -> Rows { try query(s.sql, s.params, name: s.name) }

    /// The plan PostgreSQL would use for `s` (`EXPLAIN (FORMAT JSON)`, nothing executed), as JSON text.
    public func plan(_ s: Statement) throws -> String {
        let rows = try query("EXPLAIN (FORMAT JSON) " + s.sql, s.params, name: "explain " + s.name)
        return rows.rows.compactMap { $0.string("QUERY PLAN") }.joined()
    }
}
