/// The SQL of each migration. Never edit a released one: add a new version.
enum Schema {
    static let v1 = """
        CREATE FUNCTION scribe_ts(t timestamptz) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE
            AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

        CREATE TABLE organisations (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
            llm_base_url text,
            llm_model text,
            llm_key_enc bytea,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
            email text NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 320),
            role text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
            github_token_enc bytea,
            created_at timestamptz NOT NULL DEFAULT now()
        );

        -- API tokens are random and stored as SHA-256 digests only.
        CREATE TABLE api_tokens (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz
        );

        CREATE TABLE repositories (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
            url text NOT NULL,
            branch text,
            name text NOT NULL,
            github_slug text,
            description text,
            default_branch text,
            docs_job_id uuid,
            created_by uuid REFERENCES users (id) ON DELETE SET NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX repositories_unique_url ON repositories (organisation_id, url, coalesce(branch, ''));

        CREATE TABLE jobs (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
            repository_id uuid NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
            status text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled')),
            progress int NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
            current_step text,
            current_object text,
            processed_objects int NOT NULL DEFAULT 0 CHECK (processed_objects >= 0),
            failed_objects int NOT NULL DEFAULT 0 CHECK (failed_objects >= 0),
            total_objects int NOT NULL DEFAULT 0 CHECK (total_objects >= 0),
            attempt int NOT NULL DEFAULT 0 CHECK (attempt >= 0),
            max_attempts int NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 11),
            lease_token uuid,
            worker_pid int,
            worker_host text,
            priority int NOT NULL DEFAULT 0,
            run_after timestamptz NOT NULL DEFAULT now(),
            created_at timestamptz NOT NULL DEFAULT now(),
            started_at timestamptz,
            heartbeat_at timestamptz,
            finished_at timestamptz,
            estimated_completion_at timestamptz,
            error_message text,
            error_log jsonb NOT NULL DEFAULT '[]',
            options jsonb NOT NULL DEFAULT '{}',
            resolved_commit text,
            cache_key text,
            cache_hit boolean NOT NULL DEFAULT false,
            docs_path text,
            generator text NOT NULL DEFAULT 'builtin',
            model text,
            prompt_tokens bigint NOT NULL DEFAULT 0,
            completion_tokens bigint NOT NULL DEFAULT 0,
            cost_estimated_usd numeric(14, 6),
            cost_actual_usd numeric(14, 6) NOT NULL DEFAULT 0,
            triggered_by uuid REFERENCES users (id) ON DELETE SET NULL,
            pause_requested boolean NOT NULL DEFAULT false,
            cancel_requested boolean NOT NULL DEFAULT false,
            version bigint NOT NULL DEFAULT 1,
            CONSTRAINT jobs_terminal_has_finished_at
                CHECK ((status IN ('queued', 'running', 'paused')) = (finished_at IS NULL)),
            CONSTRAINT jobs_failed_has_error_message CHECK (status <> 'failed' OR error_message IS NOT NULL),
            CONSTRAINT jobs_running_has_lease CHECK (status <> 'running' OR (lease_token IS NOT NULL AND heartbeat_at IS NOT NULL))
        );
        -- Invariant 1: at most one active job per repository, atomically, whatever the concurrency.
        CREATE UNIQUE INDEX jobs_one_active_per_repository ON jobs (repository_id)
            WHERE status IN ('queued', 'running', 'paused');
        CREATE INDEX jobs_claimable ON jobs (priority DESC, run_after, created_at) WHERE status = 'queued';
        CREATE INDEX jobs_running ON jobs (heartbeat_at) WHERE status = 'running';
        CREATE INDEX jobs_by_repository ON jobs (repository_id, created_at DESC);
        CREATE INDEX jobs_by_organisation ON jobs (organisation_id, created_at DESC);

        ALTER TABLE repositories ADD CONSTRAINT repositories_docs_job
            FOREIGN KEY (docs_job_id) REFERENCES jobs (id) ON DELETE SET NULL;

        -- One row per documented object (module): the checkpoint that resume uses.
        CREATE TABLE job_objects (
            job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            path text NOT NULL,
            position int NOT NULL DEFAULT 0,
            status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
            attempt int NOT NULL DEFAULT 0,
            runs int NOT NULL DEFAULT 0,
            fingerprint text,
            error text,
            duration_ms int,
            prompt_tokens bigint NOT NULL DEFAULT 0,
            completion_tokens bigint NOT NULL DEFAULT 0,
            cost_usd numeric(14, 6) NOT NULL DEFAULT 0,
            started_at timestamptz,
            finished_at timestamptz,
            PRIMARY KEY (job_id, path)
        );

        CREATE TABLE job_events (
            seq bigserial PRIMARY KEY,
            job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            at timestamptz NOT NULL DEFAULT clock_timestamp(),
            attempt int NOT NULL DEFAULT 0,
            kind text NOT NULL CHECK (kind IN ('step', 'object', 'info', 'error')),
            level text NOT NULL DEFAULT 'info' CHECK (level IN ('info', 'warning', 'error')),
            message text NOT NULL,
            object text,
            layer text,
            status text,
            tokens bigint,
            duration_ms int
        );
        CREATE INDEX job_events_by_job ON job_events (job_id, seq);

        -- The docs index: the pages each completed job wrote.
        CREATE TABLE doc_pages (
            job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            path text NOT NULL,
            title text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('overview', 'module', 'asset', 'index')),
            module text,
            content_type text NOT NULL DEFAULT 'text/markdown; charset=utf-8',
            PRIMARY KEY (job_id, path)
        );

        -- Every change but a bare heartbeat gets a new version: the ETag that cheap polling relies on.
        CREATE FUNCTION scribe_jobs_version() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            probe jobs;
        BEGIN
            probe := NEW;
            probe.heartbeat_at := OLD.heartbeat_at;
            probe.version := OLD.version;
            IF probe IS DISTINCT FROM OLD THEN
                NEW.version := OLD.version + 1;
            ELSE
                NEW.version := OLD.version;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER jobs_version BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION scribe_jobs_version();

        -- Listeners (the API's version cache, dispatchers, the job's own worker) learn of changes at once.
        CREATE FUNCTION scribe_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' OR NEW.version <> OLD.version THEN
                PERFORM pg_notify('\(JobChannel.name)', \(JobChannel.payloadExpression));
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION scribe_jobs_notify();
        """

