//! The read side: raw records of one job, loaded in a few queries, and the
//! counts of LaunchBrightly's import API computed in SQL.

use std::collections::{BTreeMap, HashMap};

use crate::db::Pool;
use futures::TryStreamExt;
use sqlx::Row;

use crate::error::Result;
use crate::model::{ArticleTotals, ImageTotals, Summary, Totals};

#[derive(Debug, Clone)]
pub struct ArticleRec {
    pub id: String,
    pub external_id: String,
    pub locale: Option<String>,
    pub title: String,
    pub url: String,
    pub is_published: bool,
    pub tags: Vec<String>,
    pub content: Option<String>,
    pub status: String,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct RefRec {
    pub article_id: String,
    pub position: u32,
    pub url: String,
    pub alt: String,
    pub width_attr: Option<u32>,
    pub height_attr: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct ImageRec {
    pub url: String,
    pub name: String,
    pub status_code: u16,
    pub kind: String,
    pub width: u32,
    pub height: u32,
    pub size: u64,
    pub hash: String,
    pub phash: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub thumbnail: Option<String>,
    pub content_type: Option<String>,
    pub last_modified: Option<String>,
    pub problem: Option<String>,
}

impl ImageRec {
    /// Whether the download failed ([`crate::model::is_broken_status`]).
    pub fn is_broken(&self) -> bool {
        crate::model::is_broken_status(self.status_code)
    }
}

/// Everything of one job, for building views.
#[derive(Debug, Default)]
pub struct JobData {
    pub articles: Vec<ArticleRec>,
    /// In article order, then document order.
    pub refs: Vec<RefRec>,
    pub images: HashMap<String, ImageRec>,
}

fn locale_of(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

fn article_from_row(r: &sqlx::any::AnyRow) -> Result<ArticleRec> {
    let tags: String = r.try_get("tags")?;
    Ok(ArticleRec {
        id: r.try_get("id")?,
        external_id: r.try_get("external_id")?,
        locale: locale_of(r.try_get("locale")?),
        title: r.try_get("title")?,
        url: r.try_get("url")?,
        is_published: r.try_get::<i64, _>("is_published")? != 0,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        content: r.try_get("content")?,
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn image_from_row(r: &sqlx::any::AnyRow) -> Result<ImageRec> {
    let metadata: String = r.try_get("metadata")?;
    Ok(ImageRec {
        url: r.try_get("url")?,
        name: r.try_get("name")?,
        status_code: r.try_get::<i64, _>("status_code")? as u16,
        kind: r.try_get("kind")?,
        width: r.try_get::<i64, _>("width")? as u32,
        height: r.try_get::<i64, _>("height")? as u32,
        size: r.try_get::<i64, _>("size")? as u64,
        hash: r.try_get("hash")?,
        phash: r.try_get("phash")?,
        metadata: serde_json::from_str(&metadata).unwrap_or_default(),
        thumbnail: r.try_get("thumbnail")?,
        content_type: r.try_get("content_type")?,
        last_modified: r.try_get("last_modified")?,
        problem: r.try_get("problem")?,
    })
}

/// Whether article records carry their HTML. Only the articles dimension
/// and matching read it; the images dimension of a large help center would
/// otherwise hold every article's HTML for nothing while it builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    With,
    Without,
}

pub async fn articles(pool: &Pool, job_id: &str) -> Result<Vec<ArticleRec>> {
    articles_with(pool, job_id, Content::With).await
}

/// The job's articles in import order. Rows are converted as they arrive
/// (not all fetched first), so a large job never holds its rows twice.
pub async fn articles_with(pool: &Pool, job_id: &str, content: Content) -> Result<Vec<ArticleRec>> {
    let content = match content {
        Content::With => "content",
        Content::Without => "NULL AS content",
    };
    let sql = format!(
        "SELECT id, external_id, locale, title, url, is_published, tags, {content},
                status, error, created_at, updated_at
         FROM articles WHERE job_id = $1 ORDER BY rowid"
    );
    let mut rows = sqlx::query(&sql).bind(job_id).fetch(pool);
    let mut out = Vec::new();
    while let Some(r) = rows.try_next().await? {
        out.push(article_from_row(&r)?);
    }
    Ok(out)
}

pub async fn article(pool: &Pool, job_id: &str, article_id: &str) -> Result<Option<ArticleRec>> {
    let row = sqlx::query("SELECT * FROM articles WHERE job_id = $1 AND id = $2")
        .bind(job_id)
        .bind(article_id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(article_from_row).transpose()
}

pub async fn refs(pool: &Pool, job_id: &str) -> Result<Vec<RefRec>> {
    let mut rows = sqlx::query(
        "SELECT ai.* FROM article_images ai JOIN articles a ON a.id = ai.article_id
         WHERE a.job_id = $1 ORDER BY a.rowid, ai.position",
    )
    .bind(job_id)
    .fetch(pool);
    let mut out = Vec::new();
    while let Some(r) = rows.try_next().await? {
        out.push(RefRec {
            article_id: r.try_get("article_id")?,
            position: r.try_get::<i64, _>("position")? as u32,
            url: r.try_get("url")?,
            alt: r.try_get("alt")?,
            width_attr: r.try_get::<Option<i64>, _>("width_attr")?.map(|v| v as u32),
            height_attr: r
                .try_get::<Option<i64>, _>("height_attr")?
                .map(|v| v as u32),
        });
    }
    Ok(out)
}

/// The image URLs one imported article document showed.
pub async fn image_urls_of(pool: &Pool, article_id: &str) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT url FROM article_images WHERE article_id = $1")
            .bind(article_id)
            .fetch_all(pool)
            .await?,
    )
}

pub async fn images(pool: &Pool, job_id: &str) -> Result<HashMap<String, ImageRec>> {
    let mut rows = sqlx::query("SELECT * FROM images WHERE job_id = $1")
        .bind(job_id)
        .fetch(pool);
    let mut out = HashMap::new();
    while let Some(r) = rows.try_next().await? {
        let image = image_from_row(&r)?;
        out.insert(image.url.clone(), image);
    }
    Ok(out)
}

pub async fn job_data(pool: &Pool, job_id: &str) -> Result<JobData> {
    job_data_with(pool, job_id, Content::With).await
}

pub async fn job_data_with(pool: &Pool, job_id: &str, content: Content) -> Result<JobData> {
    Ok(JobData {
        articles: articles_with(pool, job_id, content).await?,
        refs: refs(pool, job_id).await?,
        images: images(pool, job_id).await?,
    })
}

/// The counts of LaunchBrightly's import API, with these meanings:
/// - articles: `discovered` = seen in the listing; `processed` = finished either way.
/// - images: `total` = every reference; `unique` = distinct images, where an
///   image that downloaded counts once per distinct content (SHA-256) and
///   anything else (broken, not yet downloaded) counts once per URL;
///   `duplicate` = total - unique.
pub async fn totals(pool: &Pool, job_id: &str) -> Result<(Summary, Totals)> {
    let a = sqlx::query(
        "SELECT COUNT(*) AS discovered,
                SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS success,
                SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
                SUM(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS skipped,
                SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending,
                COUNT(DISTINCT author) AS authors
         FROM articles WHERE job_id = $1",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await?;
    let n =
        |name: &str| -> Result<u64> { Ok(a.try_get::<Option<i64>, _>(name)?.unwrap_or(0) as u64) };
    let (discovered, success, failed, skipped, pending) = (
        n("discovered")?,
        n("success")?,
        n("failed")?,
        n("skipped")?,
        n("pending")?,
    );
    let authors = n("authors")?;

    let i = sqlx::query(
        "SELECT COUNT(*) AS total,
                COUNT(DISTINCT CASE WHEN i.status_code BETWEEN 200 AND 299 AND i.size > 0
                                    THEN 'h:' || i.hash ELSE 'u:' || ai.url END) AS uniq
         FROM article_images ai
         JOIN articles a ON a.id = ai.article_id
         LEFT JOIN images i ON i.job_id = a.job_id AND i.url = ai.url
         WHERE a.job_id = $1",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await?;
    let total: i64 = i.try_get("total")?;
    let unique: i64 = i.try_get("uniq")?;

    let summary = Summary {
        total: discovered,
        success,
        pending,
        failed,
        skipped,
    };
    let totals = Totals {
        articles: ArticleTotals {
            discovered,
            processed: success + failed + skipped,
            total: discovered,
            success,
            pending,
            failed,
            skipped,
        },
        images: ImageTotals {
            total: total as u64,
            unique: unique as u64,
            duplicate: (total - unique).max(0) as u64,
        },
        authors,
    };
    Ok((summary, totals))
}
