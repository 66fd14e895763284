//! Applying a plan: per article, read what is there NOW, upload each new
//! image once, rewrite only the matched image URLs, keep the previous
//! content as a revision, write back. One article failing never stops the
//! others, and never loses anything.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::db::article_locks::ArticleLock;
use crate::db::Pool;
use tokio_util::sync::CancellationToken;

use super::rematch;
use super::revisions::{self, NewRevision};
use super::screenshots::{content_type_for, extension_for};
use super::{
    ApplyProgress, ArticleOutcome, ArticleStatus, ChangedSincePlan, PlannedArticle, PlannedChange,
    ScreenshotOutcome, ScreenshotStatus, UpdatePlan, UpdateResult, UpdateSummary,
};
use crate::error::{CoreError, Result};
use crate::html;
use crate::http::HttpClient;
use crate::imaging::{self, ImageLimits};
use crate::matching::{ArticleUse, MatchResult, MatchStatus, Screenshot};
use crate::providers::{ArticleRef, HelpCenter};
use crate::storage::Storage;

pub type ApplyProgressFn = Arc<dyn Fn(ApplyProgress) + Send + Sync>;

/// Where new images go.
pub enum Destination<'a> {
    /// An S3/R2 integration (its id, for the uploads record).
    Storage { id: &'a str, storage: &'a Storage },
    /// The help center's own image upload.
    HelpCenter { id: &'a str },
}

pub struct Applier<'a> {
    pub pool: &'a Pool,
    pub help_center: &'a dyn HelpCenter,
    pub destination: Destination<'a>,
    pub images: HttpClient,
    pub progress: ApplyProgressFn,
    pub cancel: CancellationToken,
    pub dry_run: bool,
    /// Who applies the plan, recorded on every revision.
    pub author: &'a str,
}

/// A screenshot's bytes and what it was uploaded as.
struct Upload {
    url: String,
}

