-- PostgreSQL twin of migrations/sqlite 0005_api_keys_and_sealed_secrets.sql.
-- What differs: BLOB -> BYTEA, TEXT columns COLLATE "C" (see 0001_init.sql),
-- and api_keys has an explicit `rowid` column (below).
-- Keys of the local REST API (`shotkeeper serve`). Only the SHA-256 of a key
-- is kept: the key itself is shown once when it is created.
CREATE TABLE api_keys (
    id           TEXT COLLATE "C" PRIMARY KEY,
    label        TEXT COLLATE "C" NOT NULL,
    key_hash     TEXT COLLATE "C" NOT NULL UNIQUE,   -- lowercase hex SHA-256 of the whole key
    prefix       TEXT COLLATE "C" NOT NULL,          -- first characters, so a person can tell keys apart
    created_at   TEXT COLLATE "C" NOT NULL,
    last_used_at TEXT COLLATE "C",
    revoked_at   TEXT COLLATE "C",
    -- Insertion order: the key list is `ORDER BY created_at DESC, rowid
    -- DESC` (SQLite's implicit rowid breaks ties between keys made in the
    -- same instant). PostgreSQL has no rowid, so the column is spelled out.
    rowid        BIGINT GENERATED ALWAYS AS IDENTITY
);

-- Secrets of integrations on machines without an OS keychain (headless
-- servers): sealed with ChaCha20-Poly1305 under a key that is never stored
-- here (SHOTKEEPER_SECRET_KEY or a key file). Only nonce and ciphertext.
CREATE TABLE sealed_secrets (
    integration_id TEXT COLLATE "C" PRIMARY KEY,
    nonce          BYTEA NOT NULL,
    ciphertext     BYTEA NOT NULL,
    updated_at     TEXT COLLATE "C" NOT NULL
);
