import Foundation
import ScribeCore

/// The worker's view of its job: every write is fenced by the lease token (invariant 3), so a worker that
/// was rescued and comes back changes nothing. Zero rows means the lease is lost.
public final class LeaseStore {
    let db: Connection
    public let jobID: String
    public let lease: String

    public init(db: Connection, jobID: String, lease: String) {
        self.db = db
        self.jobID = jobID
        self.lease = lease
    }

    /// What the database asks of the worker, learnt from each fenced write.
    public struct Signals: Equatable, Sendable {
        public var leaseLost = false
        public var cancelRequested = false
        public var pauseRequested = false

        public static let lost = Signals(leaseLost: true)

        public init(leaseLost: Bool = false, cancelRequested: Bool = false, pauseRequested: Bool = false) {
            self.leaseLost = leaseLost
            self.cancelRequested = cancelRequested
            self.pauseRequested = pauseRequested
        }
    }

    private static let fence = "id = $1 AND lease_token = $2 AND status = 'running'"

    private func signals(_ rows: Rows) -> Signals {
        guard let r = rows.first else { return .lost }
        return Signals(leaseLost: false, cancelRequested: r.bool("cancel_requested"), pauseRequested: r.bool("pause_requested"))
    }

    /// The job as it is now (read without a fence: the worker reads its own row).
    public func job() throws -> Job? { try JobStore(db).get(id: jobID) }

    public func heartbeat() throws -> Signals {
        signals(
            try db.query(
                "UPDATE jobs SET heartbeat_at = now() WHERE \(Self.fence) RETURNING cancel_requested, pause_requested",
                [jobID, lease], name: "lease.heartbeat"))
    }

    /// Reads the flags without writing (a NOTIFY said something changed).
    public func poll() throws -> Signals {
        signals(
            try db.query(
                "SELECT cancel_requested, pause_requested FROM jobs WHERE \(Self.fence)", [jobID, lease], name: "lease.poll"))
    }

    /// A new step: one statement moves the progress (never backwards) and appends the step to the event log.
    public func step(progress: Int, step: String, logLine: String) throws -> Signals {
        signals(
            try db.query(
                """
                WITH j AS (
                    UPDATE jobs SET progress = greatest(progress, $3), current_step = $4, current_object = NULL,
                                    heartbeat_at = now()
                    WHERE \(Self.fence)
                    RETURNING id, attempt, cancel_requested, pause_requested),
                e AS (INSERT INTO job_events (job_id, attempt, kind, level, message) SELECT id, attempt, 'step', 'info', $5 FROM j)
                SELECT cancel_requested, pause_requested FROM j
                """, [jobID, lease, String(progress), step, BoundedText.event(logLine)], name: "lease.step"))
    }

    /// Progress inside a step (the analysis' files read of files to read): the percentage, the step's text and
    /// an estimate, without an event; the version trigger's NOTIFY tells pollers at once.
    public func progress(_ progress: Int, step: String, etaSeconds: Double?) throws -> Signals {
        signals(
            try db.query(
                """
                UPDATE jobs SET progress = greatest(progress, $3), current_step = $4, heartbeat_at = now(),
                    estimated_completion_at = CASE WHEN $5::double precision IS NULL THEN NULL
                        ELSE now() + make_interval(secs => $5::double precision) END
                WHERE \(Self.fence)
                RETURNING cancel_requested, pause_requested
                """, [jobID, lease, String(progress), step, etaSeconds.map { String(format: "%.1f", $0) }], name: "lease.progress"))
    }

    /// Appends an event line (info, warning or error) for this attempt.
    public func event(kind: String = "info", level: String = "info", _ message: String, object: String? = nil) throws {
        try db.query(
            """
            INSERT INTO job_events (job_id, attempt, kind, level, message, object)
            SELECT id, attempt, $3, $4, $5, $6 FROM jobs WHERE \(Self.fence)
            """, [jobID, lease, kind, level, BoundedText.event(message), object], name: "lease.event")
    }

    public func setResolved(commit: String?, cacheKey: String?) throws -> Signals {
        signals(
            try db.query(
                """
                UPDATE jobs SET resolved_commit = $3, cache_key = $4, heartbeat_at = now() WHERE \(Self.fence)
                RETURNING cancel_requested, pause_requested
                """, [jobID, lease, commit, cacheKey], name: "lease.resolved"))
    }

