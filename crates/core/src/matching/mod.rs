//! Which existing image(s) a new screenshot replaces (LaunchBrightly's import
//! API, "Screenshot Matching Priority").
//!
//! Tiers, in order, stopping at the first that finds something:
//! 1. `metadata`: the screenshot's identifying PNG text pairs (every pair but
//!    the generic keys of [`MatchConfig::generic_metadata_keys`], and with a
//!    non-empty value) are non-empty and all present, equal, in the image.
//! 2. `hash`: SHA-256 equality. The screenshot's hash is its own content hash
//!    (LaunchBrightly's import API PUT `hash`, or computed from a dropped file), so equality means
//!    the image is already current: status `unchanged`, nothing to update.
//!    Then `perceptual`: the nearest images by perceptual hash within
//!    [`MatchConfig::perceptual_threshold`] whose aspect ratio agrees.
//! 3. `name`: same file name (URL-decoded, case-insensitive, query dropped).
//!    A name carried by several different images (different SHA-256) in one
//!    article (one translation) is ambiguous there and does not match there.
//! 4. `notfound`.
//!
//! Perceptual matches are reported as their own [`MatchType::Perceptual`] with
//! the distance, so a reviewer sees "looks like" rather than "is". Seed-shaped
//! output (which only knows metadata|hash|name|notfound) reports them as
//! `hash`, the "pixel hash" tier of LaunchBrightly's import API: see [`MatchType::seed_match_type`].
//!
//! Targets whose SHA-256 equals the screenshot's are flagged
//! [`MatchTarget::unchanged`] whatever the tier, so an update skips them; a
//! result whose targets are all unchanged has status `unchanged`.

mod phash;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
pub use phash::{HexHamming, PhashMetric};

/// One use of an image by an article (or one translation of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ArticleUse {
    /// Shotkeeper's internal article id.
    pub article_id: String,
    /// The help center's id of the article.
    pub external_id: String,
    pub locale: Option<String>,
    pub title: String,
}

/// An existing image of an import, with everything matching needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub url: String,
    /// File name; when empty, the last segment of `url` is used.
    pub name: String,
    pub sha256: String,
    pub phash: Option<String>,
    pub width: u32,
    pub height: u32,
    pub metadata: BTreeMap<String, String>,
    pub articles: Vec<ArticleUse>,
}

/// A new image offered as a replacement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Screenshot {
    /// File name; when empty, the last segment of `source` is used.
    pub name: String,
    /// SHA-256 of the screenshot's own bytes (lowercase hex); may be empty.
    pub sha256: String,
    pub phash: Option<String>,
    pub width: u32,
    pub height: u32,
    pub metadata: BTreeMap<String, String>,
    /// Where it came from: a path or a URL.
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum MatchType {
    Metadata,
    Hash,
    Perceptual,
    Name,
    Manual,
    Notfound,
}

