//! Audits over an import (issue "see what needs care"): the images that need
//! work, each finding linked to its image and the articles using it.
//!
//! Rules, and why each is worth a person's time:
//! - `broken`: the download failed (404 and friends): readers see nothing.
//! - `missing_alt`: an `<img>` with no or empty alt text: screen readers say nothing.
//! - `heavy`: over the size threshold, or far larger than the size the HTML
//!   shows it at: slow pages, wasted bandwidth.
//! - `insecure`: served over plain `http:` (mixed content on an https help
//!   center). Loopback hosts are exempt: that traffic never leaves the machine.
//! - `hotlinked`: hosted outside the help center's own hosts and the linked
//!   storage: it can vanish or change without anyone noticing.
//! - `duplicate`: the same picture stored at several URLs; largest wasted bytes first.
//! - `old`: `Last-Modified` older than the age threshold: likely out of date.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::db::views::{ImageRec, JobData, RefRec};
use crate::error::{CoreError, Result};
use crate::report::ArticleUseView;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Rule {
    Broken,
    MissingAlt,
    Heavy,
    Insecure,
    Hotlinked,
    Duplicate,
    Old,
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::Broken,
        Rule::MissingAlt,
        Rule::Heavy,
        Rule::Insecure,
        Rule::Hotlinked,
        Rule::Duplicate,
        Rule::Old,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Broken => "broken",
            Rule::MissingAlt => "missing_alt",
            Rule::Heavy => "heavy",
            Rule::Insecure => "insecure",
            Rule::Hotlinked => "hotlinked",
            Rule::Duplicate => "duplicate",
            Rule::Old => "old",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditConfig {
    /// Images above this many bytes are heavy (default 500 KiB).
    pub heavy_bytes: u64,
    /// Heavy too when the intrinsic width is this many times the width the
    /// HTML shows it at (default 2.0).
    pub oversize_factor: f64,
    /// Older than this many days by `Last-Modified` (default 365).
    pub old_after_days: i64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            heavy_bytes: 500 * 1024,
            oversize_factor: 2.0,
            old_after_days: 365,
        }
    }
}

/// The thresholds a person sets for one help center: what counts as heavy
/// and as old. Stored per help-center integration; the desktop's audit
/// settings edit them, the CLI's `--heavy-kib`/`--old-days` override them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditSettings {
    /// Images above this many KiB are heavy.
    pub heavy_kib: u64,
    /// Images last modified more than this many days ago are old.
    pub old_days: i64,
}

impl AuditSettings {
    pub const MAX_HEAVY_KIB: u64 = 1024 * 1024;
    pub const MAX_OLD_DAYS: i64 = 36_500;

    /// Refuses thresholds that would make a rule meaningless, naming the fix.
    pub fn validate(&self) -> Result<()> {
        if !(1..=Self::MAX_HEAVY_KIB).contains(&self.heavy_kib) {
            return Err(CoreError::Invalid(format!(
                "the heavy threshold must be between 1 and {} KiB (it was {})",
                Self::MAX_HEAVY_KIB,
                self.heavy_kib
            )));
        }
        if !(1..=Self::MAX_OLD_DAYS).contains(&self.old_days) {
            return Err(CoreError::Invalid(format!(
                "the age threshold must be between 1 and {} days (it was {})",
                Self::MAX_OLD_DAYS,
                self.old_days
            )));
        }
        Ok(())
    }

    pub fn config(&self) -> AuditConfig {
        AuditConfig {
            heavy_bytes: self.heavy_kib * 1024,
            old_after_days: self.old_days,
            ..AuditConfig::default()
        }
    }
}

impl Default for AuditSettings {
    fn default() -> Self {
        let d = AuditConfig::default();
        AuditSettings {
            heavy_kib: d.heavy_bytes / 1024,
            old_days: d.old_after_days,
        }
    }
}

/// One image that breaks one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub rule: Rule,
    pub url: String,
    pub detail: String,
    /// Bytes that could be saved (duplicates: every copy but one; heavy: over the threshold).
    pub wasted_bytes: u64,
    pub articles: Vec<ArticleUseView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditReport {
    pub job_id: String,
    /// Findings per rule (every rule present, zero included).
    pub counts: BTreeMap<Rule, u64>,
    pub findings: Vec<Finding>,
}

