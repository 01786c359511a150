import Foundation
import ScribeCore

/// Every SQL statement about jobs. Each state transition is one guarded statement: zero rows means refused.
public struct JobStore {
    public let db: Connection

    public init(_ db: Connection) { self.db = db }

    static func columns(_ p: String = "") -> String {
        """
        \(p)id, \(p)organisation_id, \(p)repository_id, \(p)status, \(p)progress, \(p)current_step, \(p)current_object,
        \(p)processed_objects, \(p)failed_objects, \(p)total_objects, \(p)attempt, \(p)max_attempts,
        scribe_ts(\(p)created_at) AS created_at, scribe_ts(\(p)started_at) AS started_at,
        scribe_ts(\(p)heartbeat_at) AS heartbeat_at, scribe_ts(\(p)finished_at) AS finished_at,
        scribe_ts(\(p)estimated_completion_at) AS estimated_completion_at, scribe_ts(\(p)run_after) AS run_after,
        \(p)error_message, \(p)error_log, \(p)options, \(p)resolved_commit, \(p)cache_key, \(p)cache_hit, \(p)docs_path,
        \(p)generator, \(p)model, \(p)prompt_tokens, \(p)completion_tokens, \(p)cost_estimated_usd, \(p)cost_actual_usd,
        \(p)triggered_by, \(p)pause_requested, \(p)cancel_requested, \(p)version, \(p)unverified_mentions, \(p)worker_host
        """
    }

    /// Decodes a job row; a row whose status the code does not know is an error.
    static func job(_ r: Row) throws -> Job {
        try Job(
            id: r.required("id"), organisationID: r.required("organisation_id"),
            repositoryID: r.required("repository_id"), state: r.value("status"),
            progress: r.int("progress") ?? 0, currentStep: r.string("current_step"), currentObject: r.string("current_object"),
            processedObjects: r.int("processed_objects") ?? 0, failedObjects: r.int("failed_objects") ?? 0,
            totalObjects: r.int("total_objects") ?? 0, attempt: r.int("attempt") ?? 0, maxAttempts: r.int("max_attempts") ?? 1,
            createdAt: r.string("created_at") ?? "", startedAt: r.string("started_at"), heartbeatAt: r.string("heartbeat_at"),
            finishedAt: r.string("finished_at"), estimatedCompletionAt: r.string("estimated_completion_at"),
            runAfter: r.string("run_after"), errorMessage: r.string("error_message"),
            errorLog: r.json("error_log") ?? .array([]), options: r.json("options") ?? .object([]),
            resolvedCommit: r.string("resolved_commit"), cacheKey: r.string("cache_key"), cacheHit: r.bool("cache_hit"),
            docsPath: r.string("docs_path"), generator: r.string("generator") ?? "builtin", model: r.string("model"),
            promptTokens: r.int64("prompt_tokens") ?? 0, completionTokens: r.int64("completion_tokens") ?? 0,
            costEstimatedUSD: r.double("cost_estimated_usd"), costActualUSD: r.double("cost_actual_usd") ?? 0,
            triggeredBy: r.string("triggered_by"), pauseRequested: r.bool("pause_requested"),
            cancelRequested: r.bool("cancel_requested"), version: r.int64("version") ?? 1,
            unverifiedMentions: r.int("unverified_mentions") ?? 0, workerHost: r.string("worker_host"))
    }

    // MARK: Creating and reading (API)

    public enum CreateOutcome {
        case created(Job)
        /// Another job is active for the repository (the partial unique index said so).
        case conflict(activeJobID: String?)
    }

    /// The organisation has `limit` active jobs (queued, running, paused) already: no more until one ends.
    public struct ActiveJobLimitReached: Error, Sendable {
        public let limit: Int
    }

