//! One writer per article at a time, across processes and machines sharing
//! the database: a row in `article_locks` for the read-rewrite-write of an
//! article. The same SQL on SQLite and PostgreSQL (an insert that does
//! nothing when the row exists), so no engine-specific lock is needed.

use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::db::Pool;
use crate::error::{CoreError, Result};
use crate::providers::ArticleRef;

/// How long a holder keeps the article if it never says it is done (a
/// process killed mid-write). One article's write takes seconds.
const LEASE: Duration = Duration::from_secs(300);
/// How long a writer waits for another's write of the same article.
const WAIT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(150);

/// The article, held by this write until [`release`](ArticleLock::release).
pub struct ArticleLock {
    integration_id: String,
    article: ArticleRef,
    holder: String,
}

fn rfc3339(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl ArticleLock {
    /// Waits (up to a minute) until no one else writes the article, then
    /// holds it for `who`.
    pub async fn acquire(
        pool: &Pool,
        integration_id: &str,
        article: &ArticleRef,
        who: &str,
    ) -> Result<ArticleLock> {
        let locale = article.locale.as_deref().unwrap_or("");
        let holder = Uuid::new_v4().to_string();
        let started = Instant::now();
        loop {
            let now = chrono::Utc::now();
            // A holder that died: its lease is over.
            sqlx::query(
                "DELETE FROM article_locks
                 WHERE integration_id = $1 AND external_id = $2 AND locale = $3 AND expires_at < $4",
            )
            .bind(integration_id)
            .bind(&article.id)
            .bind(locale)
            .bind(rfc3339(now))
            .execute(pool)
            .await?;
            let taken = sqlx::query(
                "INSERT INTO article_locks (integration_id, external_id, locale, holder, held_by, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (integration_id, external_id, locale) DO NOTHING",
            )
            .bind(integration_id)
            .bind(&article.id)
            .bind(locale)
            .bind(&holder)
            .bind(who)
            .bind(rfc3339(now + chrono::Duration::from_std(LEASE).unwrap_or_default()))
            .execute(pool)
            .await?
            .rows_affected();
            if taken == 1 {
                return Ok(ArticleLock {
                    integration_id: integration_id.to_owned(),
                    article: article.clone(),
                    holder,
                });
            }
            if started.elapsed() >= WAIT {
                let by = held_by(pool, integration_id, &article.id, locale).await?;
                return Err(CoreError::Invalid(format!(
                    "{} is updating article {} right now and has not finished after a minute; nothing was changed here. Try this article again later",
                    by.as_deref().unwrap_or("someone else"),
                    article.id
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs `work` while holding the article, and lets the next writer in
    /// afterwards whatever `work` returned.
    pub async fn holding<T>(
        pool: &Pool,
        integration_id: &str,
        article: &ArticleRef,
        who: &str,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let lock = ArticleLock::acquire(pool, integration_id, article, who).await?;
        let outcome = work.await;
        lock.release(pool).await?;
        outcome
    }

    /// Lets the next writer of the article in.
    pub async fn release(self, pool: &Pool) -> Result<()> {
        sqlx::query(
            "DELETE FROM article_locks
             WHERE integration_id = $1 AND external_id = $2 AND locale = $3 AND holder = $4",
        )
        .bind(&self.integration_id)
        .bind(&self.article.id)
        .bind(self.article.locale.as_deref().unwrap_or(""))
        .bind(&self.holder)
        .execute(pool)
        .await?;
        Ok(())
    }
}

async fn held_by(
    pool: &Pool,
    integration_id: &str,
    external_id: &str,
    locale: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT held_by FROM article_locks WHERE integration_id = $1 AND external_id = $2 AND locale = $3",
    )
    .bind(integration_id)
    .bind(external_id)
    .bind(locale)
    .fetch_optional(pool)
    .await?)
}