    static let v2 = """
        -- Names an LLM answer used that the analysis does not contain (flagged ⚠️ in the pages).
        ALTER TABLE jobs ADD COLUMN unverified_mentions int NOT NULL DEFAULT 0;
        ALTER TABLE job_objects ADD COLUMN unverified_mentions int NOT NULL DEFAULT 0;
        """

    static let v3 = """
        -- A request of a cheap model costs millionths of a dollar: keep its cost exact enough to add up.
        ALTER TABLE jobs ALTER COLUMN cost_actual_usd TYPE numeric(20, 10), ALTER COLUMN cost_estimated_usd TYPE numeric(20, 10);
        ALTER TABLE job_objects ALTER COLUMN cost_usd TYPE numeric(20, 10);
        """

    static let v4 = """
        -- Microseconds, as PostgreSQL stores them: a page cursor in milliseconds could skip jobs.
        -- STABLE like to_char itself, so that the planner inlines it (an IMMUTABLE wrapper around a
        -- STABLE function is called through the SQL-function executor: 8 times slower per row).
        CREATE OR REPLACE FUNCTION scribe_ts(t timestamptz) RETURNS text
            LANGUAGE sql STABLE PARALLEL SAFE
            AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;
        """

    static let v5 = """
        -- Fair claims: the dispatcher serves the organisation with the fewest running jobs first and, among
        -- equals, the one served longest ago (round-robin), so one organisation's backlog cannot hold back
        -- another's jobs by more than one job's slot.
        ALTER TABLE organisations ADD COLUMN last_claimed_at timestamptz;
        -- Counting an organisation's active jobs (the per-organisation cap) and running jobs (the fair claim).
        CREATE INDEX jobs_active_by_organisation ON jobs (organisation_id, status)
            WHERE status IN ('queued', 'running', 'paused');
        """

