//! The `team_key` table: the one-row check of the team key (its id and a
//! fixed text sealed under it, never the key), who made it and who rotated
//! it last. Sealing, opening and the rules are in `crate::team_key`.

use sqlx::{Any, Transaction};

use crate::db::sealed_secrets::SealedRow;
use crate::db::{engine, now, Engine, Pool};
use crate::error::Result;

/// The team key's check as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyCheckRow {
    pub key_id: String,
    pub check_nonce: Vec<u8>,
    pub check_ciphertext: Vec<u8>,
    pub created_at: String,
    pub created_by: String,
    pub rotated_at: Option<String>,
    pub rotated_by: Option<String>,
}

impl KeyCheckRow {
    pub fn sealed_check(&self) -> SealedRow {
        SealedRow {
            nonce: self.check_nonce.clone(),
            ciphertext: self.check_ciphertext.clone(),
        }
    }
}

const COLUMNS: &str =
    "key_id, check_nonce, check_ciphertext, created_at, created_by, rotated_at, rotated_by";

pub async fn get(pool: &Pool) -> Result<Option<KeyCheckRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM team_key WHERE id = 1"))
            .fetch_optional(pool)
            .await?,
    )
}

/// The check inside `tx`, locked against a rotation for the rest of the
/// transaction on PostgreSQL: `FOR UPDATE` (a rotation) or `FOR SHARE` (a
/// secret being sealed, which must not slip in under the old key while a
/// rotation rewrites the others). SQLite runs one writer at a time anyway.
pub async fn get_locked(
    tx: &mut Transaction<'_, Any>,
    pool: &Pool,
    exclusive: bool,
) -> Result<Option<KeyCheckRow>> {
    let lock = match (engine(pool), exclusive) {
        (Engine::Sqlite, _) => "",
        (Engine::Postgres, true) => " FOR UPDATE",
        (Engine::Postgres, false) => " FOR SHARE",
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM team_key WHERE id = 1{lock}"
    ))
    .fetch_optional(&mut **tx)
    .await?)
}

/// Records the first check; `false` when another member recorded one first
/// (the caller then reads theirs).
pub async fn insert_if_absent(
    pool: &Pool,
    key_id: &str,
    check: &SealedRow,
    created_by: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO team_key (id, key_id, check_nonce, check_ciphertext, created_at, created_by)
         VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
    )
    .bind(key_id)
    .bind(&check.nonce)
    .bind(&check.ciphertext)
    .bind(now())
    .bind(created_by)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes the check (only ever a check just recorded whose key could not
/// be kept anywhere, so that nobody is left with a key no one holds).
pub async fn delete_if(pool: &Pool, key_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM team_key WHERE id = 1 AND key_id = $1")
        .bind(key_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Writes the check of a rotated key inside the rotation's transaction.
pub async fn rotate(
    tx: &mut Transaction<'_, Any>,
    key_id: &str,
    check: &SealedRow,
    rotated_by: &str,
) -> Result<()> {
    let ts = now();
    sqlx::query(
        "INSERT INTO team_key (id, key_id, check_nonce, check_ciphertext, created_at, created_by, rotated_at, rotated_by)
         VALUES (1, $1, $2, $3, $4, $5, $4, $5)
         ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id,
            check_nonce = excluded.check_nonce, check_ciphertext = excluded.check_ciphertext,
            rotated_at = excluded.rotated_at, rotated_by = excluded.rotated_by",
    )
    .bind(key_id)
    .bind(&check.nonce)
    .bind(&check.ciphertext)
    .bind(&ts)
    .bind(rotated_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One sealed secret with its integration's label, for a rotation.
#[derive(sqlx::FromRow)]
pub struct SealedSecret {
    pub integration_id: String,
    pub label: Option<String>,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

pub async fn all_sealed(tx: &mut Transaction<'_, Any>) -> Result<Vec<SealedSecret>> {
    Ok(sqlx::query_as(
        "SELECT s.integration_id, i.label, s.nonce, s.ciphertext
         FROM sealed_secrets s LEFT JOIN integrations i ON i.id = s.integration_id
         ORDER BY s.integration_id",
    )
    .fetch_all(&mut **tx)
    .await?)
}

pub async fn count_sealed(pool: &Pool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sealed_secrets")
        .fetch_one(pool)
        .await?)
}

/// Replaces one sealed secret inside a transaction (a rotation, or a secret
/// sealed after its key was checked).
pub async fn put_sealed(
    tx: &mut Transaction<'_, Any>,
    integration_id: &str,
    sealed: &SealedRow,
) -> Result<()> {
    super::sealed_secrets::put(&mut **tx, integration_id, sealed).await
}
