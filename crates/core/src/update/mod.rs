//! Replacing screenshots (LaunchBrightly's import API "Update an article"): load the new
//! screenshots, match them against an import, make a plan a person reviews,
//! apply it article by article with the previous content kept as a revision,
//! and roll any revision back.

pub mod apply;
pub mod plan;
pub mod rematch;
pub mod revisions;
pub mod screenshots;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::matching::{MatchResult, MatchType, Screenshot};

/// A plan: per article, which image URLs change to which screenshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePlan {
    pub id: String,
    pub job_id: String,
    pub integration_id: String,
    /// Where new images go: an S3/R2 integration, or `None` for the help
    /// center's own upload.
    pub storage_integration_id: Option<String>,
    pub created_at: String,
    pub screenshots: Vec<PlannedScreenshot>,
    pub articles: Vec<PlannedArticle>,
}

/// A screenshot and what matching found for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedScreenshot {
    pub screenshot: Screenshot,
    #[serde(rename = "match")]
    pub result: MatchResult,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedArticle {
    pub article_id: String,
    pub external_id: String,
    pub locale: Option<String>,
    pub title: String,
    pub url: String,
    pub changes: Vec<PlannedChange>,
    /// Each place of the article the update changes (img, source, link),
    /// and each that looks related but stays (a 2x variant, a link to
    /// another file), in document order: what a person reviews.
    #[serde(default)]
    pub places: Vec<crate::html::Place>,
}

/// One image of one article replaced by one screenshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    pub old_url: String,
    pub screenshot_sha256: String,
    pub screenshot_name: String,
    pub match_type: MatchType,
    pub distance: Option<u32>,
    /// A person can deselect a change in review; deselected changes are not applied.
    pub selected: bool,
}

impl UpdatePlan {
    pub fn selected_changes(&self) -> usize {
        self.articles
            .iter()
            .flat_map(|a| &a.changes)
            .filter(|c| c.selected)
            .count()
    }

    pub fn articles_to_update(&self) -> usize {
        self.articles
            .iter()
            .filter(|a| a.changes.iter().any(|c| c.selected))
            .count()
    }
}

/// The LaunchBrightly import API's update result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateResult {
    pub summary: UpdateSummary,
    pub screenshots: Vec<ScreenshotOutcome>,
    /// Per article document: what happened (beyond LaunchBrightly's import API).
    pub articles: Vec<ArticleOutcome>,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateSummary {
    pub total: u64,
    pub success: u64,
    pub failed: u64,
}

/// One screenshot of LaunchBrightly's update result. As in its example of
/// `PUT /helpcenter/article/:id`, `metadata`, `hash` and `name` describe the
/// article image that was matched (the screenshot's own when nothing
/// matched); the screenshot's own name and hash follow as extra fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenshotOutcome {
    pub metadata: BTreeMap<String, String>,
    pub hash: String,
    pub name: String,
    pub status: ScreenshotStatus,
    pub match_type: SeedMatchType,
    /// The screenshot sent (beyond LaunchBrightly's import API).
    #[serde(default)]
    pub screenshot_name: String,
    #[serde(default)]
    pub screenshot_hash: String,
    /// Why the screenshot failed before matching (not downloadable, not
    /// an image...); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What became of one screenshot of an update (LaunchBrightly's update
/// result lists `success` and `failed`; the others say why nothing was done).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ScreenshotStatus {
    /// Every article it was meant to change was updated (or would be).
    Success,
    Failed,
    /// The images already have its exact bytes.
    Unchanged,
    /// Nothing in the help center matched it.
    Notfound,
    /// Every article it would change was left out.
    Skipped,
}

impl ScreenshotStatus {
    /// The word the JSON answer uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ScreenshotStatus::Success => "success",
            ScreenshotStatus::Failed => "failed",
            ScreenshotStatus::Unchanged => "unchanged",
            ScreenshotStatus::Notfound => "notfound",
            ScreenshotStatus::Skipped => "skipped",
        }
    }
}

/// The `matchType` of LaunchBrightly's update result, which has only
/// metadata, hash, name and notfound: a perceptual match is its "pixel hash"
/// tier, so `hash`; a match chosen by hand has no equivalent and is `manual`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SeedMatchType {
    Metadata,
    Hash,
    Name,
    Manual,
    Notfound,
}

impl SeedMatchType {
    /// The word the JSON answer uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SeedMatchType::Metadata => "metadata",
            SeedMatchType::Hash => "hash",
            SeedMatchType::Name => "name",
            SeedMatchType::Manual => "manual",
            SeedMatchType::Notfound => "notfound",
        }
    }
}

/// What became of one article document of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ArticleStatus {
    Updated,
    Failed,
    Skipped,
    /// A dry run: it would have been updated.
    WouldUpdate,
}

impl ArticleStatus {
    /// The word the JSON answer uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Updated => "updated",
            ArticleStatus::Failed => "failed",
            ArticleStatus::Skipped => "skipped",
            ArticleStatus::WouldUpdate => "would_update",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleOutcome {
    pub article_id: String,
    pub external_id: String,
    pub locale: Option<String>,
    pub title: String,
    pub status: ArticleStatus,
    pub replaced: u32,
    pub revision_id: Option<String>,
    pub error: Option<String>,
    /// New URL of each replaced image, old URL as key.
    pub replacements: BTreeMap<String, String>,
    /// The article was not as the plan saw it: an image the plan replaces
    /// had gone, or a colleague's update was written since the plan.
    #[serde(default)]
    pub changed_since_plan: Option<ChangedSincePlan>,
    /// Images that were not in the article when the plan was made, found in
    /// place of the planned ones by matching the screenshots again, and
    /// replaced (a subset of the `replacements` keys).
    #[serde(default)]
    pub rematched: Vec<String>,
}

/// Who changed an article since a plan was made, when Shotkeeper knows:
/// both `None` for an edit made in the help center itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangedSincePlan {
    /// The name on the colleague's revision.
    pub by: Option<String>,
    /// When that revision was written (RFC 3339).
    pub at: Option<String>,
}

impl ChangedSincePlan {
    /// "the article changed since the import this plan comes from
    /// (updated by Ana)", for messages.
    pub fn describe(&self) -> String {
        let changed = "the article changed since the import this plan comes from";
        match &self.by {
            Some(by) => format!("{changed} (updated by {by})"),
            None => format!("{changed} (edited in the help center)"),
        }
    }
}

/// Live counts of an update being applied.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ApplyProgress {
    pub plan_id: String,
    pub articles_total: u64,
    pub articles_done: u64,
    pub articles_failed: u64,
    pub uploads_done: u64,
    pub current: Option<String>,
}
