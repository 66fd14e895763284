//! Capture's stored state: scenarios files opened (most recent first) and
//! capture settings.

use crate::db::Pool;

use crate::error::Result;

/// Records that `path` was opened now.
pub async fn touch(pool: &Pool, path: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO capture_files (path, opened_at) VALUES ($1, $2)
         ON CONFLICT(path) DO UPDATE SET opened_at = excluded.opened_at",
    )
    .bind(path)
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    .execute(pool)
    .await?;
    Ok(())
}

/// The file opened last, if any.
pub async fn latest(pool: &Pool) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT path FROM capture_files ORDER BY opened_at DESC LIMIT 1")
            .fetch_optional(pool)
            .await?,
    )
}

/// A capture setting, if set.
pub async fn setting(pool: &Pool, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM capture_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?,
    )
}

/// Sets a capture setting, or removes it (`None`).
pub async fn set_setting(pool: &Pool, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => sqlx::query(
            "INSERT INTO capture_settings (key, value) VALUES ($1, $2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(v),
        None => sqlx::query("DELETE FROM capture_settings WHERE key = $1").bind(key),
    }
    .execute(pool)
    .await?;
    Ok(())
}
