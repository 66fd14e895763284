//! Audit thresholds per help-center integration.

use crate::db::Pool;

use crate::audit::AuditSettings;
use crate::error::Result;

/// The stored thresholds of an integration, or `None` when it has none.
pub async fn get(pool: &Pool, integration_id: &str) -> Result<Option<AuditSettings>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT heavy_kib, old_days FROM audit_settings WHERE integration_id = $1")
            .bind(integration_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(|(heavy_kib, old_days)| AuditSettings {
        heavy_kib: heavy_kib.max(0) as u64,
        old_days,
    }))
}

pub async fn put(pool: &Pool, integration_id: &str, s: &AuditSettings) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_settings (integration_id, heavy_kib, old_days, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT(integration_id) DO UPDATE SET
           heavy_kib = excluded.heavy_kib, old_days = excluded.old_days,
           updated_at = excluded.updated_at",
    )
    .bind(integration_id)
    .bind(s.heavy_kib as i64)
    .bind(s.old_days)
    .bind(chrono::Utc::now().to_rfc3339())
    .execute(pool)
    .await?;
    Ok(())
}
