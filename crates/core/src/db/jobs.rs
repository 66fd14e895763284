//! Writes of an import job: the job row, its articles, their image
//! references and the analysed images. Every write that belongs together is
//! one transaction, so a job killed at any point resumes from a consistent state.

use std::collections::HashMap;

use crate::db::Pool;
use sqlx::Row;
use uuid::Uuid;

use super::{job_leases, now};
use crate::error::{CoreError, Result};
use crate::html::ImageRef;
use crate::providers::{RemoteArticle, UnreadableArticle};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum JobStatus {
    /// Waiting for a server to run it.
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
    Interrupted,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Interrupted => "interrupted",
        }
    }

    /// The status a job row stores; `None` for a word no Shotkeeper wrote.
    pub fn parse(s: &str) -> Option<JobStatus> {
        [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Completed,
            JobStatus::Failed,
            JobStatus::Cancelled,
            JobStatus::Interrupted,
        ]
        .into_iter()
        .find(|j| j.as_str() == s)
    }
}

#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: String,
    pub integration_id: String,
    pub name: String,
    pub status: String,
    pub list_cursor: Option<String>,
    pub listing_done: bool,
    pub error: Option<String>,
    /// Who started it (NULL for jobs from before names were kept).
    pub started_by: Option<String>,
    /// The process holding its lease while it runs (`host/pid/tag`).
    pub runner: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A new job of the integration, `queued`: its starter then claims it
/// ([`job_leases::claim`]) or leaves it to a server. Refused while another
/// import of the integration is queued or running, whichever process runs it.
pub async fn create(
    pool: &Pool,
    integration_id: &str,
    name: &str,
    started_by: &str,
) -> Result<JobRow> {
    insert(pool, integration_id, name, started_by, false).await
}

/// Like [`create`], with the job held by this process from its first
/// moment (running, under a lease): a server taking queued jobs cannot
/// claim it between its creation and the start of the run.
pub async fn create_held(
    pool: &Pool,
    integration_id: &str,
    name: &str,
    started_by: &str,
) -> Result<JobRow> {
    insert(pool, integration_id, name, started_by, true).await
}

