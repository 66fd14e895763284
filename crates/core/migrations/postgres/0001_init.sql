-- PostgreSQL twin of migrations/sqlite 0001_init.sql (same tables, columns,
-- keys, indexes, defaults and ON DELETE CASCADE foreign keys). What differs,
-- so that the same SQL works on both engines through sqlx::Any:
-- * INTEGER -> BIGINT (0/1 flags too: the Rust code reads them as i64 on
--   both engines, and sqlx::Any has no way to read a BOOLEAN as a number).
-- * TEXT columns are COLLATE "C": SQLite compares and orders text byte by
--   byte (its BINARY collation), whatever locale the team's server was
--   initialised with (Debian's default cluster takes the system locale,
--   e.g. en_US.UTF-8, which orders 'B' between 'a' and 'c').
-- * articles has an explicit `rowid` column; see below.
-- Nothing secret is ever stored here: secrets live in the OS keychain (or are
-- read from an environment variable at run time).

CREATE TABLE integrations (
    id            TEXT COLLATE "C" PRIMARY KEY,
    label         TEXT COLLATE "C" NOT NULL,
    platform      TEXT COLLATE "C" NOT NULL,
    provider      TEXT COLLATE "C" NOT NULL,
    base_url      TEXT COLLATE "C",
    settings      TEXT COLLATE "C" NOT NULL DEFAULT '{}',   -- JSON object of non-secret settings
    secret_source TEXT COLLATE "C" NOT NULL,                -- JSON: {"kind":"keychain"} or {"kind":"env","name":"VAR"}
    is_demo       BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT COLLATE "C" NOT NULL,
    updated_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE jobs (
    id             TEXT COLLATE "C" PRIMARY KEY,
    integration_id TEXT COLLATE "C" NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    name           TEXT COLLATE "C" NOT NULL,
    status         TEXT COLLATE "C" NOT NULL,               -- running | completed | failed | cancelled | interrupted
    list_cursor    TEXT COLLATE "C",                        -- where the listing resumes; NULL = start
    listing_done   BIGINT NOT NULL DEFAULT 0,
    error          TEXT COLLATE "C",
    created_at     TEXT COLLATE "C" NOT NULL,
    updated_at     TEXT COLLATE "C" NOT NULL
);

CREATE TABLE articles (
    id            TEXT COLLATE "C" PRIMARY KEY,             -- our id (uuid)
    job_id        TEXT COLLATE "C" NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    external_id   TEXT COLLATE "C" NOT NULL,
    locale        TEXT COLLATE "C" NOT NULL DEFAULT '',     -- '' = default language document
    title         TEXT COLLATE "C" NOT NULL,
    url           TEXT COLLATE "C" NOT NULL,
    is_published  BIGINT NOT NULL,
    author        TEXT COLLATE "C",
    tags          TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    content       TEXT COLLATE "C",
    status        TEXT COLLATE "C" NOT NULL,                -- pending | completed | failed | skipped
    error         TEXT COLLATE "C",
    remote_created_at TEXT COLLATE "C",
    remote_updated_at TEXT COLLATE "C",
    created_at    TEXT COLLATE "C" NOT NULL,
    updated_at    TEXT COLLATE "C" NOT NULL,
    -- Insertion order. The Rust code lists a job's articles in SQLite's
    -- implicit rowid order (the help center's listing order) and pages the
    -- import with `rowid > $2 ORDER BY rowid`; PostgreSQL has no rowid, so
    -- the column is spelled out under that name (not a reserved word) and the
    -- same SQL means the same on both engines. Values only ever grow; an
    -- `ON CONFLICT DO NOTHING` that skips a row still uses one up (gaps).
    rowid         BIGINT GENERATED ALWAYS AS IDENTITY,
    UNIQUE (job_id, external_id, locale)
);
CREATE INDEX articles_job_status ON articles(job_id, status);
-- The import's paging (`WHERE job_id = $1 ... AND rowid > $2 ORDER BY rowid`)
-- and the job views' `WHERE job_id = $1 ORDER BY rowid`; SQLite gets this
-- for free because its rowid is the table's own b-tree key.
CREATE INDEX articles_job_rowid ON articles(job_id, rowid);

-- One row per <img> element of an article, in document order.
CREATE TABLE article_images (
    article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    url        TEXT COLLATE "C" NOT NULL,
    alt        TEXT COLLATE "C" NOT NULL DEFAULT '',
    width_attr BIGINT,
    height_attr BIGINT,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_images_url ON article_images(url);

-- One row per distinct image URL of a job, once downloaded and analysed.
CREATE TABLE images (
    job_id        TEXT COLLATE "C" NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    url           TEXT COLLATE "C" NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    status_code   BIGINT NOT NULL,
    kind          TEXT COLLATE "C" NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    size          BIGINT NOT NULL,
    hash          TEXT COLLATE "C" NOT NULL,
    phash         TEXT COLLATE "C",
    metadata      TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    thumbnail     TEXT COLLATE "C",                         -- path relative to the data dir
    content_type  TEXT COLLATE "C",
    last_modified TEXT COLLATE "C",
    problem       TEXT COLLATE "C",                         -- why the bytes are not a usable image
    fetched_at    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (job_id, url)
);
CREATE INDEX images_job_hash ON images(job_id, hash);
