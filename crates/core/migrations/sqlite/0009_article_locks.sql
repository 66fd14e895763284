-- Who is writing which article right now. Applying a plan reads an
-- article, rewrites it and writes it back; two people (or two processes)
-- doing that to one article at once would each write over the other's
-- change. A row here is held for that read-rewrite-write and removed after;
-- a holder that died stops holding it at `expires_at`.
CREATE TABLE article_locks (
    integration_id TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    locale         TEXT NOT NULL,     -- '' = default language document
    holder         TEXT NOT NULL,     -- a token of the holding write
    held_by        TEXT NOT NULL,     -- the person's name, for "Ana is updating it"
    expires_at     TEXT NOT NULL,     -- RFC 3339 UTC, compared as text
    PRIMARY KEY (integration_id, external_id, locale)
);
