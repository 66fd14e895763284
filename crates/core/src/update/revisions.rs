//! Revisions: the content of an article document before and after each
//! write. A revision row is written BEFORE the help center is touched, so a
//! failed or interrupted write always leaves the previous content on disk.

use std::collections::{BTreeMap, HashMap};

pub use crate::db::revisions::{get, insert_pending, list, mark};

use crate::db::Pool;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::html::{self, RefChange};
use crate::providers::{ArticleRef, HelpCenter};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revision {
    pub id: String,
    pub integration_id: String,
    pub plan_id: Option<String>,
    pub article_id: Option<String>,
    pub external_id: String,
    pub locale: Option<String>,
    pub title: String,
    pub content_before: String,
    pub content_after: String,
    pub replacements: BTreeMap<String, String>,
    /// Every URL the write changed, with its place in `content_after`.
    #[serde(default)]
    pub changes: Vec<RefChange>,
    pub status: RevisionStatus,
    pub error: Option<String>,
    pub rollback_of: Option<String>,
    /// Who made it: the name set with `--as NAME` or in the desktop app, by
    /// default the OS user; `None` for revisions from before names were kept.
    pub author: Option<String>,
    pub created_at: String,
    pub applied_at: Option<String>,
}

/// Where a revision stands. It is written `pending` before the help center
/// is touched, then marked by what the write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RevisionStatus {
    Pending,
    Applied,
    Failed,
    /// Its previous content was put back by a later revision.
    RolledBack,
}

impl RevisionStatus {
    /// The word the JSON answer and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionStatus::Pending => "pending",
            RevisionStatus::Applied => "applied",
            RevisionStatus::Failed => "failed",
            RevisionStatus::RolledBack => "rolled_back",
        }
    }

    /// The status a revision row stores; `None` for a word no Shotkeeper wrote.
    pub fn parse(s: &str) -> Option<RevisionStatus> {
        [
            RevisionStatus::Pending,
            RevisionStatus::Applied,
            RevisionStatus::Failed,
            RevisionStatus::RolledBack,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

// Stored as its word (TEXT on both engines).
impl sqlx::Type<sqlx::Any> for RevisionStatus {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <&str as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Any> for RevisionStatus {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <&str as sqlx::Encode<'q, sqlx::Any>>::encode(self.as_str(), buf)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for RevisionStatus {
    fn decode(
        value: <sqlx::Any as sqlx::Database>::ValueRef<'r>,
    ) -> std::result::Result<Self, sqlx::error::BoxDynError> {
        let word = <&str as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
        RevisionStatus::parse(word)
            .ok_or_else(|| format!("unknown revision status {word:?}").into())
    }
}

impl std::fmt::Display for RevisionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RevisionStatus::RolledBack => "rolled back",
            other => other.as_str(),
        })
    }
}

/// How a rollback put an article back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RollbackMode {
    /// The article was as the update left it: its previous content is back
    /// byte for byte.
    Exact,
    /// It was edited since: only the replaced image URLs were put back and
    /// the later edits kept.
    Images,
}

impl Revision {
    pub fn article_ref(&self) -> ArticleRef {
        ArticleRef::with_locale(self.external_id.clone(), self.locale.clone())
    }
}

/// What a new revision records.
pub struct NewRevision<'a> {
    pub integration_id: &'a str,
    pub plan_id: Option<&'a str>,
    pub article_id: Option<&'a str>,
    pub article: &'a ArticleRef,
    pub title: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    pub replacements: &'a BTreeMap<String, String>,
    pub changes: &'a [RefChange],
    pub rollback_of: Option<&'a str>,
    /// Who makes the write (`App::actor`).
    pub author: &'a str,
}

