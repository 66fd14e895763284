//! Scenarios files opened for capture, most recent first.

use sqlx::SqlitePool;

use crate::error::Result;

/// Records that `path` was opened now.
pub async fn touch(pool: &SqlitePool, path: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO capture_files (path, opened_at) VALUES (?, ?)
         ON CONFLICT(path) DO UPDATE SET opened_at = excluded.opened_at",
    )
    .bind(path)
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    .execute(pool)
    .await?;
    Ok(())
}

/// The file opened last, if any.
pub async fn latest(pool: &SqlitePool) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT path FROM capture_files ORDER BY opened_at DESC LIMIT 1")
            .fetch_optional(pool)
            .await?,
    )
}
