//! The `sealed_secrets` table: one sealed (encrypted) secret per
//! integration, as nonce and ciphertext. Sealing and opening are in
//! `crate::sealed`; nothing here ever sees a plaintext.

use crate::db::Pool;

use crate::db::now;
use crate::error::Result;

/// A stored secret as sealed: the AEAD nonce and the ciphertext with its tag.
#[derive(sqlx::FromRow)]
pub struct SealedRow {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// Stores (or replaces) the integration's sealed secret, on the pool or
/// inside a transaction (a rotation).
pub async fn put<'e, E>(executor: E, integration_id: &str, sealed: &SealedRow) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO sealed_secrets (integration_id, nonce, ciphertext, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (integration_id) DO UPDATE SET nonce = excluded.nonce,
            ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
    )
    .bind(integration_id)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(now())
    .execute(executor)
    .await?;
    Ok(())
}

pub async fn get(pool: &Pool, integration_id: &str) -> Result<Option<SealedRow>> {
    Ok(
        sqlx::query_as("SELECT nonce, ciphertext FROM sealed_secrets WHERE integration_id = $1")
            .bind(integration_id)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn exists(pool: &Pool, integration_id: &str) -> Result<bool> {
    let found =
        sqlx::query_scalar::<_, i64>("SELECT 1 FROM sealed_secrets WHERE integration_id = $1")
            .bind(integration_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

pub async fn delete(pool: &Pool, integration_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM sealed_secrets WHERE integration_id = $1")
        .bind(integration_id)
        .execute(pool)
        .await?;
    Ok(())
}
