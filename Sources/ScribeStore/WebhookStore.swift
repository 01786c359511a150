import ScribeCore

/// Webhooks and their delivery log. Deliveries are written by the database itself when a job ends
/// (`Schema.v8`'s trigger); senders claim due ones with `FOR UPDATE SKIP LOCKED` and record each attempt.
public struct WebhookStore {
    public let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// At most this many webhooks per organisation (its own and its repositories' together).
    public static let maxPerOrganisation = 50

    public struct Webhook: Sendable {
        public let id: String
        public let organisationID: String
        public let repositoryID: String?
        public let url: String
        public let createdAt: String

        /// Never the secret: it is shown once, when the webhook is created.
        public var json: JSONValue {
            .object([
                ("id", .string(id)), ("scope", .string(repositoryID == nil ? "organisation" : "repository")),
                ("repository_id", .str(repositoryID)), ("url", .string(url)),
                ("events", .array(WebhookEvent.names.map { .string($0) })), ("created_at", .string(createdAt)),
            ])
        }
    }

    static let columns = "id, organisation_id, repository_id, url, scribe_ts(created_at) AS created_at"

    static func webhook(_ r: Row) -> Webhook {
        Webhook(
            id: r.string("id") ?? "", organisationID: r.string("organisation_id") ?? "",
            repositoryID: r.string("repository_id"),
            url: r.string("url") ?? "", createdAt: r.string("created_at") ?? "")
    }

    public enum CreateOutcome {
        case created(Webhook)
        case tooMany
    }

    /// Registers a webhook; the organisation's row is locked so that the count holds under concurrency.
    public func create(
        organisationID: String, repositoryID: String?, url: String, sealedSecret: [UInt8], createdBy: String?
    )
        throws -> CreateOutcome
    {
        try db.withTransaction {
            try db.query(
                "SELECT id FROM organisations WHERE id = $1 FOR UPDATE", [organisationID], name: "webhooks.lock")
            let n =
                try db.query(
                    "SELECT count(*) AS n FROM webhooks WHERE organisation_id = $1", [organisationID],
                    name: "webhooks.count"
                )
                .first?.int("n") ?? 0
            guard n < Self.maxPerOrganisation else { return .tooMany }
            let row = try db.query(
                """
                INSERT INTO webhooks (organisation_id, repository_id, url, secret_enc, created_by)
                VALUES ($1, $2, $3, $4::bytea, $5)
                RETURNING \(Self.columns)
                """, [organisationID, repositoryID, url, PGArray.byteaHex(sealedSecret), createdBy],
                name: "webhooks.create"
            ).first
            guard let row else {
                throw PGError(
                    sqlState: nil, message: "insert returned no row", statement: "webhooks.create", constraint: nil)
            }
            return .created(Self.webhook(row))
        }
    }

    /// The organisation's own webhooks, or one repository's, oldest first.
    public func list(organisationID: String, repositoryID: String?) throws -> [Webhook] {
        try db.query(
            """
            SELECT \(Self.columns) FROM webhooks
            WHERE organisation_id = $1 AND repository_id IS NOT DISTINCT FROM $2::uuid
            ORDER BY created_at, id
            """, [organisationID, repositoryID], name: "webhooks.list"
        ).rows.map(Self.webhook)
    }

    /// One webhook of the scope (organisation, and repository or none); nil for any other, so that another
    /// organisation's webhook is not found rather than forbidden.
    public func get(id: String, organisationID: String, repositoryID: String?) throws -> Webhook? {
        try db.query(
            """
            SELECT \(Self.columns) FROM webhooks
            WHERE id = $1 AND organisation_id = $2 AND repository_id IS NOT DISTINCT FROM $3::uuid
            """, [id, organisationID, repositoryID], name: "webhooks.get"
        ).first.map(Self.webhook)
    }

    /// Removes a webhook of the scope and its delivery log; false when there is none.
    public func delete(id: String, organisationID: String, repositoryID: String?) throws -> Bool {
        try db.query(
            """
            DELETE FROM webhooks WHERE id = $1 AND organisation_id = $2 AND repository_id IS NOT DISTINCT FROM $3::uuid
            RETURNING id
            """, [id, organisationID, repositoryID], name: "webhooks.delete"
        ).first != nil
    }

    // MARK: The delivery log

    public enum DeliveryStatus: String, Sendable {
        case pending, delivered, failed
    }

    public struct Delivery: Sendable {
        public let id: String
        public let webhookID: String
        public let jobID: String
        public let event: String
        public let status: DeliveryStatus
        public let attempts: Int
        public let lastStatus: Int?
        public let lastError: String?
        public let createdAt: String
        public let lastAttemptAt: String?
        public let nextAttemptAt: String?
        public let deliveredAt: String?

        public var json: JSONValue {
            .object([
                ("id", .string(id)), ("webhook_id", .string(webhookID)), ("event", .string(event)),
                ("job_id", .string(jobID)),
                ("status", .string(status.rawValue)), ("attempts", .num(attempts)), ("last_status", .num(lastStatus)),
                ("last_error", .str(lastError)), ("created_at", .string(createdAt)),
                ("last_attempt_at", .str(lastAttemptAt)),
                ("next_attempt_at", .str(nextAttemptAt)), ("delivered_at", .str(deliveredAt)),
            ])
        }
    }

    static func delivery(_ r: Row) throws -> Delivery {
        Delivery(
            id: try r.required("id"), webhookID: try r.required("webhook_id"), jobID: try r.required("job_id"),
            event: try r.required("event"), status: try r.value("status"), attempts: r.int("attempts") ?? 0,
            lastStatus: r.int("last_status"), lastError: r.string("last_error"),
            createdAt: try r.required("created_at"),
            lastAttemptAt: r.string("last_attempt_at"), nextAttemptAt: r.string("next_attempt_at"),
            deliveredAt: r.string("delivered_at"))
    }

