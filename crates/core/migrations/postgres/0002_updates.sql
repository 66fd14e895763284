-- PostgreSQL twin of migrations/sqlite 0002_updates.sql. What differs:
-- TEXT columns are COLLATE "C" (byte order, like SQLite; see 0001_init.sql)
-- and revisions has an explicit `rowid` column (below).
-- Update plans, uploads and revisions (replacing screenshots).

-- A reviewed plan: which image of which article each screenshot replaces.
CREATE TABLE plans (
    id             TEXT COLLATE "C" PRIMARY KEY,
    job_id         TEXT COLLATE "C" NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    integration_id TEXT COLLATE "C" NOT NULL,
    body           TEXT COLLATE "C" NOT NULL,                -- JSON UpdatePlan
    created_at     TEXT COLLATE "C" NOT NULL,
    applied_at     TEXT COLLATE "C"
);

-- Every image Shotkeeper uploaded, once per destination and content.
CREATE TABLE uploads (
    destination TEXT COLLATE "C" NOT NULL,                   -- integration id of the storage or help center
    sha256      TEXT COLLATE "C" NOT NULL,
    url         TEXT COLLATE "C" NOT NULL,
    cloud       TEXT COLLATE "C",                            -- JSON {upload, fileObject, bucket}
    created_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (destination, sha256)
);
CREATE INDEX uploads_url ON uploads(url);

-- The content of an article document before and after each write, kept
-- BEFORE the write is attempted: nothing is ever lost.
CREATE TABLE revisions (
    id             TEXT COLLATE "C" PRIMARY KEY,
    integration_id TEXT COLLATE "C" NOT NULL,
    plan_id        TEXT COLLATE "C",
    article_id     TEXT COLLATE "C",                          -- internal id in the import, when known
    external_id    TEXT COLLATE "C" NOT NULL,
    locale         TEXT COLLATE "C" NOT NULL DEFAULT '',
    title          TEXT COLLATE "C" NOT NULL,
    content_before TEXT COLLATE "C" NOT NULL,
    content_after  TEXT COLLATE "C" NOT NULL,
    replacements   TEXT COLLATE "C" NOT NULL DEFAULT '{}',    -- JSON {old_url: new_url}
    status         TEXT COLLATE "C" NOT NULL,                 -- pending | applied | failed | rolled_back
    error          TEXT COLLATE "C",
    rollback_of    TEXT COLLATE "C",                          -- set on the revision a rollback wrote
    created_at     TEXT COLLATE "C" NOT NULL,
    applied_at     TEXT COLLATE "C",
    -- Insertion order: the Rust code breaks ties between revisions written
    -- in the same instant with SQLite's implicit rowid (`ORDER BY
    -- created_at DESC, rowid DESC`: the newest first). PostgreSQL has no
    -- rowid, so the column is spelled out under that name.
    rowid          BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX revisions_article ON revisions(integration_id, external_id, locale);
