-- The team key's check (issue 15, part 3: shared secrets without sharing
-- plaintext). In team mode integration secrets are sealed in
-- `sealed_secrets` under one team key that every member holds outside the
-- database (OS keychain or key file). The key itself is never stored here;
-- this one row lets a member's copy be told right from wrong without it:
-- `key_id` is a digest of the key (`crate::sealed::SealingKey::id`) and the
-- check is a fixed text sealed under the key (ChaCha20-Poly1305, like the
-- secrets), which only the right key opens. Rotating the key rewrites this
-- row and every sealed secret in one transaction.
CREATE TABLE team_key (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    key_id           TEXT NOT NULL,
    check_nonce      BLOB NOT NULL,
    check_ciphertext BLOB NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    rotated_at       TEXT,
    rotated_by       TEXT
);
