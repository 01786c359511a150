import ScribeCore

/// Pushes in: repositories' push secrets, and the debounced enqueue that a signed push or `scribe poll`
/// asks for when the documented branch moved. Per repository there is at most one queued job (a newer
/// commit moves it) and, while one runs, at most one follow-up (`repositories.follow_up_options`, queued by
/// the `jobs_push_follow_up` trigger when the running job ends).
public struct PushStore {
    public let db: Connection
    public init(_ db: Connection) { self.db = db }

    /// Stores (or with nil removes) a repository's sealed push secret; false when the repository is not the
    /// organisation's.
    public func setSecret(repositoryID: String, organisationID: String, sealed: [UInt8]?) throws -> Bool {
        try db.query(
            "UPDATE repositories SET push_secret_enc = $3::bytea WHERE id = $1 AND organisation_id = $2 RETURNING id",
            [repositoryID, organisationID, sealed.map(PGArray.byteaHex)], name: "push.secret.set"
        ).first != nil
    }

    /// A repository a push may be for: one with a secret whose URL or GitHub name matches.
    public struct Candidate: Sendable {
        public let id: String
        public let organisationID: String
        public let branch: String?
        public let defaultBranch: String?
        public let sealedSecret: [UInt8]
    }

    /// Every repository (of any organisation) with a push secret and one of `urls`, or `slug` as its GitHub name.
    public func candidates(urls: [String], slug: String?) throws -> [Candidate] {
        try db.query(
            """
            SELECT id, organisation_id, branch, default_branch, push_secret_enc FROM repositories
            WHERE push_secret_enc IS NOT NULL AND (url = ANY($1::text[]) OR lower(github_slug) = lower($2))
            ORDER BY created_at, id LIMIT 50
            """, [PGArray.text(urls), slug], name: "push.candidates"
        ).rows.compactMap { r in
            guard let id = r.string("id"), let org = r.string("organisation_id"),
                let secret = r.bytes("push_secret_enc")
            else { return nil }
            return Candidate(
                id: id, organisationID: org, branch: r.string("branch"), defaultBranch: r.string("default_branch"),
                sealedSecret: secret)
        }
    }

    /// What a reported head did.
    public enum Outcome: Equatable, Sendable {
        /// A new queued job at the commit.
        case enqueued(jobID: String)
        /// The repository's queued job now documents this commit instead.
        case moved(jobID: String)
        /// A job is running (or paused): one follow-up at this commit is queued when it ends.
        case followUp(runningJobID: String)
        /// The active job already documents this commit.
        case alreadyActive(jobID: String)
        /// The documentation shown is of this commit already.
        case upToDate
        /// The organisation is at its cap of active jobs; the commit is recorded as the newest known.
        case atLimit(Int)
        /// The repository is gone.
        case noRepository

        public var word: String {
            switch self {
            case .enqueued: return "enqueued"
            case .moved: return "moved"
            case .followUp: return "follow-up"
            case .alreadyActive: return "already-active"
            case .upToDate: return "up-to-date"
            case .atLimit: return "at-limit"
            case .noRepository: return "no-repository"
            }
        }

        public var jobID: String? {
            switch self {
            case .enqueued(let j), .moved(let j), .followUp(let j), .alreadyActive(let j): return j
            default: return nil
            }
        }
    }

    /// A repository `scribe poll` asks about.
    public struct PollTarget: Sendable {
        public let id: String
        public let url: String
        public let branch: String?
        public let defaultBranch: String?
        public let createdBy: String?
        /// Whether it has ever had a job (a repository never documented is left alone unless named).
        public let hasJobs: Bool
    }

    /// The next `limit` repositories after `after` (by id), or those of `ids`.
    public func pollTargets(ids: [String]?, after: String?, limit: Int) throws -> [PollTarget] {
        try db.query(
            """
            SELECT r.id, r.url, r.branch, r.default_branch, r.created_by,
                   EXISTS (SELECT 1 FROM jobs j WHERE j.repository_id = r.id) AS has_jobs
            FROM repositories r
            WHERE ($1::uuid[] IS NULL OR r.id = ANY($1::uuid[])) AND ($2::uuid IS NULL OR r.id > $2::uuid)
            ORDER BY r.id LIMIT $3
            """, [ids.map(PGArray.text), after, String(limit)], name: "push.poll-targets"
        ).rows.compactMap { r in
            guard let id = r.string("id"), let url = r.string("url") else { return nil }
            return PollTarget(
                id: id, url: url, branch: r.string("branch"), defaultBranch: r.string("default_branch"),
                createdBy: r.string("created_by"), hasJobs: r.bool("has_jobs"))
        }
    }