    /// Inserts a queued job. The partial unique index makes a second active job impossible, even under a
    /// storm of parallel requests: the losers get `.conflict`. With `activeLimit`, the organisation's active
    /// jobs are counted and the job inserted under a per-organisation lock, so no burst gets past the cap;
    /// over it, `ActiveJobLimitReached` is thrown (a job already active for the repository is still `.conflict`).
    public func create(
        organisationID: String, repositoryID: String, options: JobOptions, triggeredBy: String?, activeLimit: Int? = nil
    ) throws -> CreateOutcome {
        let insert = { () throws -> CreateOutcome in
            let rows = try db.query(
                """
                INSERT INTO jobs (organisation_id, repository_id, options, max_attempts, priority, generator, model,
                                  triggered_by, current_step)
                VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, 'Queued')
                RETURNING \(Self.columns())
                """,
                [
                    organisationID, repositoryID, options.json.serialized(), String(options.maxRetries + 1),
                    String(options.priority), options.generator, options.model, triggeredBy,
                ], name: "jobs.create")
            guard let row = rows.first else { throw PGError(sqlState: nil, message: "no row", statement: "jobs.create", constraint: nil) }
            return .created(try Self.job(row))
        }
        do {
            guard let activeLimit else { return try insert() }
            return try db.withTransaction {
                if try !lockUnderActiveLimit(organisationID: organisationID, activeLimit) {
                    if let current = try activeJobID(repositoryID: repositoryID) { return .conflict(activeJobID: current) }
                    throw ActiveJobLimitReached(limit: activeLimit)
                }
                return try insert()
            }
        } catch let e as PGError where e.isUniqueViolation {
            return .conflict(activeJobID: try activeJobID(repositoryID: repositoryID))
        }
    }

    /// Takes the organisation's advisory lock for this transaction (held until it ends, so parallel requests
    /// count one after another) and says whether it has fewer than `limit` active jobs.
    func lockUnderActiveLimit(organisationID: String, _ limit: Int) throws -> Bool {
        try db.query("SELECT pg_advisory_xact_lock(727275, hashtext($1))", [organisationID], name: "jobs.limit-lock")
        let active = try db.query(
            "SELECT count(*) AS n FROM jobs WHERE organisation_id = $1 AND status IN ('queued', 'running', 'paused')",
            [organisationID], name: "jobs.active-count"
        ).first?.int("n") ?? 0
        return active < limit
    }

    public func activeJobID(repositoryID: String) throws -> String? {
        try db.query(
            "SELECT id FROM jobs WHERE repository_id = $1 AND status IN ('queued', 'running', 'paused')", [repositoryID],
            name: "jobs.active"
        ).first?.string("id")
    }

    public func get(id: String, organisationID: String? = nil) throws -> Job? {
        if let organisationID {
            return try db.query(
                "SELECT \(Self.columns()) FROM jobs WHERE id = $1 AND organisation_id = $2", [id, organisationID],
                name: "jobs.get"
            ).first.map(Self.job)
        }
        return try db.query("SELECT \(Self.columns()) FROM jobs WHERE id = $1", [id], name: "jobs.get").first.map(Self.job)
    }

    /// A page of jobs, newest first, after the (created_at, id) of the previous page's last job. Each filter
    /// gives its own statement, so that each is planned for the index that serves its order: the
    /// organisation's, the organisation's by state, or the repository's.
    static func listStatement(
        organisationID: String, status: String?, repositoryID: String?, limit: Int, before: (at: String, id: String?)?
    ) -> Statement {
        var sql = "SELECT \(columns()) FROM jobs WHERE organisation_id = $1"
        var params: [String?] = [organisationID]
        var name = "jobs.list"
        if let status {
            params.append(status)
            sql += " AND status = $\(params.count)"
            name += ".status"
        }
        if let repositoryID {
            params.append(repositoryID)
            sql += " AND repository_id = $\(params.count)::uuid"
            name += ".repository"
        }
        if let before {
            params.append(before.at)
            if let id = before.id {
                params.append(id)
                sql += " AND (created_at, id) < ($\(params.count - 1)::timestamptz, $\(params.count)::uuid)"
            } else {
                // A cursor of the first API version: a timestamp alone.
                sql += " AND created_at < $\(params.count)::timestamptz"
            }
            name += ".before"
        }
        params.append(String(limit))
        // Qualified: a bare `created_at` would name the output column (`scribe_ts(…)`, text) and force a sort.
        sql += " ORDER BY jobs.created_at DESC, jobs.id DESC LIMIT $\(params.count)"
        return Statement(sql, params, name: name)
    }

    public func list(
        organisationID: String, status: String?, repositoryID: String?, limit: Int, before: (at: String, id: String?)?
    ) throws -> [Job] {
        try db.query(
            Self.listStatement(
                organisationID: organisationID, status: status, repositoryID: repositoryID, limit: limit, before: before)
        ).rows.map(Self.job)
    }

