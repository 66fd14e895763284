-- PostgreSQL twin of migrations/sqlite 0010_job_leases.sql: job leases
-- (`runner`, `lease_until` in milliseconds on the database's clock), a
-- cancel request for a job another process runs, one active import per
-- integration enforced by a unique index, and the live `serve` replicas.
ALTER TABLE jobs ADD COLUMN runner TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN lease_until BIGINT;
ALTER TABLE jobs ADD COLUMN cancel_requested BIGINT NOT NULL DEFAULT 0;

UPDATE jobs SET status = 'interrupted' WHERE status = 'running';

CREATE UNIQUE INDEX jobs_one_active_per_integration
    ON jobs (integration_id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_by_status ON jobs (status, created_at);

CREATE TABLE replicas (
    id         TEXT COLLATE "C" PRIMARY KEY,
    host       TEXT COLLATE "C" NOT NULL,
    pid        BIGINT NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    last_seen  BIGINT NOT NULL
);
