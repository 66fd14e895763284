-- PostgreSQL twin of migrations/sqlite 0011_team_key.sql: the one-row check
-- of the team key (never the key), so a member's copy can be told right from
-- wrong. What differs: BLOB -> BYTEA, TEXT columns COLLATE "C" (see 0001_init.sql).
CREATE TABLE team_key (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    key_id           TEXT COLLATE "C" NOT NULL,
    check_nonce      BYTEA NOT NULL,
    check_ciphertext BYTEA NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    created_by       TEXT COLLATE "C" NOT NULL,
    rotated_at       TEXT COLLATE "C",
    rotated_by       TEXT COLLATE "C"
);
