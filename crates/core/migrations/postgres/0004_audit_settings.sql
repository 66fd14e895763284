-- PostgreSQL twin of migrations/sqlite 0004_audit_settings.sql. What
-- differs: INTEGER -> BIGINT, TEXT columns COLLATE "C" (see 0001_init.sql).
-- Audit thresholds a person chose for one help center (Images › Audit
-- settings in the desktop app; the CLI's flags override them per run).
CREATE TABLE audit_settings (
    integration_id TEXT COLLATE "C" PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
    heavy_kib      BIGINT NOT NULL,
    old_days       BIGINT NOT NULL,
    updated_at     TEXT COLLATE "C" NOT NULL
);