    /// The repository's description and default branch as GitHub gives them (nil keeps the stored value), written
    /// only while this worker holds the job's lease: one statement joins the job on its id, token and status.
    /// False when the lease is lost (nothing is written then).
    public func setRepositoryMetadata(description: String?, defaultBranch: String?) throws -> Bool {
        try db.query(
            """
            UPDATE repositories r
            SET description = coalesce($3, r.description), default_branch = coalesce($4, r.default_branch)
            FROM jobs j
            WHERE j.id = $1 AND j.lease_token = $2 AND j.status = 'running' AND r.id = j.repository_id
            """, [jobID, lease, description, defaultBranch], name: "lease.repository-metadata"
        ).affected == 1
    }

    // MARK: Objects (the checkpoint)

    public struct ObjectRow: Sendable {
        public let path: String
        public let status: ObjectStatus
        public let fingerprint: String?
        public let runs: Int
    }

    /// Registers the job's objects; existing rows (a resumed job's checkpoint) keep their status.
    public func seedObjects(_ paths: [(path: String, fingerprint: String?)]) throws {
        try db.query(
            """
            INSERT INTO job_objects (job_id, path, position, fingerprint)
            SELECT $1, t.path, t.ord::int, nullif(t.fp, '')
            FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS t(path, fp, ord)
            WHERE EXISTS (SELECT 1 FROM jobs WHERE \(Self.fence))
            ON CONFLICT (job_id, path) DO UPDATE SET position = excluded.position
            """,
            [jobID, lease, PGArray.text(paths.map(\.path)), PGArray.text(paths.map { $0.fingerprint ?? "" })],
            name: "lease.seed-objects")
        // Objects no longer in the module list (a resumed job whose tree changed) are dropped.
        try db.query(
            """
            DELETE FROM job_objects WHERE job_id = $1 AND NOT (path = ANY($3::text[]))
              AND EXISTS (SELECT 1 FROM jobs WHERE \(Self.fence))
            """, [jobID, lease, PGArray.text(paths.map(\.path))], name: "lease.prune-objects")
    }

    public func objects() throws -> [ObjectRow] {
        try db.query(
            "SELECT path, status, fingerprint, runs FROM job_objects WHERE job_id = $1 ORDER BY position, path", [jobID],
            name: "lease.objects"
        ).rows.map {
            ObjectRow(
                path: try $0.required("path"), status: try $0.value("status"), fingerprint: $0.string("fingerprint"),
                runs: try $0.requiredInt("runs"))
        }
    }

    /// Marks an object as being generated and shows it on the job, in one statement.
    public func objectStarted(_ path: String, progress: Int, step: String) throws -> Signals {
        signals(
            try db.query(
                """
                WITH j AS (
                    UPDATE jobs SET progress = greatest(progress, $4), current_step = $5, current_object = $3,
                                    heartbeat_at = now()
                    WHERE \(Self.fence)
                    RETURNING id, attempt, cancel_requested, pause_requested),
                o AS (UPDATE job_objects SET status = 'running', attempt = (SELECT attempt FROM j), runs = runs + 1,
                                             started_at = now(), error = NULL
                      WHERE job_id = (SELECT id FROM j) AND path = $3)
                SELECT cancel_requested, pause_requested FROM j
                """, [jobID, lease, path, String(progress), step], name: "lease.object-started"))
    }

    public typealias Counts = ObjectCounts

