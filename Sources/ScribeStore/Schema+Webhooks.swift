extension Schema {
    static let v8 = """
        -- Webhooks out: an organisation's (every repository) or one repository's. The secret is sealed like
        -- every other (SecretBox, SCRIBE_SECRET_KEY) and never read back by the API.
        CREATE TABLE webhooks (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
            repository_id uuid REFERENCES repositories (id) ON DELETE CASCADE,
            url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
            secret_enc bytea NOT NULL,
            created_by uuid REFERENCES users (id) ON DELETE SET NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX webhooks_by_organisation ON webhooks (organisation_id, created_at, id);
        CREATE INDEX webhooks_by_repository ON webhooks (repository_id) WHERE repository_id IS NOT NULL;

        -- One row per (webhook, final state of a job): written by the trigger below in the transaction that
        -- makes the job final, so no ending is missed whoever dies when. `payload` is the job as it ended.
        CREATE TABLE webhook_deliveries (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
            job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            job_finished_at timestamptz NOT NULL,
            event text NOT NULL CHECK (event IN ('job.completed', 'job.failed', 'job.cancelled')),
            payload jsonb NOT NULL,
            status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
            attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            last_status int,
            last_error text CHECK (length(last_error) <= 2048),
            created_at timestamptz NOT NULL DEFAULT now(),
            first_attempt_at timestamptz,
            last_attempt_at timestamptz,
            next_attempt_at timestamptz DEFAULT now(),
            -- A sender's claim: nobody else sends the row before this time (a sender that died gives it up then).
            locked_until timestamptz,
            delivered_at timestamptz,
            CONSTRAINT webhook_deliveries_once UNIQUE (webhook_id, job_id, job_finished_at),
            CONSTRAINT webhook_deliveries_pending_has_next CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
            CONSTRAINT webhook_deliveries_delivered_at CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
        CREATE INDEX webhook_deliveries_by_job ON webhook_deliveries (job_id);

        CREATE FUNCTION scribe_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO webhook_deliveries (webhook_id, job_id, job_finished_at, event, payload)
            SELECT w.id, NEW.id, NEW.finished_at, 'job.' || NEW.status, jsonb_build_object(
                'job_id', NEW.id, 'repository_id', NEW.repository_id, 'repository_url', r.url, 'status', NEW.status,
                'partial', NEW.status = 'completed' AND NEW.failed_objects > 0,
                'processed_objects', NEW.processed_objects, 'failed_objects', NEW.failed_objects,
                'total_objects', NEW.total_objects, 'error_message', NEW.error_message,
                'resolved_commit', NEW.resolved_commit, 'finished_at', scribe_ts(NEW.finished_at))
            FROM webhooks w JOIN repositories r ON r.id = NEW.repository_id
            WHERE w.organisation_id = NEW.organisation_id AND (w.repository_id IS NULL OR w.repository_id = NEW.repository_id)
            ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING;
            RETURN NULL;
        END $$;
        CREATE TRIGGER jobs_webhook_deliveries AFTER UPDATE OF status ON jobs FOR EACH ROW
            WHEN (NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION scribe_webhook_deliveries();
        """
}