/// Hosts that belong to the help center: its article pages, its API, the
/// public base URLs of linked storage.
pub fn own_hosts(data: &JobData, extra: &[String]) -> HashSet<String> {
    data.articles
        .iter()
        .map(|a| a.url.as_str())
        .chain(extra.iter().map(String::as_str))
        .filter_map(host_of)
        .collect()
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

struct Ctx<'a> {
    data: &'a JobData,
    uses: HashMap<&'a str, Vec<ArticleUseView>>,
    refs: HashMap<&'a str, Vec<&'a RefRec>>,
}

impl<'a> Ctx<'a> {
    fn new(data: &'a JobData) -> Self {
        let articles: HashMap<&str, _> = data.articles.iter().map(|a| (a.id.as_str(), a)).collect();
        let mut uses: HashMap<&str, Vec<ArticleUseView>> = HashMap::new();
        let mut refs: HashMap<&str, Vec<&RefRec>> = HashMap::new();
        for r in &data.refs {
            refs.entry(r.url.as_str()).or_default().push(r);
            let Some(a) = articles.get(r.article_id.as_str()) else {
                continue;
            };
            let list = uses.entry(r.url.as_str()).or_default();
            if !list.iter().any(|u| u.article_id == a.id) {
                list.push(ArticleUseView {
                    article_id: a.id.clone(),
                    external_article_id: a.external_id.clone(),
                    locale: a.locale.clone(),
                    title: a.title.clone(),
                    url: a.url.clone(),
                    is_published: a.is_published,
                });
            }
        }
        Ctx { data, uses, refs }
    }

    fn finding(&self, rule: Rule, url: &str, detail: String, wasted: u64) -> Finding {
        Finding {
            rule,
            url: url.to_owned(),
            detail,
            wasted_bytes: wasted,
            articles: self.uses.get(url).cloned().unwrap_or_default(),
        }
    }

    /// Distinct URLs in first-use order.
    fn urls(&self) -> Vec<&'a str> {
        let mut seen = HashSet::new();
        self.data
            .refs
            .iter()
            .map(|r| r.url.as_str())
            .filter(|u| seen.insert(*u))
            .collect()
    }
}

/// Runs every rule. `now` is the reference time for the age rule.
pub fn audit(
    job_id: &str,
    data: &JobData,
    own: &HashSet<String>,
    cfg: &AuditConfig,
    now: chrono::DateTime<chrono::Utc>,
) -> AuditReport {
    let ctx = Ctx::new(data);
    let mut findings = Vec::new();
    for url in ctx.urls() {
        let img = data.images.get(url);
        findings.extend(broken(&ctx, url, img));
        findings.extend(missing_alt(&ctx, url));
        findings.extend(heavy(&ctx, url, img, cfg));
        findings.extend(insecure(&ctx, url));
        findings.extend(hotlinked(&ctx, url, own));
        findings.extend(old(&ctx, url, img, cfg, now));
    }
    findings.extend(duplicates(&ctx));
    let mut counts: BTreeMap<Rule, u64> = Rule::ALL.iter().map(|r| (*r, 0)).collect();
    for f in &findings {
        *counts.entry(f.rule).or_default() += 1;
    }
    AuditReport {
        job_id: job_id.to_owned(),
        counts,
        findings,
    }
}

fn broken(ctx: &Ctx, url: &str, img: Option<&ImageRec>) -> Option<Finding> {
    let img = img.filter(|i| i.is_broken())?;
    let detail = match img.status_code {
        0 => format!(
            "could not be downloaded: {}",
            img.problem.clone().unwrap_or_default()
        ),
        s => format!("the image host answers HTTP {s}"),
    };
    Some(ctx.finding(Rule::Broken, url, detail, 0))
}

fn missing_alt(ctx: &Ctx, url: &str) -> Option<Finding> {
    let refs = ctx.refs.get(url)?;
    let missing = refs.iter().filter(|r| r.alt.trim().is_empty()).count();
    (missing > 0).then(|| {
        ctx.finding(
            Rule::MissingAlt,
            url,
            format!("{missing} of {} uses have no alt text", refs.len()),
            0,
        )
    })
}