impl Applier<'_> {
    pub async fn apply(&self, plan: &UpdatePlan) -> Result<UpdateResult> {
        let by_sha: HashMap<&str, &Screenshot> = plan
            .screenshots
            .iter()
            .map(|p| (p.screenshot.sha256.as_str(), &p.screenshot))
            .collect();
        let todo: Vec<&PlannedArticle> = plan
            .articles
            .iter()
            .filter(|a| a.changes.iter().any(|c| c.selected))
            .collect();
        let mut progress = ApplyProgress {
            plan_id: plan.id.clone(),
            articles_total: todo.len() as u64,
            ..Default::default()
        };
        let mut uploads: HashMap<String, Upload> = HashMap::new();
        let mut outcomes = Vec::with_capacity(todo.len());
        for article in todo {
            if self.cancel.is_cancelled() {
                outcomes.push(skipped(article, "cancelled before this article"));
                continue;
            }
            progress.current = Some(article.title.clone());
            (self.progress)(progress.clone());
            let outcome = match self
                .apply_article(plan, article, &by_sha, &mut uploads)
                .await
            {
                Ok(o) => o,
                Err(e) => failed(article, &e),
            };
            progress.articles_done += 1;
            if outcome.status == ArticleStatus::Failed {
                progress.articles_failed += 1;
            }
            progress.uploads_done = uploads.len() as u64;
            outcomes.push(outcome);
        }
        progress.current = None;
        (self.progress)(progress);
        if !self.dry_run {
            super::plan::mark_applied(self.pool, &plan.id).await?;
        }
        Ok(summarise(plan, outcomes, self.dry_run))
    }

    /// Applies one article's changes while holding it in the database, so
    /// a colleague's update of the same article (another process, another
    /// machine on the team database) runs before or after this one, never
    /// in the middle: the later one reads what the earlier one wrote.
    async fn apply_article(
        &self,
        plan: &UpdatePlan,
        article: &PlannedArticle,
        by_sha: &HashMap<&str, &Screenshot>,
        uploads: &mut HashMap<String, Upload>,
    ) -> Result<ArticleOutcome> {
        if self.dry_run {
            return self
                .apply_article_held(plan, article, by_sha, uploads)
                .await;
        }
        let aref = ArticleRef::with_locale(article.external_id.clone(), article.locale.clone());
        let work = self.apply_article_held(plan, article, by_sha, uploads);
        ArticleLock::holding(self.pool, &plan.integration_id, &aref, self.author, work).await
    }

    async fn apply_article_held(
        &self,
        plan: &UpdatePlan,
        article: &PlannedArticle,
        by_sha: &HashMap<&str, &Screenshot>,
        uploads: &mut HashMap<String, Upload>,
    ) -> Result<ArticleOutcome> {
        let aref = ArticleRef::with_locale(article.external_id.clone(), article.locale.clone());
        // Match against what is there now: an edit made after the import
        // (or a colleague's update that held the article before) is kept.
        let current = self.help_center.get_article(&aref).await?;
        let html_now = current.html.clone().unwrap_or_default();
        let public = if current.url.is_empty() {
            article.url.clone()
        } else {
            current.url.clone()
        };
        let base = crate::providers::image_base(self.help_center, &public).to_string();
        let refs = html::extract_images(&html_now, &base)?;
        let present: HashSet<String> = refs.iter().map(|r| r.url.clone()).collect();
        let (kept, gone): (Vec<&PlannedChange>, Vec<&PlannedChange>) = article
            .changes
            .iter()
            .filter(|c| c.selected)
            .partition(|c| present.contains(&c.old_url));

        let mut replacements: BTreeMap<String, String> = BTreeMap::new();
        for change in kept {
            let shot = screenshot_of(by_sha, change)?;
            let new_url = self.new_url(&aref, shot, uploads).await?;
            replacements.insert(change.old_url.clone(), new_url);
        }
        let changed = self
            .changed_since_plan(plan, article, &aref, !gone.is_empty())
            .await?;
        let mut rematched = Vec::new();
        let mut already = Vec::new();
        if !gone.is_empty() {
            let found = self
                .rematch(article, &refs, &gone, by_sha, &replacements)
                .await?;
            for (shot, result) in found {
                if result.status == MatchStatus::Unchanged {
                    already.push(shot.name.clone());
                }
                for target in result.targets.iter().filter(|t| !t.unchanged) {
                    if replacements.contains_key(&target.url) {
                        continue;
                    }
                    let new_url = self.new_url(&aref, shot, uploads).await?;
                    replacements.insert(target.url.clone(), new_url);
                    rematched.push(target.url.clone());
                }
            }
        }
        if replacements.is_empty() {
            let why = nothing_to_write(changed.as_ref(), &already);
            let mut o = skipped(article, &why);
            o.changed_since_plan = changed;
            return Ok(o);
        }
        let mut o = self
            .write(plan, article, &aref, &html_now, &base, &replacements)
            .await?;
        o.replacements = replacements;
        o.changed_since_plan = changed;
        o.rematched = rematched;
        Ok(o)
    }

    /// Rewrites the article's matched references and writes it with a
    /// revision (or says what it would write, in a dry run).
    async fn write(
        &self,
        plan: &UpdatePlan,
        article: &PlannedArticle,
        aref: &ArticleRef,
        html_now: &str,
        base: &str,
        replacements: &BTreeMap<String, String>,
    ) -> Result<ArticleOutcome> {
        // Exactly the references that name a matched URL change (img, its
        // srcset candidates, picture sources, the lightbox link); a 2x
        // variant or a link to another file is another image and stays.
        let map: HashMap<String, String> = replacements
            .iter()
            .map(|(old, new)| (old.clone(), new.clone()))
            .collect();
        let rewritten = html::rewrite_images(html_now, base, &map)?;
        if self.dry_run {
            return Ok(outcome(
                article,
                ArticleStatus::WouldUpdate,
                rewritten.replaced,
                None,
                None,
            ));
        }
        let rev = revisions::write_with_revision(
            self.pool,
            self.help_center,
            NewRevision {
                integration_id: &plan.integration_id,
                plan_id: Some(&plan.id),
                article_id: Some(&article.article_id),
                article: aref,
                title: &article.title,
                before: html_now,
                after: &rewritten.html,
                replacements,
                changes: &rewritten.changes,
                rollback_of: None,
                author: self.author,
            },
        )
        .await;
        Ok(match rev {
            Ok(id) => outcome(
                article,
                ArticleStatus::Updated,
                rewritten.replaced,
                Some(id),
                None,
            ),
            Err(e) => {
                let id = crate::db::revisions::last_id(self.pool, aref).await?;
                outcome(article, ArticleStatus::Failed, 0, id, Some(e.to_string()))
            }
        })
    }

    /// Whether (and by whom) the article changed since the plan saw it: a
    /// colleague's revision written after the import read the article, or,
    /// when an image the plan replaces is gone without one, an edit in the
    /// help center.
    async fn changed_since_plan(
        &self,
        plan: &UpdatePlan,
        article: &PlannedArticle,
        aref: &ArticleRef,
        images_gone: bool,
    ) -> Result<Option<ChangedSincePlan>> {
        let read = crate::db::views::article(self.pool, &plan.job_id, &article.article_id).await?;
        let since = read.map_or_else(|| plan.created_at.clone(), |a| a.created_at);
        let by =
            rematch::changed_by(self.pool, &plan.integration_id, aref, &plan.id, &since).await?;
        Ok(by.or_else(|| images_gone.then(ChangedSincePlan::default)))
    }

    /// Matches the screenshots of the changes whose image is gone against
    /// the images the article shows now that the plan never saw.
    async fn rematch<'s>(
        &self,
        article: &PlannedArticle,
        refs_now: &[html::ImageRef],
        gone: &[&PlannedChange],
        by_sha: &HashMap<&str, &'s Screenshot>,
        replacements: &BTreeMap<String, String>,
    ) -> Result<Vec<(&'s Screenshot, MatchResult)>> {
        let mut seen: HashSet<String> =
            crate::db::views::image_urls_of(self.pool, &article.article_id)
                .await?
                .into_iter()
                .collect();
        seen.extend(article.changes.iter().map(|c| c.old_url.clone()));
        seen.extend(replacements.keys().cloned());
        let mut shots: Vec<&'s Screenshot> = Vec::new();
        for change in gone {
            let shot = screenshot_of(by_sha, change)?;
            if !shots.iter().any(|s| s.sha256 == shot.sha256) {
                shots.push(shot);
            }
        }
        let use_ = ArticleUse {
            article_id: article.article_id.clone(),
            external_id: article.external_id.clone(),
            locale: article.locale.clone(),
            title: article.title.clone(),
        };
        let results = rematch::rematch(&self.images, refs_now, &seen, use_, &shots).await;
        Ok(shots.into_iter().zip(results).collect())
    }

    /// The URL a screenshot will have: uploaded once, or a placeholder in
    /// a dry run (which uploads nothing).
    async fn new_url(
        &self,
        aref: &ArticleRef,
        shot: &Screenshot,
        uploads: &mut HashMap<String, Upload>,
    ) -> Result<String> {
        if self.dry_run {
            return Ok(format!("(new upload of {})", shot.name));
        }
        self.upload_once(aref, shot, uploads).await
    }

    /// Uploads a screenshot once per destination and content (recorded in
    /// `uploads`, so a second plan or a retry re-uses it).
    async fn upload_once(
        &self,
        aref: &ArticleRef,
        shot: &Screenshot,
        uploads: &mut HashMap<String, Upload>,
    ) -> Result<String> {
        if let Some(u) = uploads.get(&shot.sha256) {
            return Ok(u.url.clone());
        }
        let dest_id = match &self.destination {
            Destination::Storage { id, .. } | Destination::HelpCenter { id } => *id,
        };
        if let Some(url) =
            crate::db::plans::recorded_upload(self.pool, dest_id, &shot.sha256).await?
        {
            uploads.insert(shot.sha256.clone(), Upload { url: url.clone() });
            return Ok(url);
        }
        let bytes = self.screenshot_bytes(shot).await?;
        let kind = imaging::sniff_kind(&bytes);
        let (url, cloud) = match &self.destination {
            Destination::Storage { storage, .. } => {
                let up = storage
                    .upload(&bytes, content_type_for(kind), extension_for(kind))
                    .await?;
                (up.url, Some(up.cloud))
            }
            Destination::HelpCenter { .. } => {
                let name = if shot.name.is_empty() {
                    format!(
                        "{}.{}",
                        &shot.sha256[..12.min(shot.sha256.len())],
                        extension_for(kind)
                    )
                } else {
                    shot.name.clone()
                };
                let up = self
                    .help_center
                    .upload_image(aref, &name, content_type_for(kind), bytes)
                    .await?;
                (up.url, None)
            }
        };
        crate::db::plans::record_upload(self.pool, dest_id, &shot.sha256, &url, cloud.as_ref())
            .await?;
        uploads.insert(shot.sha256.clone(), Upload { url: url.clone() });
        Ok(url)
    }

    /// The screenshot's bytes: the stored copy of a dropped file, or a
    /// download of the URL given in the API form.
    async fn screenshot_bytes(&self, shot: &Screenshot) -> Result<Vec<u8>> {
        let limits = ImageLimits::default();
        let bytes = if shot.source.starts_with("http://") || shot.source.starts_with("https://") {
            let f = self
                .images
                .fetch_image(&shot.source, limits.max_bytes)
                .await?;
            if !(200..300).contains(&f.status) || f.too_large {
                return Err(CoreError::Invalid(format!(
                    "screenshot {} could not be downloaded from its URL (HTTP {})",
                    shot.name, f.status
                )));
            }
            f.bytes
        } else {
            std::fs::read(&shot.source).map_err(|e| CoreError::file("read", &shot.source, e))?
        };
        if !shot.sha256.is_empty() && imaging::sha256_hex(&bytes) != shot.sha256 {
            return Err(CoreError::Invalid(format!(
                "screenshot {} changed since it was matched (its SHA-256 differs): drop it again",
                shot.name
            )));
        }
        Ok(bytes)
    }
}

