-- Keys of the local REST API (`shotkeeper serve`). Only the SHA-256 of a key
-- is kept: the key itself is shown once when it is created.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    label        TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,   -- lowercase hex SHA-256 of the whole key
    prefix       TEXT NOT NULL,          -- first characters, so a person can tell keys apart
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- Secrets of integrations on machines without an OS keychain (headless
-- servers): sealed with ChaCha20-Poly1305 under a key that is never stored
-- here (SHOTKEEPER_SECRET_KEY or a key file). Only nonce and ciphertext.
CREATE TABLE sealed_secrets (
    integration_id TEXT PRIMARY KEY,
    nonce          BLOB NOT NULL,
    ciphertext     BLOB NOT NULL,
    updated_at     TEXT NOT NULL
);
