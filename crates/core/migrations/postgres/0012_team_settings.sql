-- PostgreSQL twin of migrations/sqlite 0012_team_settings.sql: settings a
-- whole team shares (which S3/R2 storage integration keeps the team's
-- thumbnails and screenshots).
CREATE TABLE team_settings (
    name       TEXT COLLATE "C" PRIMARY KEY,
    value      TEXT COLLATE "C" NOT NULL,
    updated_by TEXT COLLATE "C",
    updated_at TEXT COLLATE "C" NOT NULL
);