fn outcome(
    a: &PlannedArticle,
    status: ArticleStatus,
    replaced: u32,
    revision_id: Option<String>,
    error: Option<String>,
) -> ArticleOutcome {
    ArticleOutcome {
        article_id: a.article_id.clone(),
        external_id: a.external_id.clone(),
        locale: a.locale.clone(),
        title: a.title.clone(),
        status,
        replaced,
        revision_id,
        error,
        replacements: BTreeMap::new(),
        changed_since_plan: None,
        rematched: Vec::new(),
    }
}

/// The plan's screenshot of a change.
fn screenshot_of<'s>(
    by_sha: &HashMap<&str, &'s Screenshot>,
    change: &PlannedChange,
) -> Result<&'s Screenshot> {
    by_sha
        .get(change.screenshot_sha256.as_str())
        .copied()
        .ok_or_else(|| {
            CoreError::Invalid(format!(
                "the plan names screenshot {} but does not carry it",
                change.screenshot_name
            ))
        })
}

/// Why an article of the plan was left as it is.
fn nothing_to_write(changed: Option<&ChangedSincePlan>, already: &[String]) -> String {
    match changed {
        Some(c) if !already.is_empty() => {
            format!("{}, and it already shows {}", c.describe(), already.join(", "))
        }
        Some(c) => format!(
            "{}, and none of the images it shows now matches the screenshots: drop them again to make a new plan",
            c.describe()
        ),
        None => "the matched images are no longer in the article".to_owned(),
    }
}