    public func latest(repositoryID: String) throws -> Job? {
        try db.query(
            "SELECT \(Self.columns()) FROM jobs WHERE repository_id = $1 ORDER BY jobs.created_at DESC, jobs.id DESC LIMIT 1",
            [repositoryID], name: "jobs.latest"
        ).first.map(Self.job)
    }

    // MARK: Control from the API

    /// A person's request (pause, resume or cancel) on a job of the organisation: runs the guarded statement
    /// for the event and returns the job as it is then, or nil when the event is refused in the job's state
    /// (`JobTransitions.refusal` says why). Retry has its own method: it may meet the active-job limit.
    public func request(_ event: JobEvent, id: String, organisationID: String) throws -> Job? {
        switch event {
        case .pause: return try requestPause(id: id, organisationID: organisationID)
        case .resume: return try resume(id: id, organisationID: organisationID)
        case .cancel: return try requestCancel(id: id, organisationID: organisationID)
        case .claim, .requeue, .complete, .fail, .retry:
            preconditionFailure("\(event) is not a request a person makes on a job")
        }
    }

    /// Pause: a queued job is held at once; a running one is asked to stop at the next object boundary.
    private func requestPause(id: String, organisationID: String) throws -> Job? {
        try db.query(
            """
            UPDATE jobs SET
                status = CASE WHEN status = 'queued' THEN 'paused' ELSE status END,
                pause_requested = (status = 'running'),
                current_step = CASE WHEN status = 'queued' THEN 'Paused' ELSE current_step END
            WHERE id = $1 AND organisation_id = $2 AND status IN ('queued', 'running')
            RETURNING \(Self.columns())
            """, [id, organisationID], name: "jobs.pause"
        ).first.map(Self.job)
    }

    /// Resume: a paused job is queued again (its worker will skip finished objects); a pause that was
    /// requested but not yet honoured is withdrawn.
    private func resume(id: String, organisationID: String) throws -> Job? {
        try db.query(
            """
            UPDATE jobs SET
                status = CASE WHEN status = 'paused' THEN 'queued' ELSE status END,
                run_after = CASE WHEN status = 'paused' THEN now() ELSE run_after END,
                current_step = CASE WHEN status = 'paused' THEN 'Queued' ELSE current_step END,
                pause_requested = false
            WHERE id = $1 AND organisation_id = $2 AND (status = 'paused' OR (status = 'running' AND pause_requested))
            RETURNING \(Self.columns())
            """, [id, organisationID], name: "jobs.resume"
        ).first.map(Self.job)
    }

    /// Cancel: queued or paused jobs end at once; a running job's worker is asked to stop (it checks
    /// within a second, and the dispatcher's SIGTERM backs it up).
    private func requestCancel(id: String, organisationID: String) throws -> Job? {
        try db.query(
            """
            UPDATE jobs SET
                status = CASE WHEN status IN ('queued', 'paused') THEN 'cancelled' ELSE status END,
                finished_at = CASE WHEN status IN ('queued', 'paused') THEN now() ELSE finished_at END,
                current_step = CASE WHEN status IN ('queued', 'paused') THEN 'Cancelled' ELSE current_step END,
                cancel_requested = true,
                pause_requested = false
            WHERE id = $1 AND organisation_id = $2 AND status IN ('queued', 'running', 'paused')
            RETURNING \(Self.columns())
            """, [id, organisationID], name: "jobs.cancel"
        ).first.map(Self.job)
    }

    public enum RetryOutcome {
        case retried(Job)
        case refused
        case conflict(activeJobID: String?)
    }