    /// Records an object's outcome, the job's counts, progress and estimate, and an event: one round trip.
    public func objectFinished(
        _ path: String, status: ObjectStatus, error: String?, durationMs: Int, counts: Counts, progress: Int,
        etaSeconds: Double?
    ) throws -> Signals {
        let message: String
        switch status {
        case .done: message = "Documented \(path)"
        case .skipped: message = "Reused the page of \(path): \(error ?? "unchanged")"
        case .failed: message = "Failed to document \(path): \(error ?? "unknown error")"
        case .pending, .running: preconditionFailure("an object finishes as done, skipped or failed, not \(status)")
        }
        return signals(
            try db.query(
                """
                WITH j AS (
                    UPDATE jobs SET progress = greatest(progress, $4), processed_objects = $5, failed_objects = $6,
                        total_objects = $7, heartbeat_at = now(),
                        estimated_completion_at = CASE WHEN $8::double precision IS NULL THEN NULL
                            ELSE now() + make_interval(secs => $8::double precision) END,
                        error_log = CASE WHEN $9::text = 'failed' THEN error_log || jsonb_build_array(jsonb_build_object(
                            'attempt', attempt, 'at', scribe_ts(now()), 'message', $10::text, 'object', $3::text))
                            ELSE error_log END
                    WHERE \(Self.fence)
                    RETURNING id, attempt, cancel_requested, pause_requested),
                o AS (UPDATE job_objects SET status = $9, error = CASE WHEN $9 = 'failed' THEN $10 ELSE NULL END,
                             duration_ms = $11, finished_at = now()
                      WHERE job_id = (SELECT id FROM j) AND path = $3),
                e AS (INSERT INTO job_events (job_id, attempt, kind, level, message, object, status, duration_ms)
                      SELECT id, attempt, 'object', CASE WHEN $9 = 'failed' THEN 'warning' ELSE 'info' END, $12, $3, $9, $11
                      FROM j)
                SELECT cancel_requested, pause_requested FROM j
                """,
                [
                    jobID, lease, path, String(progress), String(counts.processed), String(counts.failed), String(counts.total),
                    etaSeconds.map { String(format: "%.1f", $0) }, status.rawValue, error.map(BoundedText.errorMessage), String(durationMs),
                    BoundedText.event(message),
                ], name: "lease.object-finished"))
    }

    // MARK: LLM usage

    /// The generator, model and cost estimate, shown on the job before generation starts.
    public func setEstimate(generator: String, model: String?, costUSD: Double?) throws -> Signals {
        signals(
            try db.query(
                """
                UPDATE jobs SET generator = $3, model = $4, cost_estimated_usd = $5::numeric, heartbeat_at = now()
                WHERE \(Self.fence) RETURNING cancel_requested, pause_requested
                """, [jobID, lease, generator, model, costUSD.map { String(format: "%.6f", $0) }], name: "lease.estimate"))
    }

    /// One LLM request's record (a layer of an object): tokens and cost on the job and the object, an event.
    public func layerFinished(
        _ path: String, layer: String, status: LayerStatus, promptTokens: Int, completionTokens: Int, costUSD: Double,
        unverified: Int, durationMs: Int, message: String
    ) throws -> Signals {
        signals(
            try db.query(
                """
                WITH j AS (
                    UPDATE jobs SET prompt_tokens = prompt_tokens + $4, completion_tokens = completion_tokens + $5,
                        cost_actual_usd = cost_actual_usd + $6::numeric, unverified_mentions = unverified_mentions + $7,
                        heartbeat_at = now()
                    WHERE \(Self.fence)
                    RETURNING id, attempt, cancel_requested, pause_requested),
                o AS (UPDATE job_objects SET prompt_tokens = prompt_tokens + $4, completion_tokens = completion_tokens + $5,
                             cost_usd = cost_usd + $6::numeric, unverified_mentions = unverified_mentions + $7
                      WHERE job_id = (SELECT id FROM j) AND path = $3),
                e AS (INSERT INTO job_events (job_id, attempt, kind, level, message, object, layer, status, tokens, duration_ms)
                      SELECT id, attempt, 'object', CASE WHEN $9 = 'done' THEN 'info' ELSE 'warning' END, $11, $3, $8, $9,
                             $4::bigint + $5::bigint, $10 FROM j)
                SELECT cancel_requested, pause_requested FROM j
                """,
                [
                    jobID, lease, path, String(promptTokens), String(completionTokens), String(format: "%.10f", costUSD),
                    String(unverified), layer, status.rawValue, String(durationMs), BoundedText.event(message),
                ], name: "lease.layer"))
    }

    public func costSoFar() throws -> Double {
        try db.query("SELECT cost_actual_usd FROM jobs WHERE id = $1", [jobID], name: "lease.cost").first?.double("cost_actual_usd") ?? 0
    }

    // MARK: Final states

    public struct PageRecord: Sendable {
        public let path: String
        public let title: String
        public let kind: String
        public let module: String?
        public let contentType: String
        /// SHA-256 (hex) and size of the page's bytes, set when the page is saved with its content.
        public var contentHash: String?
        public var size: Int?
        public init(
            path: String, title: String, kind: String, module: String?, contentType: String, contentHash: String? = nil,
            size: Int? = nil
        ) {
            self.path = path
            self.title = title
            self.kind = kind
            self.module = module
            self.contentType = contentType
            self.contentHash = contentHash
            self.size = size
        }
    }

