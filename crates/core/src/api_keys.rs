//! Keys of the local REST API (`shotkeeper serve`), sent by clients in the
//! `x-api-key` header as LaunchBrightly's API examples do. A key is 32 random
//! bytes shown once; only its SHA-256 is stored, and a presented key is
//! compared against the stored hashes in constant time (`subtle`), so
//! neither the database nor the timing of a refusal gives a key away.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Row, SqlitePool};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::db::now;
use crate::error::{CoreError, Result};

/// Every key starts with this, so a leaked one is recognisable in a scan.
pub const KEY_PREFIX: &str = "skp_";

/// What is shown of a key: never the key, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInfo {
    pub id: String,
    pub label: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A key just created: `key` is shown once and stored nowhere.
#[derive(Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct NewApiKey {
    #[serde(flatten)]
    pub info: ApiKeyInfo,
    pub key: String,
}

impl std::fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewApiKey")
            .field("info", &self.info)
            .field("key", &"<redacted>")
            .finish()
    }
}

fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

pub async fn create(pool: &SqlitePool, label: &str) -> Result<NewApiKey> {
    let label = label.trim();
    if label.is_empty() {
        return Err(CoreError::Invalid(
            "the API key label is empty: name the key after who uses it, e.g. --label \"CI screenshots\"".into(),
        ));
    }
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let key = format!("{KEY_PREFIX}{}", hex::encode(raw));
    let info = ApiKeyInfo {
        id: Uuid::new_v4().to_string(),
        label: label.to_owned(),
        prefix: key[..KEY_PREFIX.len() + 6].to_owned(),
        created_at: now(),
        last_used_at: None,
        revoked_at: None,
    };
    sqlx::query(
        "INSERT INTO api_keys (id, label, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&info.id)
    .bind(&info.label)
    .bind(hex::encode(hash(&key)))
    .bind(&info.prefix)
    .bind(&info.created_at)
    .execute(pool)
    .await?;
    Ok(NewApiKey { info, key })
}

fn info_of(row: &sqlx::sqlite::SqliteRow) -> Result<ApiKeyInfo> {
    Ok(ApiKeyInfo {
        id: row.try_get("id")?,
        label: row.try_get("label")?,
        prefix: row.try_get("prefix")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// Every key, newest first, revoked ones included (marked).
pub async fn list(pool: &SqlitePool) -> Result<Vec<ApiKeyInfo>> {
    let rows = sqlx::query(
        "SELECT id, label, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY created_at DESC, rowid DESC",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(info_of).collect()
}

/// Revokes a key: every later request with it is refused.
pub async fn revoke(pool: &SqlitePool, id: &str) -> Result<ApiKeyInfo> {
    sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(now())
        .bind(id)
        .execute(pool)
        .await?;
    let row = sqlx::query(
        "SELECT id, label, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| CoreError::NotFound {
        what: format!("API key {id} (list them with `shotkeeper api-key list`)"),
    })?;
    info_of(&row)
}

/// The key's id when `presented` is a live key. Every live hash is compared,
/// each in constant time, so the answer takes as long for a near miss as
/// for a stranger. Records the use (at most once a minute per key, so
/// polling clients do not turn every read into a write).
pub async fn authenticate(pool: &SqlitePool, presented: &str) -> Result<Option<String>> {
    let presented = hash(presented.trim());
    let rows = sqlx::query("SELECT id, key_hash FROM api_keys WHERE revoked_at IS NULL")
        .fetch_all(pool)
        .await?;
    let mut found: Option<String> = None;
    for row in &rows {
        let stored: String = row.try_get("key_hash")?;
        let stored = hex::decode(stored).unwrap_or_default();
        if bool::from(stored.as_slice().ct_eq(&presented)) {
            found = Some(row.try_get("id")?);
        }
    }
    if let Some(id) = &found {
        let ts = now();
        let a_minute_ago = (chrono::Utc::now() - chrono::Duration::seconds(60))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        sqlx::query(
            "UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        )
        .bind(&ts)
        .bind(id)
        .bind(&a_minute_ago)
        .execute(pool)
        .await?;
    }
    Ok(found)
}

impl crate::App {
    pub async fn create_api_key(&self, label: &str) -> Result<NewApiKey> {
        create(self.pool(), label).await
    }

    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>> {
        list(self.pool()).await
    }

    pub async fn revoke_api_key(&self, id: &str) -> Result<ApiKeyInfo> {
        revoke(self.pool(), id).await
    }

    /// The id of the live key `presented` is, if any.
    pub async fn authenticate_api_key(&self, presented: &str) -> Result<Option<String>> {
        authenticate(self.pool(), presented).await
    }
}
