-- Scenarios files (shots.toml) opened in the desktop's Capture view, so the
-- view opens the last one again on the next start. Only the path: the file
-- itself is read again every time, so an edit is never hidden by a copy.
CREATE TABLE capture_files (
    path      TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL
);

-- Capture's settings: one row per setting (today `browser`, the Chromium
-- or Chrome executable chosen in Settings, when not the one on PATH).
CREATE TABLE capture_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
