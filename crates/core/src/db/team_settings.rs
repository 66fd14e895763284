//! Settings a whole team shares on its database: one row per name.

use crate::db::{now, Pool};
use crate::error::Result;

/// The value of a team setting, if set.
pub async fn get(pool: &Pool, name: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM team_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?,
    )
}

/// Sets (or, with `None`, clears) a team setting, recording who did.
pub async fn set(pool: &Pool, name: &str, value: Option<&str>, by: &str) -> Result<()> {
    match value {
        Some(value) => {
            sqlx::query(
                "INSERT INTO team_settings (name, value, updated_by, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value,
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            )
            .bind(name)
            .bind(value)
            .bind(by)
            .bind(now())
            .execute(pool)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM team_settings WHERE name = $1")
                .bind(name)
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}
