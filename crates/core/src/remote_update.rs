//! LaunchBrightly's "Update an article" with screenshots given by URL (a
//! presigned S3 URL in its example): each screenshot is downloaded (http(s)
//! only, size- and time-capped), analysed like a dropped file, then matched
//! by the tiers against the article and applied, the previous content kept
//! as a revision first. A screenshot that cannot be used (bad scheme, too
//! large, not an image, unreachable) fails alone with its reason; the
//! others go on. Updates of one article run one at a time, so two requests
//! at once never overwrite each other's change.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use crate::app::App;
use crate::error::{CoreError, Result};
use crate::imaging::{self, ImageLimits};
use crate::import;
use crate::matching::Screenshot;
use crate::providers::ArticleRef;
use crate::update::screenshots::{extension_for, ApiScreenshot};
use crate::update::{ScreenshotOutcome, UpdateResult, UpdateSummary};

/// How long one screenshot download may take, retries included.
pub const DOWNLOAD_TIME_CAP: Duration = Duration::from_secs(60);

type ArticleLock = Arc<tokio::sync::Mutex<()>>;

/// One lock per (integration, article document), dropped when unused.
static ARTICLE_LOCKS: LazyLock<Mutex<HashMap<String, ArticleLock>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn article_lock(integration_id: &str, article: &ArticleRef) -> ArticleLock {
    let key = format!("{integration_id}\u{0}{article}");
    let mut locks = ARTICLE_LOCKS.lock().unwrap_or_else(|p| p.into_inner());
    locks.retain(|_, l| Arc::strong_count(l) > 1);
    locks.entry(key).or_default().clone()
}

fn failed(shot: &ApiScreenshot, reason: String) -> ScreenshotOutcome {
    ScreenshotOutcome {
        metadata: shot.metadata.clone(),
        hash: shot.hash.clone(),
        name: shot_name(shot),
        status: crate::update::ScreenshotStatus::Failed,
        match_type: crate::update::SeedMatchType::Notfound,
        screenshot_name: shot_name(shot),
        screenshot_hash: shot.hash.clone(),
        reason: Some(reason),
    }
}

fn shot_name(shot: &ApiScreenshot) -> String {
    if shot.name.is_empty() {
        imaging::file_name_from_url(&shot.url)
    } else {
        shot.name.clone()
    }
}

impl App {
    /// Downloads, matches and applies screenshots given by URL to one
    /// article; see the module documentation.
    pub async fn update_article_from_urls(
        &self,
        integration_id: &str,
        article: &ArticleRef,
        shots: Vec<ApiScreenshot>,
        storage_integration_id: Option<String>,
        dry_run: bool,
    ) -> Result<UpdateResult> {
        if shots.is_empty() {
            return Err(CoreError::Invalid(
                "screenshots is empty: send at least one {metadata, hash, name, url}".into(),
            ));
        }
        // Fail fast on an unknown integration or article, before downloading.
        self.help_center(integration_id).await?;
        let lock = article_lock(integration_id, article);
        let _held = lock.lock().await;

        let http = import::image_client()?;
        let limits = ImageLimits::default();
        let mut ready: Vec<Screenshot> = Vec::new();
        let mut refused: Vec<ScreenshotOutcome> = Vec::new();
        for shot in &shots {
            match self.download_screenshot(&http, shot, &limits).await {
                Ok(s) => ready.push(s),
                Err(reason) => refused.push(failed(shot, reason)),
            }
        }
        let mut result = if ready.is_empty() {
            UpdateResult {
                summary: UpdateSummary::default(),
                screenshots: Vec::new(),
                articles: Vec::new(),
                dry_run,
            }
        } else {
            self.update_article(
                integration_id,
                article,
                Vec::new(),
                ready,
                storage_integration_id,
                dry_run,
            )
            .await?
        };
        result.summary.total += refused.len() as u64;
        result.summary.failed += refused.len() as u64;
        result.screenshots.extend(refused);
        Ok(result)
    }

    /// One screenshot's bytes, analysed and kept in the data directory; the
    /// reason it cannot be used otherwise.
    async fn download_screenshot(
        &self,
        http: &crate::http::HttpClient,
        shot: &ApiScreenshot,
        limits: &ImageLimits,
    ) -> std::result::Result<Screenshot, String> {
        let parsed = url::Url::parse(shot.url.trim())
            .map_err(|e| format!("url '{}' is not a URL ({e})", shot.url))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "url must be http:// or https://, not {}:",
                parsed.scheme()
            ));
        }
        let fetched = tokio::time::timeout(
            DOWNLOAD_TIME_CAP,
            http.fetch_image(parsed.as_str(), limits.max_bytes),
        )
        .await
        .map_err(|_| {
            format!(
                "the download did not finish within {} s",
                DOWNLOAD_TIME_CAP.as_secs()
            )
        })?
        .map_err(|e| format!("the download failed: {e}"))?;
        if fetched.too_large {
            return Err(format!(
                "the file is larger than the {} MiB limit",
                limits.max_bytes / (1024 * 1024)
            ));
        }
        if !(200..300).contains(&fetched.status) {
            return Err(format!("the url answered HTTP {}", fetched.status));
        }
        let bytes = fetched.bytes;
        let limits = limits.clone();
        let data_dir = self.data_dir().to_path_buf();
        let name = shot_name(shot);
        let given = shot.metadata.clone();
        tokio::task::spawn_blocking(move || {
            let analysis = imaging::analyse(&bytes, &limits);
            if let Some(problem) = &analysis.problem {
                return Err(match imaging::describe_unknown_file(&bytes) {
                    Some(what) => format!("the download {what}"),
                    None => format!("the download is not a usable image: {problem}"),
                });
            }
            let dir = data_dir.join("screenshots");
            let stored = dir.join(format!(
                "{}.{}",
                analysis.sha256,
                extension_for(&analysis.kind)
            ));
            std::fs::create_dir_all(&dir)
                .and_then(|_| {
                    if stored.exists() {
                        Ok(())
                    } else {
                        std::fs::write(&stored, &bytes)
                    }
                })
                .map_err(|e| format!("the screenshot could not be kept: {e}"))?;
            // The metadata sent with the request describes the screenshot
            // as the embedded PNG text does; both are matched, the
            // request's winning where a key is in both.
            let mut metadata = analysis.metadata;
            metadata.extend(given);
            Ok(Screenshot {
                name,
                sha256: analysis.sha256,
                phash: analysis.phash,
                width: analysis.width,
                height: analysis.height,
                metadata,
                source: stored.to_string_lossy().into_owned(),
            })
        })
        .await
        .map_err(|e| format!("the analysis stopped: {e}"))?
    }
}
