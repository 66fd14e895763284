//! Keys of the local REST API (`shotkeeper serve`), sent by clients in the
//! `x-api-key` header as LaunchBrightly's API examples do. A key is 32 random
//! bytes shown once; only its SHA-256 is stored, and a presented key is
//! compared against the stored hashes in constant time (`subtle`), so
//! neither the database nor the timing of a refusal gives a key away.

use crate::db::Pool;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::db::{self, now};
use crate::error::{CoreError, Result};

/// Every key starts with this, so a leaked one is recognisable in a scan.
pub const KEY_PREFIX: &str = "skp_";

/// What is shown of a key: never the key, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, sqlx::FromRow)]
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

pub async fn create(pool: &Pool, label: &str) -> Result<NewApiKey> {
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
    db::api_keys::insert(pool, &info, &hex::encode(hash(&key))).await?;
    Ok(NewApiKey { info, key })
}

/// Every key, newest first, revoked ones included (marked).
pub async fn list(pool: &Pool) -> Result<Vec<ApiKeyInfo>> {
    db::api_keys::list(pool).await
}

/// Revokes a key: every later request with it is refused.
pub async fn revoke(pool: &Pool, id: &str) -> Result<ApiKeyInfo> {
    db::api_keys::revoke(pool, id, &now()).await?;
    db::api_keys::get(pool, id)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: format!("API key {id} (list them with `shotkeeper api-key list`)"),
        })
}

/// The key's id when `presented` is a live key. Every live hash is compared,
/// each in constant time, so the answer takes as long for a near miss as
/// for a stranger. Records the use (at most once a minute per key, so
/// polling clients do not turn every read into a write).
pub async fn authenticate(pool: &Pool, presented: &str) -> Result<Option<String>> {
    let presented = hash(presented.trim());
    let mut found: Option<String> = None;
    for (id, stored) in db::api_keys::live_hashes(pool).await? {
        let stored = hex::decode(stored).unwrap_or_default();
        if bool::from(stored.as_slice().ct_eq(&presented)) {
            found = Some(id);
        }
    }
    if let Some(id) = &found {
        let a_minute_ago = (chrono::Utc::now() - chrono::Duration::seconds(60))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        db::api_keys::touch(pool, id, &now(), &a_minute_ago).await?;
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
