-- Settings a whole team shares on its database (today: which S3/R2
-- storage integration keeps the team's thumbnails and screenshots).
CREATE TABLE team_settings (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_by TEXT,
    updated_at TEXT NOT NULL
);
