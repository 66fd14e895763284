//! The import job (seed 000): list every article, read each one's HTML, find
//! every image, download and analyse each distinct image URL once.
//!
//! Three phases, each persisted as it goes so a job killed anywhere resumes:
//! 1. listing: every page is stored with the cursor of the next one;
//! 2. articles: each pending article's images are recorded in one transaction;
//! 3. images: each URL not yet in `images` is downloaded (bounded concurrency),
//!    analysed off the async runtime and stored with its thumbnail.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::db::jobs::{self, ImageRecord, JobStatus, PendingArticle};
use crate::db::views;
use crate::error::{CoreError, Result};
use crate::html;
use crate::http::{self, HttpClient, HttpConfig};
use crate::imaging::{self, ImageLimits};
use crate::providers::{ArticleRef, HelpCenter};

/// Live counts of a running import, sent to front ends after every step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub job_id: String,
    /// listing | articles | images | done
    pub phase: String,
    pub articles_discovered: u64,
    pub articles_processed: u64,
    pub articles_failed: u64,
    pub image_refs: u64,
    pub images_to_download: u64,
    pub images_downloaded: u64,
    pub broken: u64,
    pub duplicates: u64,
    /// What the job is waiting for, when it waits longer than a moment
    /// ("rate limited by HelpCenter.io, resuming in 52 s"); `None` otherwise.
    #[serde(default)]
    pub notice: Option<String>,
}

pub type ProgressFn = Arc<dyn Fn(ImportProgress) + Send + Sync>;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Image downloads in flight at once.
    pub image_concurrency: usize,
    pub limits: ImageLimits,
    /// Longest side of stored thumbnails, in pixels.
    pub thumbnail_side: u32,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            image_concurrency: 8,
            limits: ImageLimits::default(),
            thumbnail_side: 320,
        }
    }
}

/// Everything one import run needs.
pub struct ImportRun<'a> {
    pool: &'a SqlitePool,
    data_dir: &'a Path,
    help_center: &'a dyn HelpCenter,
    job_id: String,
    options: ImportOptions,
    progress: ProgressFn,
    cancel: CancellationToken,
    /// When progress was last sent: counting is a few queries, so it is
    /// throttled rather than run after every article.
    last_report: Mutex<Option<Instant>>,
    /// The last counts sent, repeated with a notice during a long retry wait.
    last_progress: Arc<Mutex<Option<ImportProgress>>>,
}

/// Progress is sent at most this often (and always at phase ends).
const REPORT_EVERY: Duration = Duration::from_millis(150);

/// The client used for image hosts: not the provider's rate limit (images come
/// from CDNs), but the same retries, timeouts, caps and scheme checks.
pub fn image_client() -> Result<HttpClient> {
    HttpClient::new(HttpConfig::new("image host"))
}

impl<'a> ImportRun<'a> {
    pub fn new(
        pool: &'a SqlitePool,
        data_dir: &'a Path,
        help_center: &'a dyn HelpCenter,
        job_id: String,
        options: ImportOptions,
        progress: ProgressFn,
        cancel: CancellationToken,
    ) -> Self {
        ImportRun {
            pool,
            data_dir,
            help_center,
            job_id,
            options,
            progress,
            cancel,
            last_report: Mutex::new(None),
            last_progress: Arc::new(Mutex::new(None)),
        }
    }

    /// Runs (or resumes) the job to its end and records how it ended.
    pub async fn run(&self) -> Result<()> {
        jobs::set_status(self.pool, &self.job_id, JobStatus::Running, None).await?;
        let outcome = http::observe_waits(self.wait_hook(), self.phases()).await;
        let (status, error) = match &outcome {
            Ok(()) => (JobStatus::Completed, None),
            Err(CoreError::Cancelled) => (JobStatus::Cancelled, None),
            Err(e) => (JobStatus::Failed, Some(e.to_string())),
        };
        jobs::set_status(self.pool, &self.job_id, status, error.as_deref()).await?;
        self.report("done").await?;
        outcome
    }