    /// Retry a failed or cancelled job; it resumes from its checkpoint unless `regenerateAll`.
    /// With `activeLimit`, a retry that would take the organisation over its cap of active jobs throws
    /// `ActiveJobLimitReached` (checked under the same lock as `create`).
    public func retry(
        id: String, organisationID: String, regenerateAll: Bool, budgetUSD: Double? = nil, activeLimit: Int? = nil
    ) throws -> RetryOutcome {
        do {
            return try db.withTransaction {
                if let activeLimit, try !lockUnderActiveLimit(organisationID: organisationID, activeLimit) {
                    // Only a job that would become active again counts against the cap.
                    let retriable = try db.query(
                        "SELECT 1 FROM jobs WHERE id = $1 AND organisation_id = $2 AND status IN ('failed', 'cancelled')",
                        [id, organisationID], name: "jobs.retriable")
                    if !retriable.isEmpty { throw ActiveJobLimitReached(limit: activeLimit) }
                }
                let rows = try db.query(
                    """
                    UPDATE jobs SET
                        status = 'queued', attempt = 0, run_after = now(), finished_at = NULL, error_message = NULL,
                        cancel_requested = false, pause_requested = false, current_step = 'Queued', current_object = NULL,
                        progress = 0, lease_token = NULL, worker_pid = NULL, estimated_completion_at = NULL,
                        options = CASE WHEN $4::numeric IS NULL THEN options ELSE jsonb_set(options, '{budget_usd}', to_jsonb($4::numeric)) END
                            || CASE WHEN $3::boolean THEN '{"regenerate_all": true, "skip_existing": false}'::jsonb ELSE '{}'::jsonb END
                    WHERE id = $1 AND organisation_id = $2 AND status IN ('failed', 'cancelled')
                    RETURNING \(Self.columns())
                    """, [id, organisationID, regenerateAll ? "true" : "false", budgetUSD.map { String($0) }], name: "jobs.retry")
                guard let row = rows.first else { return .refused }
                if regenerateAll {
                    try db.query("DELETE FROM job_objects WHERE job_id = $1", [id], name: "jobs.retry.objects")
                }
                return .retried(try Self.job(row))
            }
        } catch let e as PGError where e.isUniqueViolation {
            let repo = try db.query("SELECT repository_id FROM jobs WHERE id = $1", [id], name: "jobs.repo").first?.string("repository_id")
            return .conflict(activeJobID: try repo.flatMap { try activeJobID(repositoryID: $0) })
        }
    }

    // MARK: Dispatching

    public struct Claim: Sendable {
        public let jobID: String
        public let leaseToken: String
        public let attempt: Int
    }

    /// Takes the next runnable job in one statement (FOR UPDATE SKIP LOCKED): two dispatchers never take the
    /// same job, and neither waits for the other. Fair across organisations, on every host at once because the
    /// counts are the database's: the organisation with the fewest running jobs goes first, among equals the
    /// one whose last claim is oldest (round-robin); priority, then `run_after`, only orders jobs within an
    /// organisation. So a second organisation's job waits for one free worker slot at most, whatever the
    /// first one has queued.
    static func claimStatement(host: String) -> Statement {
        Statement(
            """
            WITH ready AS (
                SELECT DISTINCT organisation_id FROM jobs WHERE status = 'queued' AND run_after <= now()
            ),
            turn AS (
                SELECT r.organisation_id, o.last_claimed_at,
                       (SELECT count(*) FROM jobs x WHERE x.organisation_id = r.organisation_id AND x.status = 'running') AS running
                FROM ready r JOIN organisations o ON o.id = r.organisation_id
            ),
            picked AS (
                SELECT j.id FROM jobs j JOIN turn t ON t.organisation_id = j.organisation_id
                WHERE j.status = 'queued' AND j.run_after <= now()
                ORDER BY t.running, t.last_claimed_at NULLS FIRST, t.organisation_id, j.priority DESC, j.run_after, j.created_at
                LIMIT 1
                FOR UPDATE OF j SKIP LOCKED
            ),
            claimed AS (
                UPDATE jobs j SET
                    status = 'running', attempt = j.attempt + 1, lease_token = gen_random_uuid(),
                    started_at = coalesce(j.started_at, now()), heartbeat_at = now(), worker_host = $1, worker_pid = NULL,
                    current_step = 'Starting worker', current_object = NULL
                FROM picked WHERE j.id = picked.id
                RETURNING j.id, j.lease_token, j.attempt, j.organisation_id
            ),
            served AS (
                UPDATE organisations o SET last_claimed_at = clock_timestamp()
                FROM claimed WHERE o.id = claimed.organisation_id
            )
            SELECT id, lease_token, attempt FROM claimed
            """, [host], name: "jobs.claim")
    }

    public func claim(host: String) throws -> Claim? {
        let row = try db.query(Self.claimStatement(host: host)).first
        guard let row, let id = row.string("id"), let lease = row.string("lease_token") else { return nil }
        return Claim(jobID: id, leaseToken: lease, attempt: row.int("attempt") ?? 1)
    }

