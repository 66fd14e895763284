//! The import job (LaunchBrightly's import API): list every article, read each one's HTML, find
//! every image, download and analyse each distinct image URL once.
//!
//! Three phases, each persisted as it goes so a job killed anywhere resumes:
//! 1. listing: every page is stored with the cursor of the next one;
//! 2. articles: pending articles are read a page at a time, and each page's
//!    image references are recorded in one transaction;
//! 3. images: each URL not yet in `images` is downloaded and analysed, and
//!    stored with its thumbnail.
//!
//! Phases 2 and 3 overlap: every recorded page of articles hands its new
//! URLs to the downloads at once. Downloads run as many at a time as keep
//! the CPU busy given the latency observed (Little's law, see
//! [`Pipeline`]), at most `image_concurrency` per host; analysis (decode,
//! hashes, thumbnail) runs on a pool of one thread per core, so latency
//! never idles the CPU and the CPU never idles the network, and memory
//! holds only the images in the pipeline, not the help center.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::db::Pool;
use futures::stream::{self, FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::db::jobs::{self, ArticleOutcome, ImageRecord, PendingArticle};
use crate::db::views;
use crate::error::{CoreError, Result};
use crate::held_job::HeldJob;
use crate::html;
use crate::http::{self, HttpClient, HttpConfig};
use crate::imaging::{self, ImageLimits};
use crate::providers::{ArticleRef, HelpCenter};

/// Where an import stands. The phases overlap (articles are read while the
/// listing goes on, images download while articles are read); a report names
/// the earliest one still running.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ImportPhase {
    /// Reading the help center's article listing.
    #[default]
    Listing,
    /// Reading articles and finding their images.
    Articles,
    /// Downloading and analysing images.
    Images,
    /// Finished: every article and image was handled.
    Done,
    /// Not running and not finished (failed, cancelled or interrupted).
    Stopped,
}

impl ImportPhase {
    /// The word the JSON answer uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportPhase::Listing => "listing",
            ImportPhase::Articles => "articles",
            ImportPhase::Images => "images",
            ImportPhase::Done => "done",
            ImportPhase::Stopped => "stopped",
        }
    }
}

impl std::fmt::Display for ImportPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Live counts of a running import, sent to front ends after every step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    pub job_id: String,
    /// listing | articles | images | done
    pub phase: ImportPhase,
    pub articles_discovered: u64,
    pub articles_processed: u64,
    pub articles_failed: u64,
    pub image_refs: u64,
    pub images_to_download: u64,
    pub images_downloaded: u64,
    pub broken: u64,
    /// Repeated uses so far ([`crate::model::ImageTotals::duplicate`]).
    pub duplicates: u64,
    /// What the job is waiting for, when it waits longer than a moment
    /// ("rate limited by HelpCenter.io, resuming in 52 s"); `None` otherwise.
    #[serde(default)]
    pub notice: Option<String>,
}

pub type ProgressFn = Arc<dyn Fn(ImportProgress) + Send + Sync>;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Most image downloads in flight at once on one image host; fewer
    /// while the CPU, not the network, is what limits the import.
    pub image_concurrency: usize,
    pub limits: ImageLimits,
    /// Longest side of stored thumbnails, in pixels.
    pub thumbnail_side: u32,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            image_concurrency: DEFAULT_IMAGE_CONCURRENCY,
            limits: ImageLimits::default(),
            thumbnail_side: 320,
        }
    }
}

/// Default for [`ImportOptions::image_concurrency`]: enough to keep two
/// cores busy behind a CDN 100 ms away, few enough for any image host.
pub const DEFAULT_IMAGE_CONCURRENCY: usize = 32;

/// Pending articles read and recorded together, in one transaction.
const ARTICLE_PAGE: i64 = 200;
/// Single-article reads at once, for providers whose listing has no bodies
/// (the integration's rate limiter still paces them).
const ARTICLE_READS: usize = 8;
/// Analysed images waiting for the database writer.
const RECORD_QUEUE: usize = 256;
/// Most image rows written in one transaction.
const RECORD_BATCH: usize = 128;

