-- Shotkeeper schema. Nothing secret is ever stored here: secrets live in the
-- OS keychain (or are read from an environment variable at run time).

CREATE TABLE integrations (
    id            TEXT PRIMARY KEY,
    label         TEXT NOT NULL,
    platform      TEXT NOT NULL,
    provider      TEXT NOT NULL,
    base_url      TEXT,
    settings      TEXT NOT NULL DEFAULT '{}',   -- JSON object of non-secret settings
    secret_source TEXT NOT NULL,                -- JSON: {"kind":"keychain"} or {"kind":"env","name":"VAR"}
    is_demo       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE jobs (
    id             TEXT PRIMARY KEY,
    integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,               -- running | completed | failed | cancelled | interrupted
    list_cursor    TEXT,                        -- where the listing resumes; NULL = start
    listing_done   INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE articles (
    id            TEXT PRIMARY KEY,             -- our id (uuid)
    job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    external_id   TEXT NOT NULL,
    locale        TEXT NOT NULL DEFAULT '',     -- '' = default language document
    title         TEXT NOT NULL,
    url           TEXT NOT NULL,
    is_published  INTEGER NOT NULL,
    author        TEXT,
    tags          TEXT NOT NULL DEFAULT '[]',
    content       TEXT,
    status        TEXT NOT NULL,                -- pending | completed | failed | skipped
    error         TEXT,
    remote_created_at TEXT,
    remote_updated_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (job_id, external_id, locale)
);
CREATE INDEX articles_job_status ON articles(job_id, status);

-- One row per <img> element of an article, in document order.
CREATE TABLE article_images (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    url        TEXT NOT NULL,
    alt        TEXT NOT NULL DEFAULT '',
    width_attr INTEGER,
    height_attr INTEGER,
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_images_url ON article_images(url);

-- One row per distinct image URL of a job, once downloaded and analysed.
CREATE TABLE images (
    job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    name          TEXT NOT NULL,
    status_code   INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    size          INTEGER NOT NULL,
    hash          TEXT NOT NULL,
    phash         TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',
    thumbnail     TEXT,                         -- path relative to the data dir
    content_type  TEXT,
    last_modified TEXT,
    problem       TEXT,                         -- why the bytes are not a usable image
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (job_id, url)
);
CREATE INDEX images_job_hash ON images(job_id, hash);
