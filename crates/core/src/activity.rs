//! What colleagues are writing right now, read from the shared database:
//! a plan being applied by someone else, with its articles written so far.
//! A front end polls it (the desktop every 3 seconds while one runs) to
//! show a team's updates as they happen.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::app::App;
use crate::error::Result;

/// A plan counts as being applied while its newest revision is at most
/// this old and the plan has not been marked applied since.
pub const ACTIVE_WITHIN_SECS: i64 = 120;

/// An update someone else is applying now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateActivity {
    pub plan_id: String,
    pub integration_id: String,
    pub integration_label: String,
    /// Who applies it; `None` for revisions from before names were kept.
    pub author: Option<String>,
    /// Articles written so far (applied or failed revisions).
    pub articles_written: u64,
    pub articles_failed: u64,
    /// Articles the plan updates.
    pub articles_total: u64,
    /// When its newest revision was recorded (RFC 3339).
    pub last_write_at: String,
}

impl App {
    /// Plans other people are applying now, newest first.
    pub async fn updates_elsewhere(&self) -> Result<Vec<UpdateActivity>> {
        let since = (chrono::Utc::now() - chrono::Duration::seconds(ACTIVE_WITHIN_SECS))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let rows = sqlx::query(
            "SELECT r.plan_id, r.integration_id, r.author,
                    SUM(CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END) AS written,
                    SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END) AS failed,
                    MAX(r.created_at) AS last_write_at
             FROM revisions r JOIN plans p ON p.id = r.plan_id
             WHERE r.rollback_of IS NULL AND r.created_at >= $1
               AND (p.applied_at IS NULL OR p.applied_at < r.created_at)
               AND (r.author IS NULL OR r.author <> $2)
             GROUP BY r.plan_id, r.integration_id, r.author
             ORDER BY MAX(r.created_at) DESC",
        )
        .bind(&since)
        .bind(self.actor())
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let plan_id: String = row.try_get("plan_id")?;
            let integration_id: String = row.try_get("integration_id")?;
            let total = match crate::update::plan::load(self.pool(), &plan_id).await {
                Ok(plan) => plan.articles_to_update() as u64,
                Err(_) => 0,
            };
            let label = crate::db::integrations::get(self.pool(), &integration_id)
                .await
                .map(|i| i.label)
                .unwrap_or_default();
            out.push(UpdateActivity {
                plan_id,
                integration_id,
                integration_label: label,
                author: row.try_get("author")?,
                articles_written: count(row.try_get::<Option<i64>, _>("written")?),
                articles_failed: count(row.try_get::<Option<i64>, _>("failed")?),
                articles_total: total,
                last_write_at: row.try_get("last_write_at")?,
            });
        }
        Ok(out)
    }
}

fn count(n: Option<i64>) -> u64 {
    u64::try_from(n.unwrap_or(0)).unwrap_or(0)
}
