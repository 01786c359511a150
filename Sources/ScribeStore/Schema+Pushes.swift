extension Schema {
    static let v9 = """
        -- Pushes in (SPEC §5 freshness): a repository's push-webhook secret (sealed like every other secret), the
        -- newest commit of its documented branch that a push or `scribe poll` reported, and the follow-up job
        -- asked for while one was running (one at most: a later push replaces it).
        ALTER TABLE repositories
            ADD COLUMN push_secret_enc bytea,
            ADD COLUMN remote_commit text CHECK (remote_commit ~ '^[0-9a-f]{40}$'),
            ADD COLUMN remote_commit_at timestamptz,
            ADD COLUMN follow_up_options jsonb CHECK (follow_up_options IS NULL OR follow_up_options ? 'commit');
        -- A push names its repository by URL or GitHub name; only repositories with a secret can be found.
        CREATE INDEX repositories_push_by_url ON repositories (url) WHERE push_secret_enc IS NOT NULL;
        CREATE INDEX repositories_push_by_slug ON repositories (lower(github_slug)) WHERE push_secret_enc IS NOT NULL;

        -- When a job ends completed or failed, the follow-up a push asked for meanwhile is queued (unless that
        -- job documented the very commit); a cancel drops it, since the person who cancelled asked for no more
        -- work. The insert replaces the job that ended, so the organisation's cap of active jobs is not counted,
        -- and ON CONFLICT keeps a job queued meanwhile by someone else (the follow-up is then not needed).
        CREATE FUNCTION scribe_push_follow_up() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            opts jsonb;
        BEGIN
            -- Most jobs end without a follow-up: those take no lock on the repository.
            IF NOT EXISTS (SELECT 1 FROM repositories WHERE id = NEW.repository_id AND follow_up_options IS NOT NULL) THEN
                RETURN NULL;
            END IF;
            SELECT follow_up_options INTO opts FROM repositories WHERE id = NEW.repository_id FOR UPDATE;
            IF opts IS NULL THEN
                RETURN NULL;
            END IF;
            UPDATE repositories SET follow_up_options = NULL WHERE id = NEW.repository_id;
            IF NEW.status = 'cancelled' OR (NEW.status = 'completed' AND NEW.resolved_commit = opts->>'commit') THEN
                RETURN NULL;
            END IF;
            INSERT INTO jobs (organisation_id, repository_id, options, max_attempts, priority, generator, model, current_step)
            VALUES (NEW.organisation_id, NEW.repository_id, opts, coalesce((opts->>'max_retries')::int, 3) + 1,
                    coalesce((opts->>'priority')::int, 0), coalesce(opts->>'generator', 'builtin'), opts->>'model', 'Queued')
            ON CONFLICT (repository_id) WHERE status IN ('queued', 'running', 'paused') DO NOTHING;
            RETURN NULL;
        END $$;
        CREATE TRIGGER jobs_push_follow_up AFTER UPDATE OF status ON jobs FOR EACH ROW
            WHEN (NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION scribe_push_follow_up();
        """
}
