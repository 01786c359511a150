import ScribeCore

/// Reading a job's event log and objects (the API side; writes go through `LeaseStore`).
public struct EventStore {
    public let db: Connection
    public init(_ db: Connection) { self.db = db }

    public func events(jobID: String, after: Int64, limit: Int) throws -> [JSONValue] {
        try db.query(
            """
            SELECT seq, scribe_ts(at) AS at, attempt, kind, level, message, object, layer, status, tokens, duration_ms
            FROM job_events WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
            """, [jobID, String(after), String(limit)], name: "events.list"
        ).rows.map {
            .object([
                ("seq", .num($0.int64("seq"))), ("at", .str($0.string("at"))), ("attempt", .num($0.int("attempt"))),
                ("kind", .str($0.string("kind"))), ("level", .str($0.string("level"))), ("message", .str($0.string("message"))),
                ("object", .str($0.string("object"))), ("layer", .str($0.string("layer"))), ("status", .str($0.string("status"))),
                ("tokens", .num($0.int64("tokens"))), ("duration_ms", .num($0.int("duration_ms"))),
            ])
        }
    }

    /// A page of the job's objects in pipeline order, after the (position, path) of the previous page's last
    /// one (`job_objects_in_order` serves the order).
    static func objectsStatement(jobID: String, limit: Int, after: (position: Int, path: String)?) -> Statement {
        var sql = """
            SELECT path, position, status, attempt, runs, error, duration_ms, prompt_tokens, completion_tokens, cost_usd,
                   unverified_mentions, scribe_ts(started_at) AS started_at, scribe_ts(finished_at) AS finished_at
            FROM job_objects WHERE job_id = $1
            """
        var params: [String?] = [jobID]
        if let after {
            params += [String(after.position), after.path]
            sql += " AND (position, path) > ($2::int, $3)"
        }
        params.append(String(limit))
        sql += " ORDER BY position, path LIMIT $\(params.count)"
        return Statement(sql, params, name: after == nil ? "objects.list" : "objects.list.after")
    }

    /// The objects with their position, which the next page's cursor needs.
    public func objects(jobID: String, limit: Int = 100_000, after: (position: Int, path: String)? = nil) throws
        -> [(position: Int, json: JSONValue)]
    {
        try db.query(Self.objectsStatement(jobID: jobID, limit: limit, after: after)).rows.map { ($0.int("position") ?? 0, Self.object($0)) }
    }

    static func object(_ r: Row) -> JSONValue {
        .object([
            ("path", .str(r.string("path"))), ("status", .str(r.string("status"))), ("attempt", .num(r.int("attempt"))),
            ("runs", .num(r.int("runs"))), ("error", .str(r.string("error"))), ("duration_ms", .num(r.int("duration_ms"))),
            ("prompt_tokens", .num(r.int64("prompt_tokens"))), ("completion_tokens", .num(r.int64("completion_tokens"))),
            ("cost_usd", .num(r.double("cost_usd"))), ("unverified_mentions", .num(r.int("unverified_mentions"))),
            ("started_at", .str(r.string("started_at"))), ("finished_at", .str(r.string("finished_at"))),
        ])
    }
}
