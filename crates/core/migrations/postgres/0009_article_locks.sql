-- PostgreSQL twin of migrations/sqlite 0009_article_locks.sql: who is
-- writing which article right now (held for one read-rewrite-write of the
-- article, removed after; a dead holder's row ends at `expires_at`).
CREATE TABLE article_locks (
    integration_id TEXT COLLATE "C" NOT NULL,
    external_id    TEXT COLLATE "C" NOT NULL,
    locale         TEXT COLLATE "C" NOT NULL,
    holder         TEXT COLLATE "C" NOT NULL,
    held_by        TEXT COLLATE "C" NOT NULL,
    expires_at     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (integration_id, external_id, locale)
);
