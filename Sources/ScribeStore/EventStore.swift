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

    public func objects(jobID: String) throws -> [JSONValue] {
        try db.query(
            """
            SELECT path, status, attempt, runs, error, duration_ms, prompt_tokens, completion_tokens, cost_usd, unverified_mentions,
                   scribe_ts(started_at) AS started_at, scribe_ts(finished_at) AS finished_at
            FROM job_objects WHERE job_id = $1 ORDER BY position, path
            """, [jobID], name: "objects.list"
        ).rows.map {
            .object([
                ("path", .str($0.string("path"))), ("status", .str($0.string("status"))), ("attempt", .num($0.int("attempt"))),
                ("runs", .num($0.int("runs"))), ("error", .str($0.string("error"))), ("duration_ms", .num($0.int("duration_ms"))),
                ("prompt_tokens", .num($0.int64("prompt_tokens"))), ("completion_tokens", .num($0.int64("completion_tokens"))),
                ("cost_usd", .num($0.double("cost_usd"))), ("unverified_mentions", .num($0.int("unverified_mentions"))), ("started_at", .str($0.string("started_at"))),
                ("finished_at", .str($0.string("finished_at"))),
            ])
        }
    }
}
