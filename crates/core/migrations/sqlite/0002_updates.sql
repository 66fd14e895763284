-- Update plans, uploads and revisions (replacing screenshots).

-- A reviewed plan: which image of which article each screenshot replaces.
CREATE TABLE plans (
    id             TEXT PRIMARY KEY,
    job_id         TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    body           TEXT NOT NULL,                -- JSON UpdatePlan
    created_at     TEXT NOT NULL,
    applied_at     TEXT
);

-- Every image Shotkeeper uploaded, once per destination and content.
CREATE TABLE uploads (
    destination TEXT NOT NULL,                   -- integration id of the storage or help center
    sha256      TEXT NOT NULL,
    url         TEXT NOT NULL,
    cloud       TEXT,                            -- JSON {upload, fileObject, bucket}
    created_at  TEXT NOT NULL,
    PRIMARY KEY (destination, sha256)
);
CREATE INDEX uploads_url ON uploads(url);

-- The content of an article document before and after each write, kept
-- BEFORE the write is attempted: nothing is ever lost.
CREATE TABLE revisions (
    id             TEXT PRIMARY KEY,
    integration_id TEXT NOT NULL,
    plan_id        TEXT,
    article_id     TEXT,                          -- internal id in the import, when known
    external_id    TEXT NOT NULL,
    locale         TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    content_before TEXT NOT NULL,
    content_after  TEXT NOT NULL,
    replacements   TEXT NOT NULL DEFAULT '{}',    -- JSON {old_url: new_url}
    status         TEXT NOT NULL,                 -- pending | applied | failed | rolled_back
    error          TEXT,
    rollback_of    TEXT,                          -- set on the revision a rollback wrote
    created_at     TEXT NOT NULL,
    applied_at     TEXT
);
CREATE INDEX revisions_article ON revisions(integration_id, external_id, locale);