    /// Records the worker's pid (for the same-host liveness check).
    public func recordWorker(jobID: String, lease: String, pid: Int32) throws {
        try db.query(
            "UPDATE jobs SET worker_pid = $3 WHERE id = $1 AND lease_token = $2 AND status = 'running'",
            [jobID, lease, String(pid)], name: "jobs.worker-pid")
    }

    /// The next state for a running job whose attempt ended without a final state: honour a pending cancel
    /// or pause, else queue it again with backoff while attempts remain, else fail it with the message.
    /// `$1` is the backoff in seconds and `$2` the message in every release; `cte` selects the jobs (its own
    /// parameters start at `$3`) and is one of the constant fragments below.
    /// `JobTransitions.releaseOrder` as SQL: one WHEN per condition, in its order, over the row `cur`.
    static let releaseCase: String = {
        let whens = JobTransitions.releaseOrder.map { rule -> String in
            let condition: String
            switch rule.when {
            case .cancelRequested: condition = "cur.cancel_requested"
            case .pauseRequested: condition = "cur.pause_requested"
            case .attemptsLeft: condition = "cur.attempt < cur.max_attempts"
            case .otherwise: condition = "true"
            }
            let state = JobTransitions.target(from: .running, on: rule.event) ?? .failed
            return "WHEN \(condition) THEN '\(state.rawValue)'"
        }
        return "CASE " + whens.joined(separator: " ") + " END"
    }()

    private static func releaseUpdate(_ cte: String) -> String {
        """
        WITH cur AS (\(cte)),
        nxt AS (SELECT cur.id, \(releaseCase) AS next, cur.attempt, cur.max_attempts
                FROM cur)
        UPDATE jobs j SET
            status = nxt.next,
            lease_token = NULL, worker_pid = NULL, current_object = NULL,
            pause_requested = CASE WHEN nxt.next = 'paused' THEN false ELSE j.pause_requested END,
            run_after = CASE WHEN nxt.next = 'queued' THEN now() + make_interval(secs => $1::double precision) ELSE j.run_after END,
            finished_at = CASE WHEN nxt.next IN ('failed', 'cancelled') THEN now() ELSE NULL END,
            error_message = CASE WHEN nxt.next = 'failed'
                THEN $2::text || ' (attempt ' || nxt.attempt || ' of ' || nxt.max_attempts || ')' ELSE j.error_message END,
            current_step = CASE nxt.next
                WHEN 'queued' THEN 'Waiting to retry (attempt ' || (nxt.attempt + 1) || ' of ' || nxt.max_attempts || ')'
                WHEN 'paused' THEN 'Paused'
                WHEN 'cancelled' THEN 'Cancelled'
                ELSE 'Failed' END,
            error_log = j.error_log || jsonb_build_array(jsonb_build_object(
                'attempt', nxt.attempt, 'at', scribe_ts(now()), 'message', $2::text, 'object', j.current_object))
        FROM nxt WHERE j.id = nxt.id
        RETURNING j.id, j.status
        """
    }

    private static let releaseExitedSQL = releaseUpdate(
        """
        SELECT id, attempt, max_attempts, cancel_requested, pause_requested FROM jobs
        WHERE id = $3 AND lease_token = $4 AND status = 'running' FOR UPDATE
        """)

    private static let rescueSQL = releaseUpdate(
        """
        SELECT id, attempt, max_attempts, cancel_requested, pause_requested FROM jobs
        WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $3::double precision)
        FOR UPDATE SKIP LOCKED
        """)

    /// A release's message within the bound, with room for the ` (attempt N of M)` that the statement adds.
    static func bounded(_ message: String) -> String {
        BoundedText.bounded(message, maxBytes: BoundedText.errorMessageMaxBytes - 40)
    }

    /// The dispatcher saw the worker exit without a final state: release its job at once.
    @discardableResult
    public func releaseExited(jobID: String, lease: String, message: String, delaySeconds: Double) throws -> JobState? {
        try db.query(
            Self.releaseExitedSQL, [String(delaySeconds), Self.bounded(message), jobID, lease], name: "jobs.release-exited")
            .first.map { try $0.value("status") }
    }

