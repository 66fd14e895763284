//! Update plans (stored whole as JSON while they are reviewed) and the
//! uploads already made, so an image is never uploaded twice.

use sqlx::SqlitePool;

use crate::db::now;
use crate::error::{CoreError, Result};
use crate::model::CloudObject;
use crate::update::UpdatePlan;

pub async fn store(pool: &SqlitePool, plan: &UpdatePlan) -> Result<()> {
    let body = serde_json::to_string(plan)
        .map_err(|e| CoreError::Internal(format!("plan {} cannot be stored: {e}", plan.id)))?;
    sqlx::query(
        "INSERT INTO plans (id, job_id, integration_id, body, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET body = excluded.body",
    )
    .bind(&plan.id)
    .bind(&plan.job_id)
    .bind(&plan.integration_id)
    .bind(body)
    .bind(&plan.created_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn load(pool: &SqlitePool, plan_id: &str) -> Result<UpdatePlan> {
    let body: String = sqlx::query_scalar("SELECT body FROM plans WHERE id = ?")
        .bind(plan_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: format!("update plan {plan_id}"),
        })?;
    serde_json::from_str(&body)
        .map_err(|e| CoreError::Internal(format!("stored plan {plan_id} is unreadable: {e}")))
}

pub async fn mark_applied(pool: &SqlitePool, plan_id: &str) -> Result<()> {
    sqlx::query("UPDATE plans SET applied_at = ? WHERE id = ?")
        .bind(now())
        .bind(plan_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The URL an image with these bytes was already uploaded to at `destination`.
pub async fn recorded_upload(
    pool: &SqlitePool,
    destination: &str,
    sha256: &str,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT url FROM uploads WHERE destination = ? AND sha256 = ?")
            .bind(destination)
            .bind(sha256)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn record_upload(
    pool: &SqlitePool,
    destination: &str,
    sha256: &str,
    url: &str,
    cloud: Option<&CloudObject>,
) -> Result<()> {
    sqlx::query("INSERT OR REPLACE INTO uploads (destination, sha256, url, cloud, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(destination)
        .bind(sha256)
        .bind(url)
        .bind(cloud.map(|c| serde_json::to_string(c).unwrap_or_default()))
        .bind(now())
        .execute(pool)
        .await?;
    Ok(())
}