/// Everything one import run needs.
pub struct ImportRun<'a> {
    pool: &'a Pool,
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
    /// The phase last reported: a new phase is reported at once.
    last_phase: Mutex<Option<ImportPhase>>,
    /// How long counting the progress took last time.
    report_cost: Mutex<Duration>,
    /// Set once every article is read: until then progress says "articles"
    /// even while images already download.
    articles_done: AtomicBool,
    /// Set once the listing is complete; `page_stored` wakes the article
    /// reader after each stored page (and at the end).
    listed: AtomicBool,
    page_stored: Notify,
    /// One write transaction at a time from this job: a writer waiting here
    /// starts the moment the other commits, where SQLite's busy handler
    /// would sleep for up to tens of milliseconds between retries.
    writes: tokio::sync::Mutex<()>,
}

/// Progress is sent at most this often (and at every change of phase),
/// less often when counting takes long.
const REPORT_EVERY: Duration = Duration::from_millis(150);

/// The client used for image hosts: not the provider's rate limit (images come
/// from CDNs), but the same retries, timeouts, caps and scheme checks.
pub fn image_client() -> Result<HttpClient> {
    HttpClient::new(HttpConfig::new("image host"))
}

impl<'a> ImportRun<'a> {
    pub fn new(
        pool: &'a Pool,
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
            last_phase: Mutex::new(None),
            report_cost: Mutex::new(Duration::ZERO),
            articles_done: AtomicBool::new(false),
            listed: AtomicBool::new(false),
            page_stored: Notify::new(),
            writes: tokio::sync::Mutex::new(()),
        }
    }

    /// Runs (or resumes) the job to its end, holding its lease, and records
    /// how it ended.
    pub async fn run(&self, held: &HeldJob) -> Result<()> {
        let outcome = held
            .keep_while(
                http::observe_waits(self.wait_hook(), self.phases()),
                &self.cancel,
            )
            .await;
        held.finish(&outcome).await?;
        self.report(ImportPhase::Done).await?;
        outcome
    }

    /// The three phases, overlapping: articles are read as soon as their
    /// listing page is stored, images downloaded as soon as their article
    /// page is recorded.
    async fn phases(&self) -> Result<()> {
        // Images an earlier run of this job recorded but did not download.
        let leftovers = jobs::urls_to_fetch(self.pool, &self.job_id)
            .instrument(tracing::debug_span!("import.database"))
            .await?;
        let (urls, incoming) = mpsc::channel(ARTICLE_PAGE as usize * 4);
        let listing = async {
            let listed = self.list_all().await;
            // Wakes the article reader whether the listing ended or failed
            // (then the join returns the failure).
            self.listed.store(true, Ordering::Release);
            self.page_stored.notify_one();
            listed
        };
        tokio::try_join!(
            listing,
            self.process_articles(urls),
            self.download_images(leftovers, incoming)
        )?;
        Ok(())
    }

    fn check_cancel(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(CoreError::Cancelled)
        } else {
            Ok(())
        }
    }

    async fn report(&self, phase: ImportPhase) -> Result<()> {
        let phase = if phase == ImportPhase::Images && !self.articles_done.load(Ordering::Relaxed) {
            ImportPhase::Articles
        } else {
            phase
        };
        {
            let mut last = self.last_report.lock().unwrap_or_else(|e| e.into_inner());
            let mut last_phase = self.last_phase.lock().unwrap_or_else(|e| e.into_inner());
            // Counting scans the job's rows: on a large job it is done
            // less often, so that it never takes more than a tenth of the time.
            let every =
                REPORT_EVERY.max(*self.report_cost.lock().unwrap_or_else(|e| e.into_inner()) * 10);
            let due = phase == ImportPhase::Done
                || *last_phase != Some(phase)
                || last.is_none_or(|t| t.elapsed() >= every);
            if !due {
                return Ok(());
            }
            *last = Some(Instant::now());
            *last_phase = Some(phase);
        }
        let counting = Instant::now();
        let p = progress_of(self.pool, &self.job_id, phase)
            .instrument(tracing::debug_span!("import.database"))
            .await?;
        *self.report_cost.lock().unwrap_or_else(|e| e.into_inner()) = counting.elapsed();
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
                    phase: ImportPhase::Listing,
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
            {
                let _write = self.writes.lock().await;
                jobs::store_page(
                    self.pool,
                    &self.job_id,
                    &page.articles,
                    &page.failed,
                    page.next.as_deref(),
                )
                .instrument(tracing::debug_span!("import.database"))
                .await?;
            }
            self.page_stored.notify_one();
            self.report(ImportPhase::Listing).await?;
        }
        Err(CoreError::Garbage {
            provider: self.help_center.kind().display_name().into(),
            endpoint: "article listing".into(),
            detail: format!("more than {MAX_PAGES} pages"),
        })
    }

    /// Phase 2: read pending articles a page at a time (from the listing, or
    /// fetched a few at once) and record each page's image references in
    /// one transaction; the URLs a page adds go to `urls` for download. An
    /// unreadable article fails alone.
    async fn process_articles(&self, urls: mpsc::Sender<String>) -> Result<()> {
        let mut after = i64::MIN;
        loop {
            self.check_cancel()?;
            let page = jobs::pending_articles_after(self.pool, &self.job_id, after, ARTICLE_PAGE)
                .instrument(tracing::debug_span!("import.database"))
                .await?;
            let Some(last) = page.last() else {
                // Read the listing's flag before waiting: a page stored
                // after the query above has left a wake-up behind.
                if self.listed.load(Ordering::Acquire) {
                    let more = jobs::pending_articles_after(self.pool, &self.job_id, after, 1)
                        .instrument(tracing::debug_span!("import.database"))
                        .await?;
                    if more.is_empty() {
                        break;
                    }
                    continue;
                }
                self.page_stored.notified().await;
                continue;
            };
            after = last.rowid;
            // Futures made in a loop, not by a closure: a closure's borrowed
            // future makes the import's future not `Send` for every lifetime,
            // which front ends that spawn it need.
            let mut reading = Vec::with_capacity(page.len());
            for article in &page {
                reading.push(self.read_article(article));
            }
            let reads: Vec<Result<ReadArticle>> = stream::iter(reading)
                .buffered(ARTICLE_READS)
                .collect()
                .await;
            let mut fatal = None;
            let mut outcomes = Vec::with_capacity(page.len());
            for (article, read) in page.iter().zip(reads) {
                match read {
                    Ok(r) => outcomes.push((article, Ok(r))),
                    Err(CoreError::Cancelled) => return Err(CoreError::Cancelled),
                    Err(e) if is_fatal(&e) => {
                        // What was read before it is kept, as one by one.
                        fatal = Some(e);
                        break;
                    }
                    Err(e) => outcomes.push((article, Err(e.to_string()))),
                }
            }
            let recorded: Vec<ArticleOutcome<'_>> = outcomes
                .iter()
                .map(|(a, r)| match r {
                    Ok(r) => ArticleOutcome::Completed {
                        id: &a.id,
                        content: &r.content,
                        refs: &r.refs,
                        fresh: r.fresh.as_ref(),
                    },
                    Err(error) => ArticleOutcome::Failed {
                        id: &a.id,
                        error: error.clone(),
                    },
                })
                .collect();
            {
                let _write = self.writes.lock().await;
                jobs::record_articles(self.pool, &recorded)
                    .instrument(tracing::debug_span!("import.database"))
                    .await?;
            }
            let read_ids: Vec<&str> = outcomes
                .iter()
                .filter(|(_, r)| r.is_ok())
                .map(|(a, _)| a.id.as_str())
                .collect();
            let new_urls = jobs::urls_to_fetch_of(self.pool, &self.job_id, &read_ids)
                .instrument(tracing::debug_span!("import.database"))
                .await?;
            for url in new_urls {
                // Closed only when the downloads stopped on an error, which
                // the join reports.
                if urls.send(url).await.is_err() {
                    return Ok(());
                }
            }
            if let Some(e) = fatal {
                return Err(e);
            }
            self.report(ImportPhase::Articles).await?;
        }
        self.articles_done.store(true, Ordering::Relaxed);
        Ok(())
    }

    async fn read_article(&self, article: &PendingArticle) -> Result<ReadArticle> {
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
        let refs = tracing::debug_span!("import.html")
            .in_scope(|| html::extract_images(&content, base))?;
        Ok(ReadArticle {
            content,
            refs,
            fresh,
        })
    }

    /// Phase 3: download and analyse `leftovers` and every URL that comes
    /// in from the articles, each once, while a writer stores the results.
    async fn download_images(
        &self,
        leftovers: Vec<String>,
        incoming: mpsc::Receiver<String>,
    ) -> Result<()> {
        let client = image_client()?;
        let thumbs = self.data_dir.join("thumbnails").join(&self.job_id);
        std::fs::create_dir_all(&thumbs)?;
        let (records, to_store) = mpsc::channel(RECORD_QUEUE);
        tokio::try_join!(
            self.fetch_all(&client, &thumbs, leftovers, incoming, records),
            self.store_all(to_store)
        )?;
        self.check_cancel()
    }

    /// Keeps the pipeline full: starts downloads while [`Pipeline`] wants
    /// more in flight and their host has room, and hands each finished
    /// record to the writer. Returns when everything is done or cancelled.
    async fn fetch_all(
        &self,
        client: &HttpClient,
        thumbs: &Path,
        leftovers: Vec<String>,
        mut incoming: mpsc::Receiver<String>,
        records: mpsc::Sender<ImageRecord>,
    ) -> Result<()> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut queue = HostQueues::default();
        for url in leftovers {
            if seen.insert(url.clone()) {
                queue.push(url);
            }
        }
        let mut pipeline = Pipeline::new(cpu_workers());
        let per_host = self.options.image_concurrency.max(1);
        let mut in_flight = FuturesUnordered::new();
        let mut open = true;
        loop {
            while in_flight.len() < pipeline.target() {
                let Some((host, url)) = queue.next(per_host) else {
                    break;
                };
                let dirs = Some((self.data_dir.to_path_buf(), thumbs.to_path_buf()));
                in_flight.push(async move {
                    let done = fetch_and_analyse(client, &url, &self.options, dirs).await;
                    (host, done)
                });
            }
            if in_flight.is_empty() && queue.is_empty() && !open {
                return Ok(());
            }
            tokio::select! {
                biased;
                _ = self.cancel.cancelled() => return Ok(()),
                Some((host, done)) = in_flight.next(), if !in_flight.is_empty() => {
                    queue.finished(&host);
                    let (record, timing) = done?;
                    pipeline.observe(timing);
                    if records.send(record).await.is_err() {
                        // The writer stopped on an error, which the join reports.
                        return Ok(());
                    }
                }
                url = incoming.recv(), if open => match url {
                    Some(url) => {
                        if seen.insert(url.clone()) {
                            queue.push(url);
                        }
                    }
                    None => open = false,
                },
            }
        }
    }

    /// Writes analysed images as they come, as many per transaction as are
    /// waiting (up to [`RECORD_BATCH`]): a killed job loses at most those.
    async fn store_all(&self, mut to_store: mpsc::Receiver<ImageRecord>) -> Result<()> {
        let mut batch = Vec::with_capacity(RECORD_BATCH);
        while to_store.recv_many(&mut batch, RECORD_BATCH).await > 0 {
            {
                let _write = self.writes.lock().await;
                jobs::store_images(self.pool, &self.job_id, &batch)
                    .instrument(tracing::debug_span!("import.database"))
                    .await?;
            }
            batch.clear();
            self.report(ImportPhase::Images).await?;
        }
        Ok(())
    }
}