    static let v6 = """
        -- Lists paged by a key (no list answer grows with the organisation): each order has an index that
        -- serves it without a sort, the id breaking ties so a cursor is exact.
        DROP INDEX jobs_by_organisation;
        CREATE INDEX jobs_by_organisation ON jobs (organisation_id, created_at DESC, id DESC);
        CREATE INDEX jobs_by_organisation_status ON jobs (organisation_id, status, created_at DESC, id DESC);
        DROP INDEX jobs_by_repository;
        CREATE INDEX jobs_by_repository ON jobs (repository_id, created_at DESC, id DESC);
        CREATE INDEX repositories_by_organisation ON repositories (organisation_id, created_at, id);
        CREATE INDEX job_objects_in_order ON job_objects (job_id, position, path);
        CREATE INDEX doc_pages_in_order ON doc_pages (job_id, (kind <> 'overview'), path);

        -- Job counts by organisation and state, kept by the database itself, so that the metrics read a
        -- handful of rows instead of counting the whole history. Statement-level triggers add up each
        -- statement's changes and apply them in key order, so two transactions never lock counters in
        -- opposite orders (no deadlock between, say, a claim and a rescue).
        CREATE TABLE job_counts (
            organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
            status text NOT NULL,
            n bigint NOT NULL,
            PRIMARY KEY (organisation_id, status)
        );
        CREATE FUNCTION scribe_job_counts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO job_counts AS c (organisation_id, status, n)
                SELECT organisation_id, status, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (organisation_id, status) DO UPDATE SET n = c.n + excluded.n;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO job_counts AS c (organisation_id, status, n)
                SELECT organisation_id, status, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (organisation_id, status) DO UPDATE SET n = c.n + excluded.n;
            ELSE
                INSERT INTO job_counts AS c (organisation_id, status, n)
                SELECT organisation_id, status, sum(d) FROM (
                    SELECT o.organisation_id, o.status, -1 AS d FROM old_rows o JOIN new_rows x ON x.id = o.id
                    WHERE x.status <> o.status
                    UNION ALL
                    SELECT x.organisation_id, x.status, 1 FROM old_rows o JOIN new_rows x ON x.id = o.id
                    WHERE x.status <> o.status
                ) moved GROUP BY 1, 2 ORDER BY 1, 2
                ON CONFLICT (organisation_id, status) DO UPDATE SET n = c.n + excluded.n;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION scribe_job_counts();
        CREATE TRIGGER jobs_count_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION scribe_job_counts();
        CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION scribe_job_counts();
        LOCK TABLE jobs IN SHARE MODE;
        INSERT INTO job_counts (organisation_id, status, n) SELECT organisation_id, status, count(*) FROM jobs GROUP BY 1, 2;
        """

    static let v7 = """
        -- Pages live in the database, so that any host serves any page (SPEC §8). Contents are stored once per
        -- SHA-256 (a cache hit and an unchanged module share them); the CHECK makes the hash the content's own,
        -- so the ETag derived from it is the same on every host and a host cache can be checked against it.
        CREATE TABLE page_contents (
            hash text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
            size int NOT NULL CHECK (size >= 0),
            content bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT page_contents_hash_is_sha256 CHECK (hash = encode(sha256(content), 'hex')),
            CONSTRAINT page_contents_size CHECK (size = octet_length(content))
        );
        -- NULL only for pages written before this migration, still on the disk of the host that wrote them
        -- until `scribe pages import` reads them in.
        ALTER TABLE doc_pages ADD COLUMN content_hash text REFERENCES page_contents (hash),
                              ADD COLUMN size int CHECK (size >= 0);
        CREATE INDEX doc_pages_by_content ON doc_pages (content_hash);
        -- Retention walks a repository's completed jobs, newest first.
        CREATE INDEX jobs_completed_by_repository ON jobs (repository_id, finished_at DESC) WHERE status = 'completed';
        """
}