    /// Rescues running jobs whose heartbeat is older than the lease (their worker died or hangs). A job that
    /// keeps heartbeating is never rescued, however long it runs.
    static func rescueStatement(leaseSeconds: Int, message: String, delaySeconds: Double) -> Statement {
        Statement(rescueSQL, [String(delaySeconds), bounded(message), String(leaseSeconds)], name: "jobs.rescue")
    }

    public func rescueExpired(leaseSeconds: Int, message: String, delaySeconds: Double) throws -> [(String, JobState)] {
        try db.query(Self.rescueStatement(leaseSeconds: leaseSeconds, message: message, delaySeconds: delaySeconds))
            .rows.map { (try $0.required("id"), try $0.value("status")) }
    }

    /// Whether any queued job may run now (`scribe dispatch` stops when none may).
    public func hasRunnable() throws -> Bool {
        !(try db.query(
            "SELECT 1 FROM jobs WHERE status = 'queued' AND run_after <= now() LIMIT 1", name: "jobs.runnable").isEmpty)
    }

    /// One line of `scribe jobs`: a job of any organisation with its repository's name.
    public struct Summary: Sendable {
        public let id: String
        public let status: JobState
        public let progress: Int
        public let attempt: Int
        public let maxAttempts: Int
        public let step: String
        public let error: String
        public let repositoryName: String
    }

    /// The newest jobs of every organisation, optionally in one state (the admin CLI's `jobs`).
    public func recent(status: JobState?, limit: Int) throws -> [Summary] {
        try db.query(
            """
            SELECT j.id, j.status, j.progress, j.attempt, j.max_attempts, coalesce(j.current_step, '') AS step,
                   coalesce(j.error_message, '') AS error, r.name
            FROM jobs j JOIN repositories r ON r.id = j.repository_id
            WHERE ($1::text IS NULL OR j.status = $1) ORDER BY j.created_at DESC LIMIT $2
            """, [status?.rawValue, String(limit)], name: "jobs.recent"
        ).rows.map { r in
            try Summary(
                id: r.required("id"), status: r.value("status"), progress: r.int("progress") ?? 0,
                attempt: r.int("attempt") ?? 0, maxAttempts: r.int("max_attempts") ?? 0, step: r.string("step") ?? "",
                error: r.string("error") ?? "", repositoryName: r.string("name") ?? "")
        }
    }

    /// Running jobs whose worker runs on `host`: the dispatcher checks their pids to rescue at once.
    public func runningOnHost(_ host: String) throws -> [(id: String, lease: String, pid: Int32)] {
        try db.query(
            "SELECT id, lease_token, worker_pid FROM jobs WHERE status = 'running' AND worker_host = $1 AND worker_pid IS NOT NULL",
            [host], name: "jobs.on-host"
        ).rows.compactMap {
            guard let id = $0.string("id"), let l = $0.string("lease_token"), let p = $0.int("worker_pid") else { return nil }
            return (id, l, Int32(p))
        }
    }

    /// Of these job ids, those whose work folder may go: the job ended (or no longer exists).
    public func withoutWork(_ ids: [String]) throws -> [String] {
        guard !ids.isEmpty else { return [] }
        return try db.query(
            """
            SELECT x.id FROM unnest($1::uuid[]) AS x(id) LEFT JOIN jobs j ON j.id = x.id
            WHERE j.id IS NULL OR j.status IN ('completed', 'failed', 'cancelled')
            """, [PGArray.text(ids)], name: "jobs.without-work"
        ).rows.compactMap { $0.string("id") }
    }

    /// Running jobs with a cancel request, for the dispatcher's SIGTERM backup.
    public func cancelRequested(host: String) throws -> [(id: String, pid: Int32)] {
        try db.query(
            """
            SELECT id, worker_pid FROM jobs
            WHERE status = 'running' AND cancel_requested AND worker_host = $1 AND worker_pid IS NOT NULL
            """, [host], name: "jobs.cancel-requested"
        ).rows.compactMap {
            guard let id = $0.string("id"), let p = $0.int("worker_pid") else { return nil }
            return (id, Int32(p))
        }
    }

    // MARK: Cache

