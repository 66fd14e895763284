//! The `api_keys` table: the local REST API's keys, stored as SHA-256 hex
//! (never the key), with when each was created, last used and revoked.

use crate::db::Pool;

use crate::api_keys::ApiKeyInfo;
use crate::error::Result;

const INFO_COLUMNS: &str = "id, label, prefix, created_at, last_used_at, revoked_at";

pub async fn insert(pool: &Pool, info: &ApiKeyInfo, key_hash: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_keys (id, label, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&info.id)
    .bind(&info.label)
    .bind(key_hash)
    .bind(&info.prefix)
    .bind(&info.created_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Every key, newest first, revoked ones included.
pub async fn list(pool: &Pool) -> Result<Vec<ApiKeyInfo>> {
    let sql = format!("SELECT {INFO_COLUMNS} FROM api_keys ORDER BY created_at DESC, rowid DESC");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

pub async fn get(pool: &Pool, id: &str) -> Result<Option<ApiKeyInfo>> {
    let sql = format!("SELECT {INFO_COLUMNS} FROM api_keys WHERE id = $1");
    Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?)
}

/// Marks a live key revoked at `at`; a revoked or unknown key is unchanged.
pub async fn revoke(pool: &Pool, id: &str, at: &str) -> Result<()> {
    sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(at)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// `(id, key_hash)` of every key not revoked.
pub async fn live_hashes(pool: &Pool) -> Result<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT id, key_hash FROM api_keys WHERE revoked_at IS NULL")
            .fetch_all(pool)
            .await?,
    )
}

/// Records a use at `at` unless one was recorded after `not_before`, so a
/// polling client does not turn every read into a write.
pub async fn touch(pool: &Pool, id: &str, at: &str, not_before: &str) -> Result<()> {
    sqlx::query(
        "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(at)
    .bind(id)
    .bind(not_before)
    .execute(pool)
    .await?;
    Ok(())
}