async fn insert(
    pool: &Pool,
    integration_id: &str,
    name: &str,
    started_by: &str,
    held: bool,
) -> Result<JobRow> {
    job_leases::retire_abandoned(pool, integration_id).await?;
    let id = Uuid::new_v4().to_string();
    let ts = now();
    let sql = match held {
        false => "INSERT INTO jobs (id, integration_id, name, status, started_by, created_at, updated_at) VALUES ($1, $2, $3, 'queued', $4, $5, $6)".to_owned(),
        true => format!(
            "INSERT INTO jobs (id, integration_id, name, status, started_by, created_at, updated_at, runner, lease_until)
             VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, {})",
            job_leases::lease_end_sql(pool, 8)
        ),
    };
    let mut query = sqlx::query(&sql)
        .bind(&id)
        .bind(integration_id)
        .bind(name)
        .bind(started_by)
        .bind(&ts)
        .bind(&ts);
    if held {
        query = query
            .bind(job_leases::this_runner())
            .bind(job_leases::millis(job_leases::lease_duration()));
    }
    match query.execute(pool).await {
        Ok(_) => get(pool, &id).await,
        Err(e) if job_leases::is_unique_violation(&e) => {
            Err(job_leases::active_import(pool, integration_id).await)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn get(pool: &Pool, id: &str) -> Result<JobRow> {
    // A job left `running` by a process that died reads `interrupted`.
    let sql = format!(
        "SELECT id, integration_id, name, {} AS status, list_cursor, listing_done, error, started_by, runner, created_at, updated_at FROM jobs WHERE id = $1",
        job_leases::shown_status_sql(pool)
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| CoreError::NotFound {
            what: format!("import job {id} (past jobs are listed with `shotkeeper jobs`)"),
        })?;
    let runner: Option<String> = row.try_get("runner")?;
    let mut status: String = row.try_get("status")?;
    // Its process on this machine has ended: no need to wait for the lease.
    if status == "running" && runner.as_deref().is_some_and(job_leases::runner_is_gone) {
        status = "interrupted".into();
    }
    Ok(JobRow {
        id: row.try_get("id")?,
        integration_id: row.try_get("integration_id")?,
        name: row.try_get("name")?,
        status,
        list_cursor: row.try_get("list_cursor")?,
        listing_done: row.try_get::<i64, _>("listing_done")? != 0,
        error: row.try_get("error")?,
        started_by: row.try_get("started_by")?,
        runner,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn list(pool: &Pool) -> Result<Vec<JobRow>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM jobs ORDER BY created_at DESC")
        .fetch_all(pool)
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(get(pool, &id).await?);
    }
    Ok(out)
}

pub async fn set_status(
    pool: &Pool,
    id: &str,
    status: JobStatus,
    error: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE jobs SET status = $1, error = $2, updated_at = $3 WHERE id = $4")
        .bind(status.as_str())
        .bind(error)
        .bind(now())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Stores one listing page and where the next one starts, atomically: a job
/// killed between pages re-lists at most one page, and never loses one.
pub async fn store_page(
    pool: &Pool,
    job_id: &str,
    articles: &[RemoteArticle],
    unreadable: &[UnreadableArticle],
    next: Option<&str>,
) -> Result<()> {
    super::retrying_deadlocks(|| store_page_once(pool, job_id, articles, unreadable, next)).await
}

async fn store_page_once(
    pool: &Pool,
    job_id: &str,
    articles: &[RemoteArticle],
    unreadable: &[UnreadableArticle],
    next: Option<&str>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let ts = now();
    // Articles the listing could not read: failed at once, with the reason.
    for u in unreadable {
        sqlx::query(
            "INSERT INTO articles (id, job_id, external_id, locale, title, url, is_published, author, tags, content, status, error, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, '', 0, NULL, '[]', NULL, 'failed', $6, $7, $8)
             ON CONFLICT (job_id, external_id, locale) DO NOTHING",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(job_id)
        .bind(&u.article.id)
        .bind(u.article.locale.as_deref().unwrap_or(""))
        .bind(&u.title)
        .bind(&u.reason)
        .bind(&ts)
        .bind(&ts)
        .execute(&mut *tx)
        .await?;
    }
    // The listed articles, pending, in multi-row statements (an article
    // listed twice keeps its first row).
    for chunk in articles.chunks(super::rows_per_statement(pool, 15)) {
        let sql = format!(
            "INSERT INTO articles (id, job_id, external_id, locale, title, url, is_published, author, tags, content, status, remote_created_at, remote_updated_at, created_at, updated_at)
             VALUES {} ON CONFLICT (job_id, external_id, locale) DO NOTHING",
            super::values_list(chunk.len(), 15)
        );
        let mut q = sqlx::query(&sql);
        for a in chunk {
            q = q
                .bind(Uuid::new_v4().to_string())
                .bind(job_id)
                .bind(&a.article.id)
                .bind(a.article.locale.as_deref().unwrap_or(""))
                .bind(&a.title)
                .bind(&a.url)
                .bind(i64::from(a.is_published))
                .bind(&a.author)
                .bind(serde_json::to_string(&a.tags).unwrap_or_else(|_| "[]".into()))
                .bind(&a.html)
                .bind("pending")
                .bind(&a.created_at)
                .bind(&a.updated_at)
                .bind(&ts)
                .bind(&ts);
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query(
        "UPDATE jobs SET list_cursor = $1, listing_done = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(next)
    .bind(i64::from(next.is_none()))
    .bind(&ts)
    .bind(job_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An article still to be processed.
#[derive(Debug, Clone)]
pub struct PendingArticle {
    /// Where the article sits in the job's table: pages of pending articles
    /// are read in this order.
    pub rowid: i64,
    pub id: String,
    pub external_id: String,
    pub locale: Option<String>,
    pub url: String,
    pub content: Option<String>,
}

/// Every pending article of the job (small jobs and tests; imports read
/// them a page at a time with [`pending_articles_after`]).
pub async fn pending_articles(pool: &Pool, job_id: &str) -> Result<Vec<PendingArticle>> {
    pending_articles_after(pool, job_id, i64::MIN, i64::MAX).await
}

/// Up to `limit` pending articles after `after_rowid`, in table order: the
/// import holds one page of article bodies at a time, whatever the size of
/// the help center.
pub async fn pending_articles_after(
    pool: &Pool,
    job_id: &str,
    after_rowid: i64,
    limit: i64,
) -> Result<Vec<PendingArticle>> {
    let rows = sqlx::query(
        "SELECT rowid, id, external_id, locale, url, content FROM articles
         WHERE job_id = $1 AND status = 'pending' AND rowid > $2 ORDER BY rowid LIMIT $3",
    )
    .bind(job_id)
    .bind(after_rowid)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let locale: String = r.try_get("locale")?;
            Ok(PendingArticle {
                rowid: r.try_get("rowid")?,
                id: r.try_get("id")?,
                external_id: r.try_get("external_id")?,
                locale: (!locale.is_empty()).then_some(locale),
                url: r.try_get("url")?,
                content: r.try_get("content")?,
            })
        })
        .collect()
}

/// Records an article's content and its image references in one transaction.
pub async fn complete_article(
    pool: &Pool,
    article_id: &str,
    content: &str,
    refs: &[ImageRef],
    fresh: Option<&RemoteArticle>,
) -> Result<()> {
    let done = ArticleOutcome::Completed {
        id: article_id,
        content,
        refs,
        fresh,
    };
    record_articles(pool, std::slice::from_ref(&done)).await
}

/// What reading one pending article gave.
pub enum ArticleOutcome<'a> {
    /// Its HTML and the images found in it. `content` is written only with
    /// `fresh` (a single-article read); without it, it is the listing's
    /// HTML, which the listing page stored already.
    Completed {
        id: &'a str,
        content: &'a str,
        refs: &'a [ImageRef],
        fresh: Option<&'a RemoteArticle>,
    },
    /// It could not be read, for this reason (in words for the user).
    Failed { id: &'a str, error: String },
}

/// Records a page of read articles in one transaction: a job killed midway
/// finds each page either wholly recorded or still pending, and one commit
/// per page instead of per article keeps the database out of the way.
pub async fn record_articles(pool: &Pool, outcomes: &[ArticleOutcome<'_>]) -> Result<()> {
    super::retrying_deadlocks(|| record_articles_once(pool, outcomes)).await
}

async fn record_articles_once(pool: &Pool, outcomes: &[ArticleOutcome<'_>]) -> Result<()> {
    let mut tx = pool.begin().await?;
    let ts = now();
    // Every image reference of the page, written after each article's old
    // ones are gone, in multi-row statements.
    let mut refs_of: Vec<(&str, &ImageRef)> = Vec::new();
    // Articles read (their old references go) and those whose stored HTML
    // from the listing stays: each set in multi-row statements.
    let (mut read, mut listed): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        let (article_id, content, refs, fresh) = match outcome {
            ArticleOutcome::Failed { id, error } => {
                sqlx::query(
                    "UPDATE articles SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3",
                )
                .bind(error)
                .bind(&ts)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                continue;
            }
            ArticleOutcome::Completed {
                id,
                content,
                refs,
                fresh,
            } => (*id, *content, *refs, *fresh),
        };
        read.push(article_id);
        refs_of.extend(refs.iter().map(|r| (article_id, r)));
        if let Some(f) = fresh {
            // The listing had no body: keep what the single-article read said.
            sqlx::query("UPDATE articles SET title = $1, is_published = $2, author = COALESCE($3, author) WHERE id = $4")
                .bind(&f.title)
                .bind(i64::from(f.is_published))
                .bind(&f.author)
                .bind(article_id)
                .execute(&mut *tx)
                .await?;
        }
        if fresh.is_some() {
            sqlx::query("UPDATE articles SET content = $1, status = 'completed', error = NULL, updated_at = $2 WHERE id = $3")
                .bind(content)
                .bind(&ts)
                .bind(article_id)
                .execute(&mut *tx)
                .await?;
        } else {
            // The HTML came from the listing and is stored already: writing
            // the same bytes again would only cost time.
            listed.push(article_id);
        }
    }
    for chunk in read.chunks(super::rows_per_statement(pool, 1)) {
        let sql = format!(
            "DELETE FROM article_images WHERE article_id IN ({})",
            super::placeholders_from(1, chunk.len())
        );
        let q = chunk.iter().fold(sqlx::query(&sql), |q, id| q.bind(*id));
        q.execute(&mut *tx).await?;
    }
    for chunk in listed.chunks(super::rows_per_statement(pool, 1)) {
        let sql = format!(
            "UPDATE articles SET status = 'completed', error = NULL, updated_at = $1 WHERE id IN ({})",
            super::placeholders_from(2, chunk.len())
        );
        let q = chunk
            .iter()
            .fold(sqlx::query(&sql).bind(&ts), |q, id| q.bind(*id));
        q.execute(&mut *tx).await?;
    }
    for chunk in refs_of.chunks(super::rows_per_statement(pool, 6)) {
        let sql = format!(
            "INSERT INTO article_images (article_id, position, url, alt, width_attr, height_attr) VALUES {}",
            super::values_list(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for (article_id, r) in chunk {
            q = q
                .bind(*article_id)
                .bind(r.position as i64)
                .bind(&r.url)
                .bind(&r.alt)
                .bind(r.width_attr.map(i64::from))
                .bind(r.height_attr.map(i64::from));
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn fail_article(pool: &Pool, article_id: &str, error: &str) -> Result<()> {
    sqlx::query("UPDATE articles SET status = 'failed', error = $1, updated_at = $2 WHERE id = $3")
        .bind(error)
        .bind(now())
        .bind(article_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Distinct image URLs referenced by the job's articles that have not been
/// downloaded yet. This is what makes a resumed job skip finished images.
pub async fn urls_to_fetch(pool: &Pool, job_id: &str) -> Result<Vec<String>> {
    let urls = sqlx::query_scalar(
        "SELECT DISTINCT ai.url FROM article_images ai JOIN articles a ON a.id = ai.article_id
         WHERE a.job_id = $1 AND NOT EXISTS (SELECT 1 FROM images i WHERE i.job_id = $1 AND i.url = ai.url)
         ORDER BY ai.url",
    )
    .bind(job_id)
    .fetch_all(pool)
    .await?;
    Ok(urls)
}

/// [`urls_to_fetch`] for the references of these articles only: what a
/// page of articles just recorded adds to the downloads.
pub async fn urls_to_fetch_of(
    pool: &Pool,
    job_id: &str,
    article_ids: &[&str],
) -> Result<Vec<String>> {
    if article_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Ids travel as one JSON array: one statement whatever the page size.
    let ids = serde_json::to_string(article_ids).unwrap_or_else(|_| "[]".into());
    // Each engine's function for the elements of a JSON array (as text).
    let elements = match super::engine(pool) {
        super::Engine::Sqlite => "json_each($2)",
        super::Engine::Postgres => "json_array_elements_text(CAST($2 AS json))",
    };
    let sql = format!(
        "SELECT DISTINCT ai.url FROM article_images ai
         WHERE ai.article_id IN (SELECT value FROM {elements})
           AND NOT EXISTS (SELECT 1 FROM images i WHERE i.job_id = $1 AND i.url = ai.url)
         ORDER BY ai.url"
    );
    let urls = sqlx::query_scalar(&sql)
        .bind(job_id)
        .bind(ids)
        .fetch_all(pool)
        .await?;
    Ok(urls)
}

/// One analysed image, ready to store.
#[derive(Debug, Clone)]
pub struct ImageRecord {
    pub url: String,
    pub name: String,
    pub status_code: u16,
    pub kind: String,
    pub width: u32,
    pub height: u32,
    pub size: u64,
    pub hash: String,
    pub phash: Option<String>,
    pub metadata: std::collections::BTreeMap<String, String>,
    pub thumbnail: Option<String>,
    pub content_type: Option<String>,
    pub last_modified: Option<String>,
    pub problem: Option<String>,
}

pub async fn store_images(pool: &Pool, job_id: &str, images: &[ImageRecord]) -> Result<()> {
    super::retrying_deadlocks(|| store_images_once(pool, job_id, images)).await
}

async fn store_images_once(pool: &Pool, job_id: &str, images: &[ImageRecord]) -> Result<()> {
    // One row per URL in a statement: PostgreSQL refuses an upsert that
    // touches a row twice. The last record of a URL wins, as row by row.
    let mut last: HashMap<&str, &ImageRecord> = HashMap::with_capacity(images.len());
    for i in images {
        last.insert(&i.url, i);
    }
    let unique: Vec<&ImageRecord> = images
        .iter()
        .filter(|i| std::ptr::eq(last[i.url.as_str()], *i))
        .collect();
    let mut tx = pool.begin().await?;
    let ts = now();
    for chunk in unique.chunks(super::rows_per_statement(pool, 16)) {
        let sql = format!(
            "INSERT INTO images (job_id, url, name, status_code, kind, width, height, size, hash, phash, metadata, thumbnail, content_type, last_modified, problem, fetched_at)
             VALUES {}
             ON CONFLICT (job_id, url) DO UPDATE SET name = excluded.name, status_code = excluded.status_code,
                kind = excluded.kind, width = excluded.width, height = excluded.height, size = excluded.size,
                hash = excluded.hash, phash = excluded.phash, metadata = excluded.metadata,
                thumbnail = excluded.thumbnail, content_type = excluded.content_type,
                last_modified = excluded.last_modified, problem = excluded.problem, fetched_at = excluded.fetched_at",
            super::values_list(chunk.len(), 16)
        );
        let mut q = sqlx::query(&sql);
        for i in chunk {
            q = q
                .bind(job_id)
                .bind(&i.url)
                .bind(&i.name)
                .bind(i.status_code as i64)
                .bind(&i.kind)
                .bind(i.width as i64)
                .bind(i.height as i64)
                .bind(i.size as i64)
                .bind(&i.hash)
                .bind(&i.phash)
                .bind(serde_json::to_string(&i.metadata).unwrap_or_else(|_| "{}".into()))
                .bind(&i.thumbnail)
                .bind(&i.content_type)
                .bind(&i.last_modified)
                .bind(&i.problem)
                .bind(&ts);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Of a job's images: how many were downloaded, how many of those are
/// broken (answered other than 2xx), and how many distinct URLs its
/// articles reference.
pub async fn image_counts(pool: &Pool, job_id: &str) -> Result<(u64, u64, u64)> {
    let (downloaded, broken): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status_code BETWEEN 200 AND 299 THEN 0 ELSE 1 END), 0) FROM images WHERE job_id = $1",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await?;
    let distinct: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT ai.url) FROM article_images ai JOIN articles a ON a.id = ai.article_id WHERE a.job_id = $1",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await?;
    Ok((downloaded as u64, broken as u64, distinct as u64))
}
