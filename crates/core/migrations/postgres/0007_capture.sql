-- PostgreSQL twin of migrations/sqlite 0007_capture.sql; only the columns'
-- collation differs (COLLATE "C", byte order like SQLite; see 0001_init.sql).
-- Scenarios files (shots.toml) opened in the desktop's Capture view, so the
-- view opens the last one again on the next start. Only the path: the file
-- itself is read again every time, so an edit is never hidden by a copy.
CREATE TABLE capture_files (
    path      TEXT COLLATE "C" PRIMARY KEY,
    opened_at TEXT COLLATE "C" NOT NULL
);

-- Capture's settings: one row per setting (today `browser`, the Chromium
-- or Chrome executable chosen in Settings, when not the one on PATH).
CREATE TABLE capture_settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);