    /// A page of one webhook's deliveries, newest first, after the (created_at, id) of the previous page's last.
    public func deliveries(webhookID: String, limit: Int, after: (at: String, id: String)?) throws -> [Delivery] {
        try db.query(
            """
            SELECT id, webhook_id, job_id, event, status, attempts, last_status, last_error,
                   scribe_ts(created_at) AS created_at, scribe_ts(last_attempt_at) AS last_attempt_at,
                   scribe_ts(next_attempt_at) AS next_attempt_at, scribe_ts(delivered_at) AS delivered_at
            FROM webhook_deliveries
            WHERE webhook_id = $1 AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $2
            """, [webhookID, String(limit), after?.at, after?.id], name: "webhooks.deliveries"
        ).rows.map(Self.delivery)
    }

    // MARK: Sending

    /// A delivery claimed for one attempt, with what sending it needs.
    public struct Claimed: Sendable {
        public let event: WebhookEvent
        public let webhookID: String
        public let url: String
        public let sealedSecret: [UInt8]
        /// This attempt's number (1 for the first): the fence of `record`.
        public let attempt: Int
        /// Seconds since the first attempt began (0 on the first).
        public let secondsSinceFirstAttempt: Double

        public init(
            event: WebhookEvent, webhookID: String, url: String, sealedSecret: [UInt8], attempt: Int,
            secondsSinceFirstAttempt: Double
        ) {
            self.event = event
            self.webhookID = webhookID
            self.url = url
            self.sealedSecret = sealedSecret
            self.attempt = attempt
            self.secondsSinceFirstAttempt = secondsSinceFirstAttempt
        }
    }

    /// Claims up to `limit` due deliveries for `lockSeconds` (longer than an attempt can take): no other
    /// sender takes them meanwhile, and if this one dies they are due again after it.
    public func claimDue(limit: Int, lockSeconds: Double) throws -> [Claimed] {
        let rows = try db.query(
            """
            WITH due AS (
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
                ORDER BY next_attempt_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE webhook_deliveries d
            SET attempts = d.attempts + 1, first_attempt_at = coalesce(d.first_attempt_at, now()),
                locked_until = now() + make_interval(secs => $2::float8)
            FROM due, webhooks w
            WHERE d.id = due.id AND w.id = d.webhook_id
            RETURNING d.id, d.webhook_id, d.event, d.payload::text AS payload, d.attempts, w.url, w.secret_enc,
                      extract(epoch FROM now() - d.first_attempt_at)::float8 AS since_first
            """, [String(limit), String(lockSeconds)], name: "webhooks.claim")
        var out: [Claimed] = []
        for r in rows.rows {
            let id = try r.required("id")
            guard let text = r.string("payload"), let snapshot = try? JSONValue.parse(text),
                let event = WebhookEvent(event: try r.required("event"), deliveryID: id, snapshot: snapshot),
                let secret = r.bytes("secret_enc")
            else {
                try record(
                    id: id, attempt: r.int("attempts") ?? 0, httpStatus: nil,
                    error: "the stored event could not be read", outcome: .failed)
                continue
            }
            out.append(
                Claimed(
                    event: event, webhookID: try r.required("webhook_id"), url: try r.required("url"),
                    sealedSecret: secret,
                    attempt: r.int("attempts") ?? 0, secondsSinceFirstAttempt: r.double("since_first") ?? 0))
        }
        return out
    }

    /// What an attempt leads to.
    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Try again after this many seconds.
        case retry(afterSeconds: Double)
        /// Never again (refused address, a day of failures).
        case failed
    }

    /// Records an attempt, once; fenced by its number and the claim (which recording ends), so a sender whose
    /// claim ran out cannot overwrite a newer attempt, nor record the same one twice.
    @discardableResult
    public func record(id: String, attempt: Int, httpStatus: Int?, error: String?, outcome: Outcome) throws -> Bool {
        var status = "pending"
        var delay: String? = nil
        switch outcome {
        case .delivered: status = "delivered"
        case .failed: status = "failed"
        case .retry(let s): delay = String(s)
        }
        return try db.query(
            """
            UPDATE webhook_deliveries SET status = $3, last_status = $4::int, last_error = $5, last_attempt_at = now(),
                locked_until = NULL,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() END,
                next_attempt_at = CASE WHEN $3 = 'pending' THEN now() + make_interval(secs => $6::float8) END
            WHERE id = $1 AND attempts = $2::int AND status = 'pending' AND locked_until IS NOT NULL
            RETURNING id
            """,
            [id, String(attempt), status, httpStatus.map(String.init), error.map(BoundedText.errorMessage), delay],
            name: "webhooks.record"
        ).first != nil
    }

    /// The next time a pending delivery is due, in seconds from now (nil: none pending), so a sender sleeps
    /// no longer than it must.
    public func secondsUntilNextDue() throws -> Double? {
        try db.query(
            """
            SELECT extract(epoch FROM min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now())::float8 AS s
            FROM webhook_deliveries WHERE status = 'pending'
            """, name: "webhooks.next-due"
        ).first?.double("s")
    }

    /// Retention: removes finished deliveries older than `keepDays`; returns how many.
    public func prune(keepDays: Int) throws -> Int {
        try db.query(
            """
            DELETE FROM webhook_deliveries
            WHERE status <> 'pending' AND coalesce(last_attempt_at, created_at) < now() - make_interval(days => $1::int)
            RETURNING id
            """, [String(keepDays)], name: "webhooks.prune"
        ).rows.count
    }
}