    async fn phases(&self) -> Result<()> {
        self.list_all().await?;
        self.process_articles().await?;
        self.download_images().await
    }

    fn check_cancel(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(CoreError::Cancelled)
        } else {
            Ok(())
        }
    }

    async fn report(&self, phase: &str) -> Result<()> {
        {
            let mut last = self.last_report.lock().unwrap_or_else(|e| e.into_inner());
            let due = phase == "done" || last.is_none_or(|t| t.elapsed() >= REPORT_EVERY);
            if !due {
                return Ok(());
            }
            *last = Some(Instant::now());
        }
        let p = progress_of(self.pool, &self.job_id, phase)
            .instrument(tracing::debug_span!("import.database"))
            .await?;
        *self.last_progress.lock().unwrap_or_else(|e| e.into_inner()) = Some(p.clone());
        (self.progress)(p);
        Ok(())
    }

    /// Long retry waits (a provider's rate limit) are reported with the last
    /// counts and a notice, every second, so the job never looks stuck.
    fn wait_hook(&self) -> http::WaitHook {
        let last = Arc::clone(&self.last_progress);
        let progress = Arc::clone(&self.progress);
        let job_id = self.job_id.clone();
        Arc::new(move |wait: &http::RetryWait| {
            let mut p = last
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .unwrap_or_else(|| ImportProgress {
                    job_id: job_id.clone(),
                    phase: "listing".into(),
                    ..Default::default()
                });
            p.notice = (!wait.remaining.is_zero()).then(|| wait.message());
            progress(p);
        })
    }

    /// Phase 1: every page of the listing, resuming at the stored cursor.
    async fn list_all(&self) -> Result<()> {
        // A bounded loop: a provider that never stops paginating is an error.
        const MAX_PAGES: usize = 100_000;
        for _ in 0..MAX_PAGES {
            let job = jobs::get(self.pool, &self.job_id).await?;
            if job.listing_done {
                return Ok(());
            }
            self.check_cancel()?;
            let list = self
                .help_center
                .list_articles(job.list_cursor.as_deref())
                .instrument(tracing::debug_span!("import.list"));
            let page = tokio::select! {
                page = list => page?,
                _ = self.cancel.cancelled() => return Err(CoreError::Cancelled),
            };
            if page.next.is_some() && page.next == job.list_cursor {
                return Err(CoreError::Garbage {
                    provider: self.help_center.kind().display_name().into(),
                    endpoint: "article listing".into(),
                    detail: "the next page is the same page again".into(),
                });
            }
            jobs::store_page(
                self.pool,
                &self.job_id,
                &page.articles,
                &page.failed,
                page.next.as_deref(),
            )
            .instrument(tracing::debug_span!("import.database"))
            .await?;
            self.report("listing").await?;
        }
        Err(CoreError::Garbage {
            provider: self.help_center.kind().display_name().into(),
            endpoint: "article listing".into(),
            detail: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// Phase 2: read each pending article (from the listing, or fetched) and
    /// record its image references. An unreadable article fails alone.
    async fn process_articles(&self) -> Result<()> {
        let pending = jobs::pending_articles(self.pool, &self.job_id).await?;
        for article in pending {
            self.check_cancel()?;
            match self.read_article(&article).await {
                Ok(()) => {}
                Err(CoreError::Cancelled) => return Err(CoreError::Cancelled),
                Err(e) if is_fatal(&e) => return Err(e),
                Err(e) => jobs::fail_article(self.pool, &article.id, &e.to_string()).await?,
            }
            self.report("articles").await?;
        }
        Ok(())
    }

    async fn read_article(&self, article: &PendingArticle) -> Result<()> {
        let (content, fresh) = match &article.content {
            Some(html) => (html.clone(), None),
            None => {
                let r =
                    ArticleRef::with_locale(article.external_id.clone(), article.locale.clone());
                let remote = tokio::select! {
                    r = self.help_center.get_article(&r) => r?,
                    _ = self.cancel.cancelled() => return Err(CoreError::Cancelled),
                };
                let html = remote.html.clone().ok_or_else(|| CoreError::Garbage {
                    provider: self.help_center.kind().display_name().into(),
                    endpoint: format!("article {}", article.external_id),
                    detail: "the article has no HTML body".into(),
                })?;
                (html, Some(remote))
            }
        };
        let base = crate::providers::image_base(self.help_center, &article.url);
        let refs =
            tracing::debug_span!("import.html").in_scope(|| html::extract_images(&content, base))?;
        jobs::complete_article(self.pool, &article.id, &content, &refs, fresh.as_ref())
            .instrument(tracing::debug_span!("import.database"))
            .await
    }

    /// Phase 3: download and analyse every URL not yet stored.
    async fn download_images(&self) -> Result<()> {
        let urls = jobs::urls_to_fetch(self.pool, &self.job_id)
            .instrument(tracing::debug_span!("import.database"))
            .await?;
        if urls.is_empty() {
            return Ok(());
        }
        let client = image_client()?;
        let thumbs = self.data_dir.join("thumbnails").join(&self.job_id);
        std::fs::create_dir_all(&thumbs)?;
        let mut results = stream::iter(urls)
            .map(|url| {
                let client = client.clone();
                let options = self.options.clone();
                let thumbs = thumbs.clone();
                let data_dir = self.data_dir.to_path_buf();
                async move {
                    fetch_and_analyse(&client, &url, &options, Some((&data_dir, &thumbs))).await
                }
            })
            .buffer_unordered(self.options.image_concurrency.max(1));
        let mut batch = Vec::new();
        loop {
            let next = tokio::select! {
                n = results.next() => n,
                _ = self.cancel.cancelled() => None,
            };
            let Some(record) = next else { break };
            batch.push(record?);
            // Small batches: few transactions, little lost if killed.
            if batch.len() >= 16 {
                jobs::store_images(self.pool, &self.job_id, &batch)
                    .instrument(tracing::debug_span!("import.database"))
                    .await?;
                batch.clear();
                self.report("images").await?;
            }
        }
        jobs::store_images(self.pool, &self.job_id, &batch)
            .instrument(tracing::debug_span!("import.database"))
            .await?;
        self.check_cancel()
    }
}

/// Errors that stop the whole job rather than one article: the provider
/// refused us or our own database failed.
fn is_fatal(e: &CoreError) -> bool {
    matches!(
        e,
        CoreError::BadCredentials { .. }
            | CoreError::RateLimited { .. }
            | CoreError::Db(_)
            | CoreError::Io(_)
            | CoreError::Unreachable { .. }
    )
}

/// Downloads and analyses one image without keeping a thumbnail (live
/// article retrieval).
pub async fn analyse_url(
    client: &HttpClient,
    url: &str,
    options: &ImportOptions,
) -> Result<ImageRecord> {
    let mut options = options.clone();
    options.thumbnail_side = 0;
    fetch_and_analyse(client, url, &options, None).await
}

/// Downloads one image URL (or decodes a data: URI) and analyses it; with
/// `thumbs = Some((data_dir, dir))` also stores its thumbnail there.
/// A broken image is a record, never an error.
async fn fetch_and_analyse(
    client: &HttpClient,
    url: &str,
    options: &ImportOptions,
    thumbs: Option<(&Path, &Path)>,
) -> Result<ImageRecord> {
    let name = imaging::file_name_from_url(url);
    let (status, bytes, content_type, last_modified, fetch_problem) = if url.starts_with("data:") {
        match decode_data_uri(url) {
            Some((bytes, ct)) => (200, bytes, Some(ct), None, None),
            None => (
                0,
                Vec::new(),
                None,
                None,
                Some("the data: URI is not valid base64".to_owned()),
            ),
        }
    } else {
        let fetch = client
            .fetch_image(url, options.limits.max_bytes)
            .instrument(tracing::debug_span!("import.fetch"));
        match fetch.await {
            Ok(f) if f.too_large => (
                f.status,
                Vec::new(),
                f.content_type,
                f.last_modified,
                Some(format!(
                    "larger than the {} MiB cap",
                    options.limits.max_bytes >> 20
                )),
            ),
            Ok(f) => (f.status, f.bytes, f.content_type, f.last_modified, None),
            Err(CoreError::Cancelled) => return Err(CoreError::Cancelled),
            Err(e) => (0, Vec::new(), None, None, Some(e.to_string())),
        }
    };
    // Seed 000: a broken image has size 0 and the hash of empty input.
    let body = if (200..300).contains(&status) {
        bytes
    } else {
        Vec::new()
    };
    let limits = options.limits.clone();
    let side = options.thumbnail_side;
    // One decode gives the analysis and the thumbnail.
    let (analysis, thumb) = tokio::task::spawn_blocking(move || {
        if side > 0 {
            imaging::analyse_with_thumbnail(&body, &limits, side)
        } else {
            (imaging::analyse(&body, &limits), None)
        }
    })
    .await
    .map_err(|e| CoreError::Image(format!("image analysis stopped: {e}")))?;
    let thumbnail = match (thumb, thumbs) {
        (Some(bytes), Some((data_dir, dir))) => Some(
            tracing::debug_span!("import.thumbnail")
                .in_scope(|| store_thumbnail(data_dir, dir, &analysis.sha256, &bytes))?,
        ),
        _ => None,
    };
    Ok(ImageRecord {
        url: url.to_owned(),
        name,
        status_code: status,
        kind: analysis.kind.clone(),
        width: analysis.width,
        height: analysis.height,
        size: analysis.size,
        hash: analysis.sha256.clone(),
        phash: analysis.phash.clone(),
        metadata: analysis.metadata.clone(),
        thumbnail,
        content_type,
        last_modified,
        problem: fetch_problem.or(analysis.problem),
    })
}

/// Thumbnails are named by content hash: the same bytes at many URLs share one file.
fn store_thumbnail(data_dir: &Path, dir: &Path, sha256: &str, bytes: &[u8]) -> Result<String> {
    let path: PathBuf = dir.join(format!("{sha256}.png"));
    if !path.exists() {
        let tmp = dir.join(format!("{sha256}.png.part"));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(path
        .strip_prefix(data_dir)
        .unwrap_or(&path)
        .to_string_lossy()
        .into_owned())
}

fn decode_data_uri(uri: &str) -> Option<(Vec<u8>, String)> {
    use base64::Engine;
    let rest = uri.strip_prefix("data:")?;
    let (meta, data) = rest.split_once(',')?;
    let content_type = meta.split(';').next().unwrap_or("").to_owned();
    if meta.ends_with(";base64") {
        let cleaned: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(cleaned)
            .ok()?;
        Some((bytes, content_type))
    } else {
        let bytes = percent_encoding::percent_decode_str(data).collect();
        Some((bytes, content_type))
    }
}

/// Live counts of a job, computed from what is stored.
pub async fn progress_of(pool: &SqlitePool, job_id: &str, phase: &str) -> Result<ImportProgress> {
    let (_, totals) = views::totals(pool, job_id).await?;
    let (downloaded, broken, to_download) = image_counts(pool, job_id).await?;
    Ok(ImportProgress {
        job_id: job_id.to_owned(),
        phase: phase.to_owned(),
        articles_discovered: totals.articles.discovered,
        articles_processed: totals.articles.processed,
        articles_failed: totals.articles.failed,
        image_refs: totals.images.total,
        images_to_download: to_download,
        images_downloaded: downloaded,
        broken,
        duplicates: totals.images.duplicate,
        notice: None,
    })
}

async fn image_counts(pool: &SqlitePool, job_id: &str) -> Result<(u64, u64, u64)> {
    let (downloaded, broken): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(status_code NOT BETWEEN 200 AND 299), 0) FROM images WHERE job_id = ?",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await?;
    let distinct: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT ai.url) FROM article_images ai JOIN articles a ON a.id = ai.article_id WHERE a.job_id = ?",
    )
    .bind(job_id)
    .fetch_one(pool)
    .await?;
    Ok((downloaded as u64, broken as u64, distinct as u64))
}