    /// Completes the job, stores and indexes its pages and points the repository at them, atomically: a job
    /// is completed exactly when its pages are in the database. False when the lease was lost (nothing is
    /// written then).
    public func complete(docsPath: String, pages: [PageRecord], contents: [PageStore.Content] = [], cacheHit: Bool) throws -> Bool {
        try db.withTransaction {
            let rows = try db.query(
                """
                UPDATE jobs SET status = 'completed', progress = 100, current_step = 'Completed', current_object = NULL,
                    finished_at = now(), lease_token = NULL, worker_pid = NULL, docs_path = $3, cache_hit = $4,
                    estimated_completion_at = NULL, cancel_requested = false, pause_requested = false
                WHERE \(Self.fence)
                RETURNING id, repository_id, attempt
                """, [jobID, lease, docsPath, cacheHit ? "true" : "false"], name: "lease.complete")
            guard let row = rows.first, let repo = row.string("repository_id") else { return false }
            let pageStore = PageStore(db)
            try pageStore.store(contents)
            try pageStore.index(jobID: jobID, pages: pages)
            try db.query("UPDATE repositories SET docs_job_id = $2 WHERE id = $1", [repo, jobID], name: "repositories.docs")
            try db.query(
                """
                INSERT INTO job_events (job_id, attempt, kind, level, message) VALUES ($1, $2, 'step', 'info', $3)
                """, [jobID, row.string("attempt") ?? "0", Milestone.completed.logLine], name: "lease.complete-event")
            return true
        }
    }

    public enum CacheCompletion: Sendable {
        case completed
        case leaseLost
        /// The earlier job's pages were removed meanwhile (retention): nothing was written; generate instead.
        case sourceGone
    }

    /// A cache hit: the job completes with the pages of an earlier job for the same key (no clone, no work).
    public func completeFromCache(sourceJobID: String, docsPath: String) throws -> CacheCompletion {
        struct SourceGone: Error {}
        do {
            return try db.withTransaction { () throws -> CacheCompletion in
                let rows = try db.query(
                    """
                    UPDATE jobs SET status = 'completed', progress = 100, current_step = 'Completed (from cache)',
                        current_object = NULL, finished_at = now(), lease_token = NULL, worker_pid = NULL, docs_path = $3,
                        cache_hit = true, estimated_completion_at = NULL, cancel_requested = false, pause_requested = false,
                        total_objects = (SELECT total_objects FROM jobs WHERE id = $4::uuid),
                        processed_objects = (SELECT processed_objects FROM jobs WHERE id = $4::uuid),
                        failed_objects = (SELECT failed_objects FROM jobs WHERE id = $4::uuid)
                    WHERE \(Self.fence)
                    RETURNING repository_id, attempt
                    """, [jobID, lease, docsPath, sourceJobID], name: "lease.complete-cached")
                guard let row = rows.first, let repo = row.string("repository_id") else { return .leaseLost }
                // Shared with other completions, exclusive for retention: the contents copied here stay.
                try db.query("SELECT pg_advisory_xact_lock_shared(\(PageStore.contentsLock))", name: "pages.contents-lock")
                let copied = try db.query(
                    """
                    INSERT INTO doc_pages (job_id, path, title, kind, module, content_type, content_hash, size)
                    SELECT $1, path, title, kind, module, content_type, content_hash, size FROM doc_pages WHERE job_id = $2
                    ON CONFLICT DO NOTHING
                    """, [jobID, sourceJobID], name: "pages.copy").affected
                if copied == 0 { throw SourceGone() }
                try db.query("UPDATE repositories SET docs_job_id = $2 WHERE id = $1", [repo, jobID], name: "repositories.docs")
                try db.query(
                    "INSERT INTO job_events (job_id, attempt, kind, level, message) VALUES ($1, $2, 'step', 'info', $3)",
                    [jobID, row.string("attempt") ?? "0", "\(Milestone.completed.logLine) (documentation served from the cache)"],
                    name: "lease.complete-event")
                return .completed
            }
        } catch is SourceGone {
            return .sourceGone
        }
    }