fn skipped(a: &PlannedArticle, why: &str) -> ArticleOutcome {
    outcome(a, ArticleStatus::Skipped, 0, None, Some(why.into()))
}

fn failed(a: &PlannedArticle, e: &CoreError) -> ArticleOutcome {
    outcome(a, ArticleStatus::Failed, 0, None, Some(e.to_string()))
}

/// LaunchBrightly's update result: per screenshot, success when every article it was
/// meant to change was updated.
fn summarise(plan: &UpdatePlan, articles: Vec<ArticleOutcome>, dry_run: bool) -> UpdateResult {
    let by_article: HashMap<&str, &ArticleOutcome> = articles
        .iter()
        .map(|o| (o.article_id.as_str(), o))
        .collect();
    let ok_status = if dry_run {
        ArticleStatus::WouldUpdate
    } else {
        ArticleStatus::Updated
    };
    let screenshots: Vec<ScreenshotOutcome> = plan
        .screenshots
        .iter()
        .map(|p| {
            let touched: Vec<&ArticleOutcome> = plan
                .articles
                .iter()
                .filter(|a| {
                    a.changes
                        .iter()
                        .any(|c| c.selected && c.screenshot_sha256 == p.screenshot.sha256)
                })
                .filter_map(|a| by_article.get(a.article_id.as_str()).copied())
                .collect();
            let status = match p.result.status {
                MatchStatus::Unchanged => ScreenshotStatus::Unchanged,
                MatchStatus::Notfound | MatchStatus::Ambiguous => ScreenshotStatus::Notfound,
                MatchStatus::Matched if touched.is_empty() => ScreenshotStatus::Skipped,
                MatchStatus::Matched
                    if touched.iter().any(|o| o.status == ArticleStatus::Failed) =>
                {
                    ScreenshotStatus::Failed
                }
                MatchStatus::Matched
                    if touched
                        .iter()
                        .all(|o| o.status == ok_status || o.status == ArticleStatus::Skipped) =>
                {
                    ScreenshotStatus::Success
                }
                MatchStatus::Matched => ScreenshotStatus::Failed,
            };
            let (metadata, hash, name) = match p.result.targets.first() {
                Some(t) => (t.metadata.clone(), t.sha256.clone(), t.name.clone()),
                None => (
                    p.screenshot.metadata.clone(),
                    p.screenshot.sha256.clone(),
                    p.screenshot.name.clone(),
                ),
            };
            ScreenshotOutcome {
                metadata,
                hash,
                name,
                status,
                match_type: p.result.match_type.seed_match_type(),
                screenshot_name: p.screenshot.name.clone(),
                screenshot_hash: p.screenshot.sha256.clone(),
                reason: None,
            }
        })
        .collect();
    let summary = UpdateSummary {
        total: screenshots.len() as u64,
        success: screenshots
            .iter()
            .filter(|s| {
                matches!(
                    s.status,
                    ScreenshotStatus::Success | ScreenshotStatus::Unchanged
                )
            })
            .count() as u64,
        failed: screenshots
            .iter()
            .filter(|s| s.status == ScreenshotStatus::Failed)
            .count() as u64,
    };
    UpdateResult {
        summary,
        screenshots,
        articles,
        dry_run,
    }
}
