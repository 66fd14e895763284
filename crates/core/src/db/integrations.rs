//! Rows of the `integrations` table. Settings are non-secret by construction:
//! the secret never passes through this module.

use std::collections::BTreeMap;

use crate::db::Pool;
use sqlx::Row;

use crate::error::{CoreError, Result};
use crate::model::{Integration, Platform, ProviderKind};

fn from_row(row: &sqlx::any::AnyRow) -> Result<Integration> {
    let provider: String = row.try_get("provider")?;
    let settings: String = row.try_get("settings")?;
    let secret_source: String = row.try_get("secret_source")?;
    let platform: String = row.try_get("platform")?;
    Ok(Integration {
        id: row.try_get("id")?,
        label: row.try_get("label")?,
        platform: if platform == "cloud" {
            Platform::Cloud
        } else {
            Platform::Helpcenter
        },
        provider: provider.parse::<ProviderKind>()?,
        base_url: row.try_get("base_url")?,
        settings: serde_json::from_str::<BTreeMap<String, String>>(&settings)
            .map_err(|e| CoreError::Invalid(format!("stored settings are unreadable: {e}")))?,
        secret_source: serde_json::from_str(&secret_source)
            .map_err(|e| CoreError::Invalid(format!("stored secret source is unreadable: {e}")))?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

pub async fn insert(pool: &Pool, i: &Integration, is_demo: bool) -> Result<()> {
    sqlx::query(
        "INSERT INTO integrations (id, label, platform, provider, base_url, settings, secret_source, is_demo, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&i.id)
    .bind(&i.label)
    .bind(platform_str(i.platform))
    .bind(i.provider.as_str())
    .bind(&i.base_url)
    .bind(json(&i.settings))
    .bind(json(&i.secret_source))
    .bind(i64::from(is_demo))
    .bind(&i.created_at)
    .bind(&i.updated_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn update(pool: &Pool, i: &Integration) -> Result<()> {
    let done = sqlx::query(
        "UPDATE integrations SET label = $1, base_url = $2, settings = $3, secret_source = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(&i.label)
    .bind(&i.base_url)
    .bind(json(&i.settings))
    .bind(json(&i.secret_source))
    .bind(&i.updated_at)
    .bind(&i.id)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(not_found(&i.id));
    }
    Ok(())
}

pub async fn get(pool: &Pool, id: &str) -> Result<Integration> {
    let row = sqlx::query("SELECT * FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found(id))?;
    from_row(&row)
}

pub async fn list(pool: &Pool) -> Result<Vec<Integration>> {
    let rows = sqlx::query("SELECT * FROM integrations ORDER BY is_demo DESC, created_at")
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn find_demo(pool: &Pool) -> Result<Option<Integration>> {
    let row = sqlx::query("SELECT * FROM integrations WHERE is_demo = 1 LIMIT 1")
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn is_demo(pool: &Pool, id: &str) -> Result<bool> {
    let v: Option<i64> = sqlx::query_scalar("SELECT is_demo FROM integrations WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(v == Some(1))
}

pub async fn delete(pool: &Pool, id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM integrations WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

fn platform_str(p: Platform) -> &'static str {
    match p {
        Platform::Helpcenter => "helpcenter",
        Platform::Cloud => "cloud",
    }
}

fn not_found(id: &str) -> CoreError {
    CoreError::NotFound {
        what: format!("integration {id} (list them with `shotkeeper integration list`)"),
    }
}
