//! Revisions: each article document's content before and after a write.

use std::collections::BTreeMap;

use crate::db::Pool;
use uuid::Uuid;

use crate::db::now;
use crate::error::{CoreError, Result};
use crate::html::RefChange;
use crate::providers::ArticleRef;
use crate::update::revisions::{NewRevision, Revision, RevisionStatus};

/// A `revisions` row as stored: the default-language document has locale
/// "", and replacements and changes are JSON.
#[derive(sqlx::FromRow)]
struct RevisionRow {
    id: String,
    integration_id: String,
    plan_id: Option<String>,
    article_id: Option<String>,
    external_id: String,
    locale: String,
    title: String,
    content_before: String,
    content_after: String,
    replacements: String,
    ref_changes: String,
    status: RevisionStatus,
    error: Option<String>,
    rollback_of: Option<String>,
    author: Option<String>,
    created_at: String,
    applied_at: Option<String>,
}

impl From<RevisionRow> for Revision {
    fn from(r: RevisionRow) -> Self {
        Revision {
            id: r.id,
            integration_id: r.integration_id,
            plan_id: r.plan_id,
            article_id: r.article_id,
            external_id: r.external_id,
            locale: (!r.locale.is_empty()).then_some(r.locale),
            title: r.title,
            content_before: r.content_before,
            content_after: r.content_after,
            replacements: serde_json::from_str::<BTreeMap<String, String>>(&r.replacements)
                .unwrap_or_default(),
            changes: serde_json::from_str::<Vec<RefChange>>(&r.ref_changes).unwrap_or_default(),
            status: r.status,
            error: r.error,
            rollback_of: r.rollback_of,
            author: r.author,
            created_at: r.created_at,
            applied_at: r.applied_at,
        }
    }
}

/// Records a revision as `pending`, before the help center is touched.
pub async fn insert_pending(pool: &Pool, r: NewRevision<'_>) -> Result<String> {
    let id = Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO revisions (id, integration_id, plan_id, article_id, external_id, locale, title, content_before, content_after, replacements, ref_changes, status, rollback_of, author, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(r.integration_id)
    .bind(r.plan_id)
    .bind(r.article_id)
    .bind(&r.article.id)
    .bind(r.article.locale.as_deref().unwrap_or(""))
    .bind(r.title)
    .bind(r.before)
    .bind(r.after)
    .bind(serde_json::to_string(r.replacements).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(r.changes).unwrap_or_else(|_| "[]".into()))
    .bind(RevisionStatus::Pending)
    .bind(r.rollback_of)
    .bind(r.author)
    .bind(now())
    .execute(pool)
    .await?;
    Ok(id)
}

pub async fn mark(
    pool: &Pool,
    id: &str,
    status: RevisionStatus,
    error: Option<&str>,
) -> Result<()> {
    let applied_at = (status == RevisionStatus::Applied).then(now);
    sqlx::query(
        "UPDATE revisions SET status = $1, error = $2, applied_at = COALESCE($3, applied_at) WHERE id = $4",
    )
    .bind(status)
    .bind(error)
    .bind(applied_at)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn get(pool: &Pool, id: &str) -> Result<Revision> {
    sqlx::query_as::<_, RevisionRow>("SELECT * FROM revisions WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(Revision::from)
        .ok_or_else(|| CoreError::NotFound {
            what: format!("revision {id} (an article's revisions list the ones that exist)"),
        })
}

/// Revisions of one article document (all its integrations' if
/// `integration_id` is None), newest first.
pub async fn list(
    pool: &Pool,
    integration_id: Option<&str>,
    article: &ArticleRef,
) -> Result<Vec<Revision>> {
    let rows = sqlx::query_as::<_, RevisionRow>(
        "SELECT * FROM revisions WHERE ($1 IS NULL OR integration_id = $1) AND external_id = $2 AND locale = $3
         ORDER BY created_at DESC, rowid DESC",
    )
    .bind(integration_id)
    .bind(&article.id)
    .bind(article.locale.as_deref().unwrap_or(""))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Revision::from).collect())
}

/// The newest revision of one article document, if any.
pub async fn last_id(pool: &Pool, article: &ArticleRef) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM revisions WHERE external_id = $1 AND locale = $2 ORDER BY created_at DESC, rowid DESC LIMIT 1",
    )
    .bind(&article.id)
    .bind(article.locale.as_deref().unwrap_or(""))
    .fetch_optional(pool)
    .await?)
}