    /// A completed job of the organisation with the same cache key, whose pages can be served again: its
    /// overview is in the database (so on every host), not only on the disk of the host that wrote it.
    public func cached(organisationID: String, cacheKey: String, excluding jobID: String) throws -> (jobID: String, docsPath: String)? {
        guard let r = try db.query(
            """
            SELECT id, docs_path FROM jobs j
            WHERE organisation_id = $1 AND cache_key = $2 AND status = 'completed' AND docs_path IS NOT NULL AND id <> $3
              AND EXISTS (SELECT 1 FROM doc_pages p WHERE p.job_id = j.id AND p.path = 'index.md' AND p.content_hash IS NOT NULL)
              AND failed_objects = 0
            ORDER BY finished_at DESC LIMIT 1
            """, [organisationID, cacheKey, jobID], name: "jobs.cached"
        ).first, let id = r.string("id"), let path = r.string("docs_path") else { return nil }
        return (id, path)
    }

    public struct PreviousObject: Sendable {
        public let fingerprint: String?
        public let docsPath: String

        public init(fingerprint: String?, docsPath: String) {
            self.fingerprint = fingerprint
            self.docsPath = docsPath
        }
    }

    /// The objects of the repository's current documentation, for reusing pages of unchanged modules.
    public func previousObjects(repositoryID: String) throws -> [String: PreviousObject] {
        var out: [String: PreviousObject] = [:]
        for r in try db.query(
            """
            SELECT o.path, o.fingerprint, src.docs_path FROM repositories r
            JOIN jobs cur ON cur.id = r.docs_job_id
            JOIN jobs src ON src.docs_path = cur.docs_path AND NOT src.cache_hit AND src.status = 'completed'
            JOIN job_objects o ON o.job_id = src.id AND o.status IN ('done', 'skipped')
            WHERE r.id = $1
            """, [repositoryID], name: "jobs.previous-objects"
        ).rows {
            if let p = r.string("path"), let d = r.string("docs_path") { out[p] = PreviousObject(fingerprint: r.string("fingerprint"), docsPath: d) }
        }
        return out
    }

    public struct QueueStats: Sendable {
        public let running: Int
        public let queued: Int
        public let oldestQueuedAgeSeconds: Double?
        /// Running jobs by the host id of their worker.
        public let runningByHost: [String: Int]
    }

    /// The queue's figures, of one organisation or of all (queued and running jobs only: partial indexes).
    static func statsStatement(organisationID: String?) -> Statement {
        Statement(
            """
            SELECT (SELECT count(*) FROM jobs WHERE status = 'running' AND ($1::uuid IS NULL OR organisation_id = $1::uuid)) AS running,
                   (SELECT count(*) FROM jobs WHERE status = 'queued' AND ($1::uuid IS NULL OR organisation_id = $1::uuid)) AS queued,
                   (SELECT extract(epoch FROM now() - min(created_at)) FROM jobs
                    WHERE status = 'queued' AND ($1::uuid IS NULL OR organisation_id = $1::uuid)) AS oldest,
                   (SELECT coalesce(jsonb_object_agg(h, n), '{}') FROM (
                        SELECT coalesce(worker_host, '') AS h, count(*) AS n FROM jobs
                        WHERE status = 'running' AND ($1::uuid IS NULL OR organisation_id = $1::uuid) GROUP BY 1) x) AS by_host
            """, [organisationID], name: "jobs.stats")
    }

    public func stats(organisationID: String? = nil) throws -> QueueStats {
        let r = try db.query(Self.statsStatement(organisationID: organisationID)).first
        var byHost: [String: Int] = [:]
        for (host, n) in r?.json("by_host")?.objectPairs ?? [] { byHost[host] = Int(n.intValue ?? 0) }
        return QueueStats(
            running: r?.int("running") ?? 0, queued: r?.int("queued") ?? 0, oldestQueuedAgeSeconds: r?.double("oldest"),
            runningByHost: byHost)
    }

    /// Job counts by state from the counters the database keeps (`job_counts`), never a count of the history.
    static func countsStatement(organisationID: String?) -> Statement {
        if let organisationID {
            return Statement(
                "SELECT status, n FROM job_counts WHERE organisation_id = $1", [organisationID], name: "jobs.counts.org")
        }
        return Statement("SELECT status, sum(n) AS n FROM job_counts GROUP BY status", [], name: "jobs.counts")
    }

    /// Job counts by state, of one organisation or of all, for the metrics endpoint.
    public func countsByState(organisationID: String? = nil) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for r in try db.query(Self.countsStatement(organisationID: organisationID)).rows {
            if let s = r.string("status") { out[s] = r.int("n") ?? 0 }
        }
        return out
    }
}