    /// Fails the job at once with a message for people (fatal errors, SPEC §3).
    public func fail(_ message: String) throws -> Bool {
        try db.query(
            """
            WITH j AS (
                UPDATE jobs SET status = 'failed', error_message = $3, finished_at = now(), lease_token = NULL,
                    worker_pid = NULL, current_step = 'Failed', current_object = NULL, estimated_completion_at = NULL,
                    error_log = error_log || jsonb_build_array(jsonb_build_object(
                        'attempt', attempt, 'at', scribe_ts(now()), 'message', $3::text, 'object', current_object))
                WHERE \(Self.fence)
                RETURNING id, attempt),
            e AS (INSERT INTO job_events (job_id, attempt, kind, level, message) SELECT id, attempt, 'error', 'error', $3 FROM j)
            SELECT id FROM j
            """, [jobID, lease, BoundedText.errorMessage(message)], name: "lease.fail"
        ).count == 1
    }

    /// A transient failure: queue again with backoff while attempts remain, else fail.
    public func retryLater(_ message: String, delaySeconds: Double) throws -> JobState? {
        try event(kind: "error", level: "warning", "Attempt failed: \(message)")
        return try JobStore(db).releaseExited(jobID: jobID, lease: lease, message: message, delaySeconds: delaySeconds)
    }

    /// The worker was asked to stop from outside (SIGTERM: a service stop, a shutdown): the job goes back to
    /// the queue at once and the attempt is given back, like a pause, since nothing failed. A pending cancel
    /// or pause request is left to `retryLater`'s rules (returns false then, as when the lease is lost).
    public func handBack() throws -> Bool {
        try db.query(
            """
            WITH j AS (
                UPDATE jobs SET status = 'queued', lease_token = NULL, worker_pid = NULL, current_object = NULL,
                    current_step = 'Queued again (the worker was stopped)', estimated_completion_at = NULL,
                    attempt = greatest(attempt - 1, 0), run_after = now()
                WHERE \(Self.fence) AND NOT cancel_requested AND NOT pause_requested
                RETURNING id, attempt),
            e AS (INSERT INTO job_events (job_id, attempt, kind, level, message)
                  SELECT id, attempt + 1, 'step', 'warning', 'The worker was stopped; the job is queued again without using up an attempt' FROM j)
            SELECT id FROM j
            """, [jobID, lease], name: "lease.hand-back"
        ).count == 1
    }

    /// Ends the attempt on a worker's event, with the guarded statement for it: `.fail` (a fatal error),
    /// `.requeue` (a transient one: the release rule of `JobTransitions.releaseOrder` decides), `.pause` or
    /// `.cancel` (honoured). Returns the state the job is in then, or nil when the lease was lost.
    public func end(_ event: JobEvent, message: String, delaySeconds: Double) throws -> JobState? {
        switch event {
        case .fail: return try fail(message) ? JobTransitions.target(from: .running, on: .fail) : nil
        case .requeue: return try retryLater(message, delaySeconds: delaySeconds)
        case .pause, .cancel: return try stop(event) ? JobTransitions.target(from: .running, on: event) : nil
        case .claim, .resume, .complete, .retry: preconditionFailure("a worker does not end its attempt on \(event)")
        }
    }

    /// The worker honoured a pause (at an object boundary) or a cancel: `.pause` or `.cancel` from running.
    public func stop(_ event: JobEvent) throws -> Bool {
        guard event == .pause || event == .cancel, let state = JobTransitions.target(from: .running, on: event) else {
            preconditionFailure("a worker stops on a pause or a cancel, not on \(event)")
        }
        let paused = state == .paused
        return try db.query(
            """
            WITH j AS (
                UPDATE jobs SET status = $3, lease_token = NULL, worker_pid = NULL, current_object = NULL,
                    current_step = $4, pause_requested = false, estimated_completion_at = NULL,
                    -- A pause honoured cleanly is not a failed attempt: it does not use up max_attempts.
                    attempt = CASE WHEN $3 = 'paused' THEN greatest(attempt - 1, 0) ELSE attempt END,
                    finished_at = CASE WHEN $3 = 'cancelled' THEN now() ELSE NULL END
                WHERE \(Self.fence)
                RETURNING id, attempt),
            e AS (INSERT INTO job_events (job_id, attempt, kind, level, message) SELECT id, attempt, 'step', 'info', $5 FROM j)
            SELECT id FROM j
            """,
            [jobID, lease, state.rawValue, paused ? "Paused" : "Cancelled", paused ? "Paused; finished modules are kept" : "Cancelled"],
            name: "lease.stop"
        ).count == 1
    }
}
