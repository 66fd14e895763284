//! Re-matching an article that changed since its plan. A plan names the
//! image URLs it replaces as they were at the import; when a colleague's
//! update (or an edit in the help center) put another image in their place,
//! writing the plan's URLs would change nothing and skipping would drop the
//! screenshot. Instead the plan's screenshots are matched again, with the
//! same tiers as a plan (metadata, SHA-256 and perceptual hash, name),
//! against the images the article shows now that the plan never saw.

use std::collections::HashSet;

use crate::db::Pool;
use crate::error::Result;
use crate::html::ImageRef;
use crate::http::HttpClient;
use crate::imaging::{self, ImageLimits};
use crate::matching::{ArticleUse, Candidate, MatchConfig, MatchIndex, MatchResult, Screenshot};
use crate::providers::ArticleRef;

use super::revisions::RevisionStatus;
use super::ChangedSincePlan;

/// At most this many images new to an article are downloaded to re-match
/// it: an article rewritten beyond that is for a person to look at, not a
/// reason to download a gallery.
pub const MAX_NEW_IMAGES: usize = 24;

/// Who changed the article since the plan saw it (when its import read
/// it, `since`): the newest applied revision of another plan, or a
/// rollback, written after that. `None` when Shotkeeper wrote nothing since
/// (an edit made in the help center, or no change at all).
pub async fn changed_by(
    pool: &Pool,
    integration_id: &str,
    article: &ArticleRef,
    plan_id: &str,
    since: &str,
) -> Result<Option<ChangedSincePlan>> {
    let revisions = crate::db::revisions::list(pool, Some(integration_id), article).await?;
    Ok(revisions
        .into_iter()
        .filter(|r| r.plan_id.as_deref() != Some(plan_id))
        .filter(|r| {
            matches!(
                r.status,
                RevisionStatus::Applied | RevisionStatus::RolledBack
            )
        })
        .find(|r| r.created_at.as_str() > since)
        .map(|r| ChangedSincePlan {
            by: r.author,
            at: Some(r.created_at),
        }))
}

/// Matches `screenshots` against the images of `refs_now` whose URL is not
/// in `seen` (the images the plan already judged), one result per
/// screenshot in order. Images that cannot be downloaded are left out.
pub async fn rematch(
    images: &HttpClient,
    refs_now: &[ImageRef],
    seen: &HashSet<String>,
    article: ArticleUse,
    screenshots: &[&Screenshot],
) -> Vec<MatchResult> {
    let mut urls: Vec<&str> = Vec::new();
    for r in refs_now {
        let new = !r.url.is_empty() && !seen.contains(&r.url) && !urls.contains(&r.url.as_str());
        if new && urls.len() < MAX_NEW_IMAGES {
            urls.push(&r.url);
        }
    }
    let mut candidates = Vec::with_capacity(urls.len());
    for url in urls {
        if let Some(c) = candidate(images, url, &article).await {
            candidates.push(c);
        }
    }
    // The default tiers: a plan's own settings are not kept with it.
    let index = MatchIndex::build(candidates, MatchConfig::default());
    screenshots.iter().map(|s| index.match_one(s)).collect()
}

/// Downloads and analyses one image now in the article.
async fn candidate(images: &HttpClient, url: &str, article: &ArticleUse) -> Option<Candidate> {
    let limits = ImageLimits::default();
    let fetched = images.fetch_image(url, limits.max_bytes).await.ok()?;
    if !(200..300).contains(&fetched.status) || fetched.too_large {
        tracing::info!(
            url,
            status = fetched.status,
            "an image new to the article could not be re-matched"
        );
        return None;
    }
    let bytes = fetched.bytes;
    let analysis = tokio::task::spawn_blocking(move || imaging::analyse(&bytes, &limits))
        .await
        .ok()?;
    Some(Candidate {
        url: url.to_owned(),
        name: imaging::file_name_from_url(url),
        sha256: analysis.sha256,
        phash: analysis.phash,
        width: analysis.width,
        height: analysis.height,
        metadata: analysis.metadata,
        articles: vec![article.clone()],
    })
}
