-- Audit thresholds a person chose for one help center (Images › Audit
-- settings in the desktop app; the CLI's flags override them per run).
CREATE TABLE audit_settings (
    integration_id TEXT PRIMARY KEY REFERENCES integrations(id) ON DELETE CASCADE,
    heavy_kib      INTEGER NOT NULL,
    old_days       INTEGER NOT NULL,
    updated_at     TEXT NOT NULL
);