impl MatchType {
    /// The `matchType` LaunchBrightly's update result reports for this tier.
    pub fn seed_match_type(self) -> crate::update::SeedMatchType {
        use crate::update::SeedMatchType as Seed;
        match self {
            MatchType::Metadata => Seed::Metadata,
            MatchType::Hash | MatchType::Perceptual => Seed::Hash,
            MatchType::Name => Seed::Name,
            MatchType::Manual => Seed::Manual,
            MatchType::Notfound => Seed::Notfound,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum MatchStatus {
    /// At least one target is to be replaced.
    Matched,
    /// Every target already has exactly these bytes: nothing to update.
    Unchanged,
    Notfound,
    /// Only ambiguous names were found: a person has to choose (`manual`).
    Ambiguous,
}

/// One image a screenshot replaces, and the articles where it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MatchTarget {
    pub url: String,
    pub name: String,
    pub sha256: String,
    /// The image's PNG text chunks (what LaunchBrightly's update result
    /// echoes for the image it replaced).
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// The uses this match applies to (narrowed by scope and ambiguity).
    pub articles: Vec<ArticleUse>,
    /// Perceptual distance, for perceptual matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance: Option<u32>,
    /// The image already has the screenshot's exact bytes.
    pub unchanged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MatchResult {
    /// The screenshot's name.
    pub screenshot: String,
    /// The screenshot's source (path or URL).
    pub source: String,
    pub match_type: MatchType,
    pub status: MatchStatus,
    /// Perceptual distance of the nearest target (perceptual matches only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance: Option<u32>,
    pub targets: Vec<MatchTarget>,
    /// Images with the screenshot's name that were left out as ambiguous.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ambiguous: Vec<MatchTarget>,
    /// Why, for a person.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct MatchConfig {
    /// Largest perceptual-hash distance (differing bits) that counts as the
    /// same screen. Default 40, on the scale of `crate::imaging`'s 256-bit
    /// gradient hash (its `PHASH_MATCH_MAX_DISTANCE`). Measured there on
    /// synthetic screenshots: the same image resized 2-8 bits, re-encoded as
    /// JPEG ~3, with a changed button, a few changed lines or a new banner
    /// 10-13; different pages of one app (same header and sidebar) 72-98;
    /// unrelated images ~128. 40 keeps a wide margin above real edits and
    /// stays far below a different page; every match is reviewed before it
    /// is applied. For a 64-bit hash, scale it (about 10).
    pub perceptual_threshold: u32,
    /// Largest relative difference of width/height ratios for a perceptual
    /// match (0.05 = 5 %): a perceptual hash is computed on a squashed
    /// thumbnail and cannot tell a wide banner from a tall page.
    pub aspect_tolerance: f32,
    /// PNG text keys that say nothing about which screen an image shows
    /// (tools, dates, embedded XMP/EXIF, team-wide stamps); ignored by the
    /// metadata tier. Compared case-insensitively; a trailing `*` matches a
    /// prefix (`date:*` covers ImageMagick's date:create/date:modify).
    pub generic_metadata_keys: Vec<String>,
}

impl Default for MatchConfig {
    fn default() -> Self {
        let keys = [
            // The tool or device that wrote the file.
            "Software",
            "Source",
            "PoweredBy",
            // When it was written: differs on every capture.
            "Creation Time",
            "Date",
            "date:*",
            "Modify Date",
            // Embedded profiles and blobs re-written by every export.
            "XML:com.adobe.xmp",
            "Raw profile type *",
            "exif:*",
            "icc:*",
            // The same on every screenshot a team makes.
            "Author",
            "Copyright",
            "Disclaimer",
            "Warning",
            "Comment",
        ];
        MatchConfig {
            perceptual_threshold: 40,
            aspect_tolerance: 0.05,
            generic_metadata_keys: keys.iter().map(|k| k.to_string()).collect(),
        }
    }
}

/// Which articles a match may touch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "articleId")]
pub enum MatchScope {
    /// Every article of the import.
    #[default]
    Import,
    /// Only the article with this internal id (all its translations).
    Article(String),
}

impl MatchScope {
    fn admits(&self, use_: &ArticleUse) -> bool {
        match self {
            MatchScope::Import => true,
            MatchScope::Article(id) => use_.article_id == *id,
        }
    }
}

/// Case-insensitive generic keys: exact names and `prefix*` patterns.
struct GenericKeys {
    exact: HashSet<String>,
    prefixes: Vec<String>,
}

impl GenericKeys {
    fn new(keys: &[String]) -> Self {
        let mut exact = HashSet::new();
        let mut prefixes = Vec::new();
        for key in keys.iter().map(|k| k.trim().to_lowercase()) {
            match key.strip_suffix('*') {
                Some(prefix) => prefixes.push(prefix.to_string()),
                None => {
                    exact.insert(key);
                }
            }
        }
        GenericKeys { exact, prefixes }
    }

    fn contains(&self, key: &str) -> bool {
        let key = key.trim().to_lowercase();
        self.exact.contains(&key) || self.prefixes.iter().any(|p| key.starts_with(p))
    }
}

/// A candidate id and, for perceptual hits, its distance.
type Hit = (u32, Option<u32>);

/// Every index over one import's images, built once and queried for each
/// screenshot: SHA-256, metadata pairs (inverted), normalised names, and
/// perceptual hashes (multi-index hashing, see `phash.rs`).
pub struct MatchIndex {
    candidates: Vec<Candidate>,
    cfg: MatchConfig,
    generic: GenericKeys,
    metric: Arc<dyn PhashMetric>,
    by_url: HashMap<String, u32>,
    by_sha: HashMap<String, Vec<u32>>,
    by_name: HashMap<String, Vec<u32>>,
    /// key -> trimmed value -> candidates.
    by_meta: HashMap<String, HashMap<String, Vec<u32>>>,
    near: phash::NearIndex,
}

impl std::fmt::Debug for MatchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchIndex")
            .field("candidates", &self.candidates.len())
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

/// The file name a matcher compares: last path segment, query and fragment
/// dropped, percent-decoded, trimmed, lowercase.
pub fn normalise_name(name_or_url: &str) -> String {
    let no_query = name_or_url.split(['?', '#']).next().unwrap_or_default();
    let last = no_query.rsplit(['/', '\\']).next().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
    decoded.trim().to_lowercase()
}

fn display_name(name: &str, fallback: &str) -> String {
    let n = if name.trim().is_empty() {
        fallback
    } else {
        name
    };
    n.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .to_string()
}

impl MatchIndex {
    /// Index an import's images. Perceptual hashes are compared as
    /// hexadecimal ([`HexHamming`]) until `crate::imaging` is wired in; use
    /// [`MatchIndex::build_with_metric`] for another format.
    pub fn build(candidates: Vec<Candidate>, cfg: MatchConfig) -> Self {
        Self::build_with_metric(candidates, cfg, Arc::new(HexHamming))
    }

    pub fn build_with_metric(
        candidates: Vec<Candidate>,
        cfg: MatchConfig,
        metric: Arc<dyn PhashMetric>,
    ) -> Self {
        let generic = GenericKeys::new(&cfg.generic_metadata_keys);
        let mut idx = MatchIndex {
            near: phash::NearIndex::build(std::iter::empty(), 0, metric.as_ref()),
            candidates,
            cfg,
            generic,
            metric,
            by_url: HashMap::new(),
            by_sha: HashMap::new(),
            by_name: HashMap::new(),
            by_meta: HashMap::new(),
        };
        idx.index_exact_keys();
        let phashes = idx.candidates.iter().enumerate().filter_map(|(i, c)| {
            let h = c
                .phash
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())?;
            Some((i as u32, h))
        });
        idx.near =
            phash::NearIndex::build(phashes, idx.cfg.perceptual_threshold, idx.metric.as_ref());
        idx
    }

    fn index_exact_keys(&mut self) {
        for (i, c) in self.candidates.iter().enumerate() {
            let id = i as u32;
            self.by_url.entry(c.url.trim().to_string()).or_insert(id);
            let sha = c.sha256.trim().to_ascii_lowercase();
            if !sha.is_empty() {
                self.by_sha.entry(sha).or_default().push(id);
            }
            let name = normalise_name(if c.name.trim().is_empty() {
                &c.url
            } else {
                &c.name
            });
            if !name.is_empty() {
                self.by_name.entry(name).or_default().push(id);
            }
            for (k, v) in &c.metadata {
                if !v.trim().is_empty() && !self.generic.contains(k) {
                    let values = self.by_meta.entry(k.clone()).or_default();
                    values.entry(v.trim().to_string()).or_default().push(id);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    pub fn config(&self) -> &MatchConfig {
        &self.cfg
    }

    /// Match against the whole import.
    pub fn match_one(&self, s: &Screenshot) -> MatchResult {
        self.match_one_in(s, &MatchScope::Import)
    }

    pub fn match_all(&self, screenshots: &[Screenshot]) -> Vec<MatchResult> {
        self.match_all_in(screenshots, &MatchScope::Import)
    }

    /// Results in the order of `screenshots`. Matching is CPU-bound and each
    /// screenshot is independent, so large batches are spread over the cores.
    pub fn match_all_in(&self, screenshots: &[Screenshot], scope: &MatchScope) -> Vec<MatchResult> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = cores.min(screenshots.len().div_ceil(64)).max(1);
        let part = screenshots.len().div_ceil(threads).max(1);
        let run = |batch: &[Screenshot]| -> Vec<MatchResult> {
            batch.iter().map(|s| self.match_one_in(s, scope)).collect()
        };
        if threads == 1 {
            return run(screenshots);
        }
        std::thread::scope(|threads| {
            let handles: Vec<_> = screenshots
                .chunks(part)
                .map(|batch| threads.spawn(move || run(batch)))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    }

    /// Match within a scope; each tier only counts images in scope, so a
    /// metadata match in another article does not hide a name match here.
    pub fn match_one_in(&self, s: &Screenshot, scope: &MatchScope) -> MatchResult {
        self.by_metadata(s, scope)
            .or_else(|| self.by_hash(s, scope))
            .or_else(|| self.by_perceptual(s, scope))
            .or_else(|| self.by_name(s, scope))
            .unwrap_or_else(|| self.not_found(s))
    }

    /// A person's choice: `s` replaces the image at `target_url` in every
    /// article of the import that uses it.
    pub fn manual_match(&self, s: &Screenshot, target_url: &str) -> Result<MatchResult> {
        self.manual_match_in(s, target_url, &MatchScope::Import)
    }

    pub fn manual_match_in(
        &self,
        s: &Screenshot,
        target_url: &str,
        scope: &MatchScope,
    ) -> Result<MatchResult> {
        let id = *self
            .by_url
            .get(target_url.trim())
            .ok_or_else(|| CoreError::NotFound {
                what: format!(
                    "image {target_url} in this import (re-run the import if the article changed)"
                ),
            })?;
        let target = self
            .target(s, (id, None), scope)
            .ok_or_else(|| CoreError::NotFound {
                what: format!("image {target_url} in the chosen article"),
            })?;
        let reason = format!("chosen by hand: replaces {}", target.url);
        Ok(self.result(s, MatchType::Manual, vec![target], reason))
    }

    fn candidate(&self, id: u32) -> &Candidate {
        &self.candidates[id as usize]
    }

    /// The target for a hit, narrowed to the scope; `None` when none of its
    /// uses is in scope.
    fn target(
        &self,
        s: &Screenshot,
        (id, distance): Hit,
        scope: &MatchScope,
    ) -> Option<MatchTarget> {
        if !self.in_scope(id, scope) {
            return None;
        }
        let c = self.candidate(id);
        let articles = c
            .articles
            .iter()
            .filter(|a| scope.admits(a))
            .cloned()
            .collect();
        let sha = c.sha256.trim();
        Some(MatchTarget {
            url: c.url.clone(),
            name: display_name(&c.name, &c.url),
            sha256: c.sha256.clone(),
            metadata: c.metadata.clone(),
            articles,
            distance,
            unchanged: !sha.is_empty() && sha.eq_ignore_ascii_case(s.sha256.trim()),
        })
    }

    /// Whether an image may be matched in this scope (in the whole import,
    /// every image may, even one no article uses any more).
    fn in_scope(&self, id: u32, scope: &MatchScope) -> bool {
        *scope == MatchScope::Import || self.candidate(id).articles.iter().any(|a| scope.admits(a))
    }

    fn targets(
        &self,
        s: &Screenshot,
        hits: impl IntoIterator<Item = Hit>,
        scope: &MatchScope,
    ) -> Vec<MatchTarget> {
        let mut hits: Vec<Hit> = hits.into_iter().collect();
        hits.sort_unstable();
        hits.dedup_by_key(|h| h.0);
        hits.into_iter()
            .filter_map(|h| self.target(s, h, scope))
            .collect()
    }

    fn result(
        &self,
        s: &Screenshot,
        kind: MatchType,
        targets: Vec<MatchTarget>,
        reason: String,
    ) -> MatchResult {
        let status = if targets.iter().all(|t| t.unchanged) {
            MatchStatus::Unchanged
        } else {
            MatchStatus::Matched
        };
        MatchResult {
            screenshot: display_name(&s.name, &s.source),
            source: s.source.clone(),
            match_type: kind,
            status,
            distance: targets.iter().filter_map(|t| t.distance).min(),
            targets,
            ambiguous: Vec::new(),
            reason,
        }
    }

    /// The screenshot's identifying metadata: non-generic keys, non-empty values.
    fn identifying_pairs<'a>(&self, s: &'a Screenshot) -> Vec<(&'a str, &'a str)> {
        s.metadata
            .iter()
            .map(|(k, v)| (k.as_str(), v.trim()))
            .filter(|(k, v)| !v.is_empty() && !self.generic.contains(k))
            .collect()
    }

    fn by_metadata(&self, s: &Screenshot, scope: &MatchScope) -> Option<MatchResult> {
        let pairs = self.identifying_pairs(s);
        // Walk the rarest pair's postings and check the others on each image.
        let rarest = pairs
            .iter()
            .map(|(k, v)| self.by_meta.get(*k).and_then(|vals| vals.get(*v)))
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .min_by_key(|ids| ids.len())?;
        let hits = rarest.iter().filter(|&&id| {
            let md = &self.candidate(id).metadata;
            pairs
                .iter()
                .all(|(k, v)| md.get(*k).map(|x| x.trim()) == Some(*v))
        });
        let targets = self.targets(s, hits.map(|&id| (id, None)), scope);
        if targets.is_empty() {
            return None;
        }
        let shown: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let reason = format!(
            "metadata {} matched {}",
            shown.join(", "),
            count_phrase(&targets)
        );
        Some(self.result(s, MatchType::Metadata, targets, reason))
    }

    fn by_hash(&self, s: &Screenshot, scope: &MatchScope) -> Option<MatchResult> {
        let sha = s.sha256.trim().to_ascii_lowercase();
        let ids = self.by_sha.get(&sha)?;
        let targets = self.targets(s, ids.iter().map(|&id| (id, None)), scope);
        if targets.is_empty() {
            return None;
        }
        let short = &sha[..sha.len().min(12)];
        let reason = format!(
            "identical file (sha256 {short}…) is already used: {}; nothing to update",
            count_phrase(&targets)
        );
        Some(self.result(s, MatchType::Hash, targets, reason))
    }

    fn aspect_agrees(&self, s: &Screenshot, c: &Candidate) -> bool {
        if s.width == 0 || s.height == 0 || c.width == 0 || c.height == 0 {
            return false; // unknown size: the guard cannot be satisfied
        }
        let a = f64::from(s.width) / f64::from(s.height);
        let b = f64::from(c.width) / f64::from(c.height);
        (a - b).abs() / a.max(b) <= f64::from(self.cfg.aspect_tolerance)
    }

    fn by_perceptual(&self, s: &Screenshot, scope: &MatchScope) -> Option<MatchResult> {
        let phash = s
            .phash
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())?;
        let near: Vec<(u32, u32)> = self
            .near
            .within(phash, self.metric.as_ref())
            .into_iter()
            .filter(|&(id, _)| self.in_scope(id, scope))
            .filter(|&(id, _)| self.aspect_agrees(s, self.candidate(id)))
            .collect();
        // Nearest only; ties are all reported.
        let best = near.iter().map(|&(_, d)| d).min()?;
        let hits = near
            .into_iter()
            .filter(|&(_, d)| d == best)
            .map(|(id, d)| (id, Some(d)));
        let targets = self.targets(s, hits, scope);
        let reason = format!(
            "looks like {} (perceptual distance {best} of at most {}): {}",
            targets.first().map(|t| t.name.as_str()).unwrap_or_default(),
            self.cfg.perceptual_threshold,
            count_phrase(&targets)
        );
        Some(self.result(s, MatchType::Perceptual, targets, reason))
    }

    fn by_name(&self, s: &Screenshot, scope: &MatchScope) -> Option<MatchResult> {
        let name = normalise_name(if s.name.trim().is_empty() {
            &s.source
        } else {
            &s.name
        });
        let ids = self.by_name.get(&name)?;
        let (targets, ambiguous) = self.split_ambiguous(s, ids, scope);
        if targets.is_empty() && ambiguous.is_empty() {
            return None;
        }
        let display = display_name(&s.name, &s.source);
        let why_ambiguous = self.ambiguity_phrase(&display, &ambiguous);
        if targets.is_empty() {
            let mut r = self.result(s, MatchType::Name, Vec::new(), why_ambiguous);
            r.status = MatchStatus::Ambiguous;
            r.ambiguous = ambiguous;
            return Some(r);
        }
        let mut reason = format!("name {display} matched {}", count_phrase(&targets));
        if !ambiguous.is_empty() {
            reason = format!("{reason}; skipped where {why_ambiguous}");
        }
        let mut r = self.result(s, MatchType::Name, targets, reason);
        r.ambiguous = ambiguous;
        Some(r)
    }

    /// Same-named images, each cut into the uses where it matches and the
    /// uses (articles) where the name is ambiguous.
    fn split_ambiguous(
        &self,
        s: &Screenshot,
        ids: &[u32],
        scope: &MatchScope,
    ) -> (Vec<MatchTarget>, Vec<MatchTarget>) {
        let ambiguous_in = self.ambiguous_articles(ids, scope);
        let (mut targets, mut ambiguous) = (Vec::new(), Vec::new());
        for t in self.targets(s, ids.iter().map(|&id| (id, None)), scope) {
            let (bad, good): (Vec<_>, Vec<_>) = t
                .articles
                .iter()
                .cloned()
                .partition(|a| ambiguous_in.contains(&article_key(a)));
            // An image no article uses any more is not ambiguous anywhere.
            if !good.is_empty() || t.articles.is_empty() {
                targets.push(MatchTarget {
                    articles: good,
                    ..t.clone()
                });
            }
            if !bad.is_empty() {
                ambiguous.push(MatchTarget { articles: bad, ..t });
            }
        }
        (targets, ambiguous)
    }

    /// Articles (per translation) in scope where these same-named images
    /// have more than one distinct content.
    fn ambiguous_articles(
        &self,
        ids: &[u32],
        scope: &MatchScope,
    ) -> HashSet<(String, Option<String>)> {
        let mut contents: HashMap<(String, Option<String>), BTreeSet<String>> = HashMap::new();
        for &id in ids {
            let c = self.candidate(id);
            for a in c.articles.iter().filter(|a| scope.admits(a)) {
                let sha = c.sha256.trim().to_ascii_lowercase();
                contents.entry(article_key(a)).or_default().insert(sha);
            }
        }
        contents
            .into_iter()
            .filter(|(_, shas)| shas.len() > 1)
            .map(|(k, _)| k)
            .collect()
    }

    fn ambiguity_phrase(&self, display: &str, ambiguous: &[MatchTarget]) -> String {
        let mut per_article: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
        for t in ambiguous {
            for a in &t.articles {
                let key = (a.title.clone(), a.external_id.clone());
                per_article
                    .entry(key)
                    .or_default()
                    .insert(t.sha256.as_str());
            }
        }
        let places: Vec<String> = per_article
            .iter()
            .map(|((title, ext), shas)| {
                format!(
                    "{} different images in article '{title}' ({ext})",
                    shas.len()
                )
            })
            .collect();
        format!(
            "name {display} is used by {}: ambiguous, drop the screenshot on the image it replaces",
            places.join(", ")
        )
    }

    fn not_found(&self, s: &Screenshot) -> MatchResult {
        let pairs = self.identifying_pairs(s);
        let metadata = if pairs.is_empty() {
            "no identifying metadata".to_string()
        } else {
            let shown: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("no image with metadata {}", shown.join(", "))
        };
        let display = display_name(&s.name, &s.source);
        let reason = format!(
            "{metadata}; no identical image; no image within perceptual distance {} of the same shape; no image named {display}",
            self.cfg.perceptual_threshold
        );
        MatchResult {
            screenshot: display,
            source: s.source.clone(),
            match_type: MatchType::Notfound,
            status: MatchStatus::Notfound,
            distance: None,
            targets: Vec::new(),
            ambiguous: Vec::new(),
            reason,
        }
    }
}

fn article_key(a: &ArticleUse) -> (String, Option<String>) {
    (a.article_id.clone(), a.locale.clone())
}

/// "2 image(s) in 3 article(s)".
fn count_phrase(targets: &[MatchTarget]) -> String {
    let articles: HashSet<(&str, Option<&str>)> = targets
        .iter()
        .flat_map(|t| t.articles.iter())
        .map(|a| (a.article_id.as_str(), a.locale.as_deref()))
        .collect();
    format!(
        "{} image(s) in {} article(s)",
        targets.len(),
        articles.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_decoded_lowercased_and_stripped_of_queries() {
        assert_eq!(
            normalise_name("https://x.io/a/My%20Shot.PNG?v=2#top"),
            "my shot.png"
        );
        assert_eq!(normalise_name("Billing.png"), "billing.png");
        assert_eq!(normalise_name("C:\\shots\\Billing.png"), "billing.png");
        assert_eq!(normalise_name(""), "");
    }

    #[test]
    fn generic_keys_are_case_insensitive_with_prefixes() {
        let g = GenericKeys::new(&MatchConfig::default().generic_metadata_keys);
        assert!(g.contains("software"));
        assert!(g.contains("date:modify"));
        assert!(g.contains("Raw profile type exif"));
        assert!(!g.contains("screen"));
    }

    #[test]
    fn seed_match_types_stay_within_the_seed_vocabulary() {
        assert_eq!(
            MatchType::Perceptual.seed_match_type(),
            crate::update::SeedMatchType::Hash
        );
        assert_eq!(
            serde_json::to_string(&MatchType::Perceptual).unwrap(),
            "\"perceptual\""
        );
        assert_eq!(
            serde_json::to_string(&MatchStatus::Notfound).unwrap(),
            "\"notfound\""
        );
    }
}