/// Writes `after` to the help center with a revision recorded first.
/// Returns the revision id; the revision says whether the write happened.
pub async fn write_with_revision(
    pool: &Pool,
    help_center: &dyn HelpCenter,
    rev: NewRevision<'_>,
) -> Result<String> {
    let article = rev.article.clone();
    let after = rev.after.to_owned();
    let id = insert_pending(pool, rev).await?;
    match help_center.update_article_html(&article, &after).await {
        Ok(()) => {
            mark(pool, &id, RevisionStatus::Applied, None).await?;
            Ok(id)
        }
        Err(e) => {
            mark(pool, &id, RevisionStatus::Failed, Some(&e.to_string())).await?;
            Err(e)
        }
    }
}

/// The outcome of a rollback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RollbackOutcome {
    pub revision_id: String,
    /// The revision recording the rollback itself (so it can be undone too).
    pub rollback_revision_id: Option<String>,
    pub mode: RollbackMode,
    pub content: String,
    pub dry_run: bool,
}

/// Puts an applied revision's previous content back, keeping edits made
/// since: if the article changed after our write, only the image URLs we
/// replaced are turned back.
pub async fn rollback(
    pool: &Pool,
    help_center: &dyn HelpCenter,
    revision_id: &str,
    dry_run: bool,
    author: &str,
) -> Result<RollbackOutcome> {
    let rev = get(pool, revision_id).await?;
    if dry_run {
        return rollback_held(pool, help_center, rev, dry_run, author).await;
    }
    // Held like an update's write: a colleague's update of the article
    // comes before or after the rollback's read-restore-write, never inside.
    let (integration_id, article) = (rev.integration_id.clone(), rev.article_ref());
    let work = rollback_held(pool, help_center, rev, dry_run, author);
    crate::db::article_locks::ArticleLock::holding(pool, &integration_id, &article, author, work)
        .await
}

async fn rollback_held(
    pool: &Pool,
    help_center: &dyn HelpCenter,
    rev: Revision,
    dry_run: bool,
    author: &str,
) -> Result<RollbackOutcome> {
    let revision_id = rev.id.as_str();
    if rev.status != RevisionStatus::Applied {
        return Err(CoreError::Invalid(format!(
            "revision {revision_id} is {}: only an applied revision can be rolled back",
            rev.status
        )));
    }
    let article = rev.article_ref();
    let current = help_center.get_article(&article).await?;
    let current_html = current.html.clone().unwrap_or_default();
    let (mode, restored, undo_changes) = if current_html == rev.content_after {
        (RollbackMode::Exact, rev.content_before.clone(), Vec::new())
    } else if !rev.changes.is_empty() {
        // Edited since: put back exactly the places the update changed.
        let base = crate::providers::image_base(help_center, &current.url);
        let out = html::restore_images(&current_html, base, &rev.changes)?;
        (RollbackMode::Images, out.html, out.changes)
    } else {
        // A revision written before places were recorded: map URLs back.
        let back: HashMap<String, String> = rev
            .replacements
            .iter()
            .map(|(old, new)| (new.clone(), old.clone()))
            .collect();
        let out = html::rewrite_images(
            &current_html,
            crate::providers::image_base(help_center, &current.url),
            &back,
        )?;
        (RollbackMode::Images, out.html, out.changes)
    };
    if dry_run {
        return Ok(RollbackOutcome {
            revision_id: rev.id,
            rollback_revision_id: None,
            mode,
            content: restored,
            dry_run,
        });
    }
    let undo: BTreeMap<String, String> = rev
        .replacements
        .iter()
        .map(|(o, n)| (n.clone(), o.clone()))
        .collect();
    let new_id = write_with_revision(
        pool,
        help_center,
        NewRevision {
            integration_id: &rev.integration_id,
            plan_id: rev.plan_id.as_deref(),
            article_id: rev.article_id.as_deref(),
            article: &article,
            title: &rev.title,
            before: &current_html,
            after: &restored,
            replacements: &undo,
            changes: &undo_changes,
            rollback_of: Some(&rev.id),
            author,
        },
    )
    .await?;
    mark(pool, &rev.id, RevisionStatus::RolledBack, None).await?;
    Ok(RollbackOutcome {
        revision_id: rev.id,
        rollback_revision_id: Some(new_id),
        mode,
        content: restored,
        dry_run,
    })
}