/// One article's HTML and the images found in it.
struct ReadArticle {
    content: String,
    refs: Vec<html::ImageRef>,
    /// The single-article read, when the listing had no body.
    fresh: Option<crate::providers::RemoteArticle>,
}

/// URLs waiting for download, one queue per host, taken in turn from the
/// hosts that have fewer than the per-host limit in flight.
#[derive(Default)]
struct HostQueues {
    waiting: HashMap<String, VecDeque<String>>,
    /// Hosts with waiting URLs, in the order they get their turn.
    turns: VecDeque<String>,
    active: HashMap<String, usize>,
    len: usize,
}

impl HostQueues {
    fn push(&mut self, url: String) {
        let host = host_key(&url);
        let queue = self.waiting.entry(host.clone()).or_default();
        if queue.is_empty() {
            self.turns.push_back(host);
        }
        queue.push_back(url);
        self.len += 1;
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next URL of the next host with room, and that host.
    fn next(&mut self, per_host: usize) -> Option<(String, String)> {
        for _ in 0..self.turns.len() {
            let host = self.turns.pop_front()?;
            let active = self.active.entry(host.clone()).or_default();
            if *active >= per_host {
                self.turns.push_back(host);
                continue;
            }
            let queue = self.waiting.get_mut(&host)?;
            let url = queue.pop_front()?;
            *active += 1;
            self.len -= 1;
            if queue.is_empty() {
                self.waiting.remove(&host);
            } else {
                self.turns.push_back(host.clone());
            }
            return Some((host, url));
        }
        None
    }

    fn finished(&mut self, host: &str) {
        if let Some(n) = self.active.get_mut(host) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Scheme, host and port: what one connection pool serves. `data:` URIs
/// and unparsable URLs (recorded as broken without a request) share "".
fn host_key(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.host_str().is_some() => format!(
            "{}://{}:{}",
            u.scheme(),
            u.host_str().unwrap_or_default(),
            u.port_or_known_default().unwrap_or(0)
        ),
        _ => String::new(),
    }
}

/// How many downloads to keep in flight. By Little's law, keeping `w`
/// analysis workers busy when an image spends `f` seconds downloading and
/// `c` seconds on a core takes about `w * (f + c) / c` images in the
/// pipeline; one more per worker keeps a small queue in front of them.
/// `f` and `c` are moving averages of what this run measured, so a slow
/// CDN gets more requests in flight and a fast one no more than the CPU
/// can take (the host limit caps both).
struct Pipeline {
    workers: usize,
    fetch: Option<f64>,
    cpu: Option<f64>,
}

/// Weight of the newest measurement in the moving averages.
const EWMA: f64 = 0.2;

impl Pipeline {
    fn new(workers: usize) -> Self {
        Pipeline {
            workers: workers.max(1),
            fetch: None,
            cpu: None,
        }
    }

    fn target(&self) -> usize {
        let w = self.workers as f64;
        match (self.fetch, self.cpu) {
            (Some(f), Some(c)) if c > 0.0 => (w * (f + c) / c + w).ceil().min(1e6) as usize,
            // Before the first measurement: enough to find out quickly.
            _ => self.workers * 8,
        }
    }

    fn observe(&mut self, t: Timing) {
        let avg = |old: Option<f64>, new: Duration| {
            let new = new.as_secs_f64();
            Some(old.map_or(new, |o| o + EWMA * (new - o)))
        };
        self.fetch = avg(self.fetch, t.fetch);
        // Broken and undecodable images cost no analysis: only real work
        // says how long a core takes.
        if t.cpu > Duration::from_micros(200) {
            self.cpu = avg(self.cpu, t.cpu);
        }
    }
}

/// Where one image's time went.
#[derive(Debug, Clone, Copy, Default)]
struct Timing {
    fetch: Duration,
    cpu: Duration,
}

/// Analysis threads: one per core.
fn cpu_workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// The process-wide pool of analysis slots (one per core), shared by every
/// import and live analysis in the process: decoding is CPU-bound, and
/// more decodes than cores at once only add memory.
fn cpu_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(cpu_workers()))
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
    Ok(fetch_and_analyse(client, url, &options, None).await?.0)
}

