-- Who runs which import job, so that several processes sharing one database
-- (two `shotkeeper serve` replicas, a desktop app and a CLI) never run the
-- same job twice, and a job whose process died is taken over.
--
-- A process runs a job only while it holds the job's lease: `runner` names
-- the process, `lease_until` (milliseconds since 1970 on the database's
-- clock, so machines whose clocks differ agree) is when the lease ends
-- unless the runner renews it. A `running` job whose lease ended was left by
-- a process that died: it reads as interrupted, and a server takes it over.
ALTER TABLE jobs ADD COLUMN runner TEXT;
ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
-- Set by whoever asks to cancel a job another process runs; the runner sees
-- it when it renews its lease, and stops.
ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;

-- Jobs left `running` before leases existed had a process that is gone (the
-- version that wrote them marked them interrupted on every open).
UPDATE jobs SET status = 'interrupted' WHERE status = 'running';

-- One import of an integration at a time, whoever starts it: a second
-- `queued` or `running` job of the same integration is refused by the
-- database itself, across processes and machines.
CREATE UNIQUE INDEX jobs_one_active_per_integration
    ON jobs (integration_id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_by_status ON jobs (status, created_at);

-- The `shotkeeper serve` processes working on this database, each renewing
-- `last_seen` while it runs: a server stopping hands its jobs to the others
-- only when one is alive.
CREATE TABLE replicas (
    id         TEXT PRIMARY KEY,   -- the runner name its jobs carry
    host       TEXT NOT NULL,
    pid        INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    last_seen  INTEGER NOT NULL    -- milliseconds since 1970, database clock
);
