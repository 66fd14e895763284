//! From screenshots to a plan: the import's images become match candidates,
//! every screenshot is matched (metadata, SHA-256, perceptual hash, then name), and every matched image
//! of every article becomes a change a person can deselect.

use std::collections::{BTreeMap, HashMap, HashSet};

pub use crate::db::plans::{load, mark_applied, store};

use crate::db::Pool;
use uuid::Uuid;

use super::{PlannedArticle, PlannedChange, PlannedScreenshot, UpdatePlan};
use crate::db::views::{ArticleRec, JobData};
use crate::db::{jobs, now, views};
use crate::error::Result;
use crate::html::{self, Place};
use crate::matching::{
    ArticleUse, Candidate, MatchConfig, MatchIndex, MatchResult, MatchScope, MatchStatus,
    MatchType, Screenshot,
};

/// Every downloaded image of a job, with the articles that use it.
pub fn candidates(data: &JobData) -> Vec<Candidate> {
    let articles: HashMap<&str, _> = data.articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut uses: BTreeMap<&str, Vec<ArticleUse>> = BTreeMap::new();
    for r in &data.refs {
        let Some(a) = articles.get(r.article_id.as_str()) else {
            continue;
        };
        let list = uses.entry(r.url.as_str()).or_default();
        if !list.iter().any(|u| u.article_id == a.id) {
            list.push(ArticleUse {
                article_id: a.id.clone(),
                external_id: a.external_id.clone(),
                locale: a.locale.clone(),
                title: a.title.clone(),
            });
        }
    }
    uses.into_iter()
        .filter_map(|(url, articles)| {
            let img = data.images.get(url)?;
            (!img.is_broken() || !img.name.is_empty()).then(|| Candidate {
                url: url.to_owned(),
                name: img.name.clone(),
                sha256: if img.is_broken() {
                    String::new()
                } else {
                    img.hash.clone()
                },
                phash: img.phash.clone(),
                width: img.width,
                height: img.height,
                metadata: img.metadata.clone(),
                articles,
            })
        })
        .collect()
}

/// Builds the match index of a job.
pub async fn index_for_job(
    pool: &Pool,
    job_id: &str,
    config: MatchConfig,
) -> Result<(JobData, MatchIndex)> {
    jobs::get(pool, job_id).await?;
    let data = views::job_data(pool, job_id).await?;
    let index = MatchIndex::build(candidates(&data), config);
    Ok((data, index))
}

/// A manual choice made in review: this screenshot replaces this image.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ManualMatch {
    pub screenshot_sha256: String,
    pub target_url: String,
}

/// Matches screenshots and turns the results into a plan (not yet stored).
pub fn build_plan(
    data: &JobData,
    index: &MatchIndex,
    job: (&str, &str),
    screenshots: Vec<Screenshot>,
    manual: &[ManualMatch],
    scope: &MatchScope,
    storage_integration_id: Option<String>,
) -> Result<UpdatePlan> {
    let mut planned = Vec::with_capacity(screenshots.len());
    for s in screenshots {
        let result = match manual
            .iter()
            .find(|m| m.screenshot_sha256 == s.sha256 && !s.sha256.is_empty())
        {
            Some(m) => index.manual_match_in(&s, &m.target_url, scope)?,
            None => index.match_one_in(&s, scope),
        };
        planned.push(PlannedScreenshot {
            screenshot: s,
            result,
        });
    }
    let articles = plan_articles(data, &planned);
    Ok(UpdatePlan {
        id: Uuid::new_v4().to_string(),
        job_id: job.0.to_owned(),
        integration_id: job.1.to_owned(),
        storage_integration_id,
        created_at: now(),
        screenshots: planned,
        articles,
    })
}

/// Groups every matched target by article, in the import's article order.
fn plan_articles(data: &JobData, planned: &[PlannedScreenshot]) -> Vec<PlannedArticle> {
    let mut changes: HashMap<String, Vec<PlannedChange>> = HashMap::new();
    for p in planned
        .iter()
        .filter(|p| p.result.status == MatchStatus::Matched)
    {
        for target in p.result.targets.iter().filter(|t| !t.unchanged) {
            for use_ in &target.articles {
                let list = changes.entry(use_.article_id.clone()).or_default();
                // One image is replaced by one screenshot: the first (best) wins.
                if list.iter().any(|c| c.old_url == target.url) {
                    continue;
                }
                list.push(PlannedChange {
                    old_url: target.url.clone(),
                    screenshot_sha256: p.screenshot.sha256.clone(),
                    screenshot_name: p.screenshot.name.clone(),
                    match_type: p.result.match_type,
                    distance: target.distance.or(p.result.distance),
                    selected: true,
                });
            }
        }
    }
    data.articles
        .iter()
        .filter_map(|a| {
            let changes = changes.remove(&a.id)?;
            Some(PlannedArticle {
                places: places_of(a, &changes),
                article_id: a.id.clone(),
                external_id: a.external_id.clone(),
                locale: a.locale.clone(),
                title: a.title.clone(),
                url: a.url.clone(),
                changes,
            })
        })
        .collect()
}

/// The places of an imported article that its changes touch and those
/// beside them that stay (from the content read at import; apply reads the
/// article again). An article whose stored HTML cannot be read lists none.
fn places_of(article: &ArticleRec, changes: &[PlannedChange]) -> Vec<Place> {
    let Some(content) = article.content.as_deref() else {
        return Vec::new();
    };
    let matched: Vec<&str> = changes.iter().map(|c| c.old_url.as_str()).collect();
    html::places(content, &article.url, &matched).unwrap_or_default()
}

/// Keeps the screenshots of a plan in review when more are dropped: the
/// earlier screenshots not dropped again come first, in their order, with
/// their hand-made matches; then the new ones.
pub fn carry_over(
    earlier: &UpdatePlan,
    shots: &mut Vec<Screenshot>,
    manual: &mut Vec<ManualMatch>,
) {
    let dropped: HashSet<String> = shots.iter().map(|s| s.sha256.clone()).collect();
    let kept: Vec<&PlannedScreenshot> = earlier
        .screenshots
        .iter()
        .filter(|p| !dropped.contains(&p.screenshot.sha256))
        .collect();
    for p in &kept {
        if p.result.match_type == MatchType::Manual {
            if let Some(t) = p.result.targets.first() {
                manual.push(ManualMatch {
                    screenshot_sha256: p.screenshot.sha256.clone(),
                    target_url: t.url.clone(),
                });
            }
        }
    }
    let mut all: Vec<Screenshot> = kept.into_iter().map(|p| p.screenshot.clone()).collect();
    all.append(shots);
    *shots = all;
}

/// Changes a person deselected in the earlier plan stay deselected.
pub fn keep_deselections(earlier: &UpdatePlan, plan: &mut UpdatePlan) {
    let off: HashSet<(&str, &str, &str)> = earlier
        .articles
        .iter()
        .flat_map(|a| {
            a.changes.iter().filter(|c| !c.selected).map(move |c| {
                (
                    a.article_id.as_str(),
                    c.old_url.as_str(),
                    c.screenshot_sha256.as_str(),
                )
            })
        })
        .collect();
    for a in &mut plan.articles {
        for c in &mut a.changes {
            if off.contains(&(
                a.article_id.as_str(),
                c.old_url.as_str(),
                c.screenshot_sha256.as_str(),
            )) {
                c.selected = false;
            }
        }
    }
}

/// Reason strings for results that change nothing, for tables.
pub fn describe(result: &MatchResult) -> String {
    result.reason.clone()
}