fn heavy(ctx: &Ctx, url: &str, img: Option<&ImageRec>, cfg: &AuditConfig) -> Option<Finding> {
    let img = img.filter(|i| !i.is_broken())?;
    if img.size > cfg.heavy_bytes {
        let detail = format!(
            "{} KiB, over the {} KiB threshold",
            img.size / 1024,
            cfg.heavy_bytes / 1024
        );
        return Some(ctx.finding(Rule::Heavy, url, detail, img.size - cfg.heavy_bytes));
    }
    let shown = ctx
        .refs
        .get(url)?
        .iter()
        .filter_map(|r| r.width_attr)
        .filter(|w| *w > 0)
        .max()?;
    let factor = img.width as f64 / shown as f64;
    (factor >= cfg.oversize_factor).then(|| {
        // Bytes scale with area: what a right-sized image would save.
        let wasted = (img.size as f64 * (1.0 - 1.0 / (factor * factor))) as u64;
        ctx.finding(
            Rule::Heavy,
            url,
            format!(
                "{} px wide but shown at {shown} px ({factor:.1}x)",
                img.width
            ),
            wasted,
        )
    })
}

fn insecure(ctx: &Ctx, url: &str) -> Option<Finding> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    (parsed.scheme() == "http" && !is_loopback(&host))
        .then(|| ctx.finding(Rule::Insecure, url, "served over plain http:".into(), 0))
}

fn hotlinked(ctx: &Ctx, url: &str, own: &HashSet<String>) -> Option<Finding> {
    let host = host_of(url)?;
    (!own.contains(&host)).then(|| {
        ctx.finding(
            Rule::Hotlinked,
            url,
            format!("hosted on {host}, outside the help center"),
            0,
        )
    })
}

fn old(
    ctx: &Ctx,
    url: &str,
    img: Option<&ImageRec>,
    cfg: &AuditConfig,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Finding> {
    let lm = img?.last_modified.as_deref()?;
    let when = httpdate::parse_http_date(lm).ok()?;
    let when: chrono::DateTime<chrono::Utc> = when.into();
    let days = (now - when).num_days();
    (days > cfg.old_after_days).then(|| {
        ctx.finding(
            Rule::Old,
            url,
            format!("last modified {days} days ago ({lm})"),
            0,
        )
    })
}

/// One finding per URL holding bytes also stored at another URL; groups with
/// the most wasted bytes come first.
fn duplicates(ctx: &Ctx) -> Vec<Finding> {
    let mut groups: HashMap<&str, Vec<&ImageRec>> = HashMap::new();
    for url in ctx.urls() {
        if let Some(img) = ctx
            .data
            .images
            .get(url)
            .filter(|i| !i.is_broken() && i.size > 0)
        {
            groups.entry(img.hash.as_str()).or_default().push(img);
        }
    }
    let mut groups: Vec<Vec<&ImageRec>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g[0].size * (g.len() as u64 - 1)));
    groups
        .into_iter()
        .flat_map(|g| {
            let wasted = g[0].size * (g.len() as u64 - 1);
            let urls: Vec<&str> = g.iter().map(|i| i.url.as_str()).collect();
            g.iter()
                .map(|img| {
                    let others = urls.iter().filter(|u| **u != img.url).count();
                    ctx.finding(
                        Rule::Duplicate,
                        &img.url,
                        format!("same picture also stored at {others} other URL(s)"),
                        wasted,
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// CSV export: one row per finding and article (a finding with no article gets one row).
pub fn to_csv(report: &AuditReport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| CoreError::Invalid(format!("could not write CSV: {e}"));
    w.write_record([
        "rule",
        "image_url",
        "detail",
        "wasted_bytes",
        "article_id",
        "article_title",
        "article_url",
    ])
    .map_err(csv_err)?;
    for f in &report.findings {
        let wasted = f.wasted_bytes.to_string();
        if f.articles.is_empty() {
            w.write_record([f.rule.as_str(), &f.url, &f.detail, &wasted, "", "", ""])
                .map_err(csv_err)?;
        }
        for a in &f.articles {
            w.write_record([
                f.rule.as_str(),
                &f.url,
                &f.detail,
                &wasted,
                &a.external_article_id,
                &a.title,
                &a.url,
            ])
            .map_err(csv_err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CoreError::Invalid(format!("could not write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| CoreError::Invalid(format!("CSV is not UTF-8: {e}")))
}
