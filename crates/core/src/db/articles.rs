//! Where an article was imported: which of its documents is the default
//! one, and the newest import that holds it.

use crate::db::Pool;

use crate::error::Result;
use crate::providers::ArticleRef;

/// The locale of an imported article's default document: the one without a
/// locale first, then English, then the first by name. `None` when the
/// article was never imported (of this integration, when one is given).
pub async fn default_locale(
    pool: &Pool,
    integration_id: Option<&str>,
    external_id: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a.locale FROM articles a JOIN jobs j ON j.id = a.job_id
         WHERE ($1 IS NULL OR j.integration_id = $1) AND a.external_id = $2
         ORDER BY a.locale = '' DESC, a.locale = 'en' DESC, a.locale LIMIT 1",
    )
    .bind(integration_id)
    .bind(external_id)
    .fetch_optional(pool)
    .await?)
}

/// Which of an article's imports [`latest_import`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// Any import that listed the document.
    Anyhow,
    /// Only an import that read the document in full.
    Completed,
}

/// The newest import of the integration that holds this document: its job
/// id and the article's row id there.
pub async fn latest_import(
    pool: &Pool,
    integration_id: &str,
    article: &ArticleRef,
    listed: Listed,
) -> Result<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT j.id, a.id FROM jobs j JOIN articles a ON a.job_id = j.id
         WHERE j.integration_id = $1 AND a.external_id = $2 AND a.locale = $3
           AND ($4 OR a.status = 'completed')
         ORDER BY j.created_at DESC LIMIT 1",
    )
    .bind(integration_id)
    .bind(&article.id)
    .bind(article.locale.as_deref().unwrap_or(""))
    .bind(listed == Listed::Anyhow)
    .fetch_optional(pool)
    .await?)
}