/// Downloads one image URL (or decodes a data: URI) and analyses it on an
/// analysis slot; with `thumbs = Some((data_dir, dir))` also stores its
/// thumbnail there. A broken image is a record, never an error.
async fn fetch_and_analyse(
    client: &HttpClient,
    url: &str,
    options: &ImportOptions,
    thumbs: Option<(PathBuf, PathBuf)>,
) -> Result<(ImageRecord, Timing)> {
    let started = Instant::now();
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
    let fetched = started.elapsed();
    // LaunchBrightly's import API: a broken image has size 0 and the hash of empty input.
    let body = if (200..300).contains(&status) {
        bytes
    } else {
        Vec::new()
    };
    let limits = options.limits.clone();
    let side = options.thumbnail_side;
    let _slot = cpu_slots()
        .acquire()
        .await
        .map_err(|_| CoreError::Image("image analysis stopped: its pool is closed".into()))?;
    // One decode gives the analysis and the thumbnail; the thumbnail file is
    // written off the async runtime too.
    let (analysis, thumbnail, cpu) = tokio::task::spawn_blocking(move || {
        let t = Instant::now();
        let (analysis, thumb) = if side > 0 {
            imaging::analyse_with_thumbnail(&body, &limits, side)
        } else {
            (imaging::analyse(&body, &limits), None)
        };
        drop(body);
        let thumbnail = match (thumb, thumbs) {
            (Some(bytes), Some((data_dir, dir))) => Some(
                tracing::debug_span!("import.thumbnail")
                    .in_scope(|| store_thumbnail(&data_dir, &dir, &analysis.sha256, &bytes)),
            ),
            _ => None,
        };
        (analysis, thumbnail.transpose(), t.elapsed())
    })
    .await
    .map_err(|e| CoreError::Image(format!("image analysis stopped: {e}")))?;
    let thumbnail = thumbnail?;
    let record = ImageRecord {
        url: url.to_owned(),
        name,
        status_code: status,
        kind: analysis.kind,
        width: analysis.width,
        height: analysis.height,
        size: analysis.size,
        hash: analysis.sha256,
        phash: analysis.phash,
        metadata: analysis.metadata,
        thumbnail,
        content_type,
        last_modified,
        problem: fetch_problem.or(analysis.problem),
    };
    Ok((
        record,
        Timing {
            fetch: fetched,
            cpu,
        },
    ))
}

/// Thumbnails are named by content hash: the same bytes at many URLs share one file.
fn store_thumbnail(data_dir: &Path, dir: &Path, sha256: &str, bytes: &[u8]) -> Result<String> {
    let path: PathBuf = dir.join(format!("{sha256}.png"));
    if !path.exists() {
        // Two URLs with the same bytes can be analysed at once: each writes
        // its own part file, and whichever renames last replaces the file
        // with the same bytes.
        let tmp = dir.join(format!("{sha256}.{}.png.part", uuid::Uuid::new_v4()));
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
pub async fn progress_of(pool: &Pool, job_id: &str, phase: ImportPhase) -> Result<ImportProgress> {
    let (_, totals) = views::totals(pool, job_id).await?;
    let (downloaded, broken, to_download) = jobs::image_counts(pool, job_id).await?;
    Ok(ImportProgress {
        job_id: job_id.to_owned(),
        phase,
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

/// Front ends spawn imports on multi-threaded runtimes: the future must be
/// `Send` (checked here, where a change that breaks it fails to compile).
#[allow(dead_code)]
fn run_import_is_send(app: &crate::App) {
    fn send<T: Send>(_: T) {}
    send(app.run_import("", None, Arc::new(|_| {}), CancellationToken::new()));
}
