//! Update plans (stored whole as JSON while they are reviewed) and the
//! uploads already made, so an image is never uploaded twice.

use crate::db::Pool;

use crate::db::now;
use crate::error::{CoreError, Result};
use crate::model::CloudObject;
use crate::update::UpdatePlan;

pub async fn store(pool: &Pool, plan: &UpdatePlan) -> Result<()> {
    let body = serde_json::to_string(plan)
        .map_err(|e| CoreError::Internal(format!("plan {} cannot be stored: {e}", plan.id)))?;
    sqlx::query(
        "INSERT INTO plans (id, job_id, integration_id, body, created_at) VALUES ($1, $2, $3, $4, $5)
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

pub async fn load(pool: &Pool, plan_id: &str) -> Result<UpdatePlan> {
    let body: String = sqlx::query_scalar("SELECT body FROM plans WHERE id = $1")
        .bind(plan_id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: format!("update plan {plan_id}"),
        })?;
    serde_json::from_str(&body)
        .map_err(|e| CoreError::Internal(format!("stored plan {plan_id} is unreadable: {e}")))
}

pub async fn mark_applied(pool: &Pool, plan_id: &str) -> Result<()> {
    sqlx::query("UPDATE plans SET applied_at = $1 WHERE id = $2")
        .bind(now())
        .bind(plan_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The URL an image with these bytes was already uploaded to at `destination`.
pub async fn recorded_upload(
    pool: &Pool,
    destination: &str,
    sha256: &str,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT url FROM uploads WHERE destination = $1 AND sha256 = $2")
            .bind(destination)
            .bind(sha256)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn record_upload(
    pool: &Pool,
    destination: &str,
    sha256: &str,
    url: &str,
    cloud: Option<&CloudObject>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO uploads (destination, sha256, url, cloud, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (destination, sha256) DO UPDATE SET url = excluded.url, cloud = excluded.cloud,
            created_at = excluded.created_at",
    )
        .bind(destination)
        .bind(sha256)
        .bind(url)
        .bind(cloud.map(|c| serde_json::to_string(c).unwrap_or_default()))
        .bind(now())
        .execute(pool)
        .await?;
    Ok(())
}