    /// Records `commit` (40 hex digits) as the documented branch's newest head and asks, debounced, for its
    /// documentation. `options` turns the options of the job whose pages are shown (nil when none) into the
    /// new job's. Serialised per repository by its active job's row lock and its own; a race with a job
    /// created meanwhile through the API (which takes neither) is retried.
    public func record(
        repositoryID: String, commit: String, activeLimit: Int?, options: (JSONValue?) -> JobOptions
    ) throws -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try db.withTransaction {
                    try recordOnce(
                        repositoryID: repositoryID, commit: commit, activeLimit: activeLimit, options: options)
                }
            } catch let e as PGError
                where attempt < 3 && ["23505", "25P02", "40P01", "40001"].contains(e.sqlState ?? "")
            {
                continue
            }
        }
    }

    private func recordOnce(
        repositoryID: String, commit: String, activeLimit: Int?, options: (JSONValue?) -> JobOptions
    ) throws -> Outcome {
        let active = try lockActiveJob(repositoryID)
        guard let repo = try markRemoteCommit(repositoryID, commit), let org = repo.string("organisation_id")
        else { return .noRepository }
        var wanted = options(repo.json("documented_options"))
        wanted.commit = commit
        if let active, let jobID = active.string("id") {
            return try join(active, jobID: jobID, repositoryID: repositoryID, commit: commit, wanted: wanted)
        }
        if repo.string("documented") == commit { return .upToDate }
        let jobs = JobStore(db)
        if let activeLimit, try !jobs.lockUnderActiveLimit(organisationID: org, activeLimit) {
            return .atLimit(activeLimit)
        }
        switch try jobs.create(organisationID: org, repositoryID: repositoryID, options: wanted, triggeredBy: nil) {
        case .created(let job): return .enqueued(jobID: job.id)
        case .conflict:
            throw PGError(
                sqlState: "23505", message: "a job was queued meanwhile", statement: "push.enqueue", constraint: nil)
        }
    }

    /// The repository's active job (queued, running or paused), its row locked.
    private func lockActiveJob(_ repositoryID: String) throws -> Row? {
        // The active job's row first, then the repository's: the order in which a job's end takes them (its
        // UPDATE, then the `jobs_push_follow_up` trigger), so the two never deadlock, and a job cannot end
        // between reading it here and setting its follow-up (the trigger would miss the follow-up).
        try db.query(
            """
            SELECT id, status, attempt, options->>'commit' AS commit, resolved_commit FROM jobs
            WHERE repository_id = $1 AND status IN ('queued', 'running', 'paused') FOR UPDATE
            """, [repositoryID], name: "push.active"
        ).first
    }

    /// Records the branch's new head on the repository (locking its row); with its organisation, the
    /// documented commit and that job's options. Nil when there is no such repository.
    private func markRemoteCommit(_ repositoryID: String, _ commit: String) throws -> Row? {
        try db.query(
            """
            UPDATE repositories r SET remote_commit = $2, remote_commit_at = now() WHERE r.id = $1
            RETURNING r.organisation_id,
                      (SELECT d.resolved_commit FROM jobs d WHERE d.id = r.docs_job_id) AS documented,
                      (SELECT d.options FROM jobs d WHERE d.id = r.docs_job_id) AS documented_options
            """, [repositoryID, commit], name: "push.remote"
        ).first
    }

    /// A push while a job is active: nothing when it is at the commit already, the commit moved onto a queued
    /// job that never started, else a follow-up with `wanted` for when the job ends.
    private func join(
        _ active: Row, jobID: String, repositoryID: String, commit: String, wanted: JobOptions
    ) throws -> Outcome {
        let pinned = active.string("commit") ?? active.string("resolved_commit")
        if pinned == commit {
            try clearFollowUp(repositoryID)
            return .alreadyActive(jobID: jobID)
        }
        // A queued job that never started is moved to the commit; one that ran already (queued again for a
        // retry) keeps its commit, since its finished modules belong to it.
        if active.string("status") == "queued", active.int("attempt") == 0,
            try db.query(
                """
                UPDATE jobs SET options = options || jsonb_build_object('commit', $2::text), resolved_commit = NULL, cache_key = NULL
                WHERE id = $1 AND status = 'queued' AND attempt = 0 RETURNING id
                """, [jobID, commit], name: "push.move"
            ).first != nil
        {
            try clearFollowUp(repositoryID)
            return .moved(jobID: jobID)
        }
        try db.query(
            "UPDATE repositories SET follow_up_options = $2::jsonb WHERE id = $1",
            [repositoryID, wanted.json.serialized()],
            name: "push.follow-up.set")
        return .followUp(runningJobID: jobID)
    }

    /// The active job already covers the push: a follow-up asked for by an earlier push is not needed.
    private func clearFollowUp(_ repositoryID: String) throws {
        try db.query(
            "UPDATE repositories SET follow_up_options = NULL WHERE id = $1", [repositoryID],
            name: "push.follow-up.clear")
    }
}
