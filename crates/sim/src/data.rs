//! The sample-data generator: a deterministic model of articles, documents,
//! image references and image assets, and the [`Expected`] answers derived
//! from that model by construction.
//!
//! The model records, for every `<img>` it writes, which target it points at
//! (a hosted path and the asset behind it, a broken path, or an inline
//! asset). The HTML is written *from* that model; the expected numbers are
//! counted *from* that model, never by parsing the HTML back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::assets::{AssetSpec, TextChunk};
use crate::html::{self, Block, Form, ImgRef, Target, UrlCtx};
use crate::kit::DataProfile;
use crate::options::SimOptions;
use crate::text;

/// The known answers for one generated help center (fault-free, as
/// generated; later edits through the API do not change them).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Expected {
    /// Articles in the listing, translations not counted: every generated
    /// article, published or not (Help.Center: the complete listing is
    /// `GET .../articles/drafts`; `GET .../articles` shows published ones).
    pub articles: u64,
    /// Article documents including translations (what an import records as
    /// articles): one per (article, language).
    pub documents: u64,
    /// Every `<img>` element in every document, `data:` URIs included. An
    /// element's `src`, `srcset` and `data-src` name one image: one reference.
    pub image_refs: u64,
    /// Distinct images: distinct assets behind the referenced hosted paths
    /// (two paths serving the same bytes are one asset) plus distinct inline
    /// assets plus distinct broken paths (each broken URL counts once).
    pub unique_images: u64,
    /// `image_refs - unique_images`.
    pub duplicate: u64,
    /// Distinct referenced paths the image host answers 404 for.
    pub broken_urls: u64,
    /// Distinct referenced http URLs (hosted and broken paths; every URL form
    /// of one path resolves to the same URL). Inline images are not URLs.
    pub distinct_urls: u64,
    /// Distinct authors of the listed articles when the provider exposes
    /// authors (HelpCenter.io); 0 for Helpjuice and Help.Center, whose
    /// documented article objects carry no author.
    pub authors: u64,
    /// Documents that are published (Help.Center: have a live version).
    pub published: u64,
    /// What `App::audit` with the default settings reports per rule.
    pub audit: AuditExpected,
}

/// Findings per audit rule, counted as core's audit counts them (one
/// finding per distinct image URL that breaks the rule, `data:` URIs
/// included as URLs; the `duplicate` rule one finding per URL of a shared
/// picture), with its defaults: 500 KiB, 2x oversize, 365 days.
///
/// Which references the generator plants on purpose, and where (every
/// [`PLANT_EVERY`] articles from the first, at most [`PLANT_ROUNDS`] times
/// so that large help centers stay as fast to import; three articles have
/// one of each): article 0 a 640x400 PNG of noise (heavy by size, one file reused
/// by later plantings); article 1 a 1280x720 screenshot with
/// `width="320"` (heavy by oversize); article 2 a screenshot on
/// `http://localhost:PORT` with no `alt` attribute (hotlinked) and, on
/// Linux, one on `http://0.0.0.0:PORT` (insecure and hotlinked).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditExpected {
    /// Distinct URLs the image host answers 404 for (= `broken_urls`).
    pub broken: u64,
    /// Distinct image URLs (hosted, broken or `data:`) with at least one
    /// `<img>` that has no `alt` attribute or an empty/blank one: inline
    /// icons (`alt=""`), after the script the references numbered 7 mod 20
    /// (`alt=""`) and 17 mod 20 (no `alt`), the planted hotlinked
    /// screenshot (no `alt`).
    pub missing_alt: u64,
    /// Downloadable distinct URLs whose file is over 500 KiB (the noise
    /// PNG) or whose intrinsic width is at least twice the largest `width`
    /// attribute of its `<img>` elements (the 1280 px screenshots shown at
    /// 320). No other generated image comes near either bound.
    pub heavy: u64,
    /// Distinct `http:` URLs on a host that is not a loopback name: the
    /// `0.0.0.0` screenshots. Every other URL is on `127.0.0.1` or
    /// `localhost`, which the audit exempts. 0 off Linux: only Linux
    /// reliably routes a connection to `0.0.0.0` to the local host, so the
    /// generator plants none there rather than a URL that may not load.
    pub insecure: u64,
    /// Distinct URLs on a host other than the help center's (`127.0.0.1`,
    /// where its articles live): the `localhost` and `0.0.0.0` screenshots.
    pub hotlinked: u64,
    /// Distinct downloadable URLs (hosted or `data:`) whose bytes are also
    /// served at another such URL: every URL of an asset that has two or
    /// more. Not the `duplicate` count of LaunchBrightly's import API above, which counts
    /// references.
    pub duplicate: u64,
    /// Distinct hosted URLs whose `Last-Modified` is more than 365 days
    /// before the simulator started. Every fourth hosted path from the
    /// third on carries a fixed date in 2023-2024; the rest (and the
    /// planted oversize and `0.0.0.0` screenshots) were modified 1-90 days
    /// before the start. The answer holds while the audit runs within 275 days of
    /// the simulator's start.
    pub old: u64,
}

/// Planted audit findings repeat every this many articles.
pub const PLANT_EVERY: usize = 20;
/// Articles from `PLANT_EVERY * PLANT_ROUNDS` on get no planted findings.
pub const PLANT_ROUNDS: usize = 5;

/// Whether to plant `http://0.0.0.0:PORT` images: on Linux a connection to
/// the unspecified address reaches the local host at once; elsewhere
/// (Windows refuses it) it is not reliable.
const PLANT_INSECURE: bool = cfg!(target_os = "linux");

/// One language version of an article.
#[derive(Clone, Debug)]
pub struct GenDoc {
    pub locale: String,
    pub title: String,
    pub slug: String,
    /// Public path, `/kb/<slug>` or `/kb/<locale>/<slug>`.
    pub path: String,
    pub html: String,
    /// Help.Center only: a pending draft that differs from `html` in text
    /// only (no image changes), so either version yields the same images.
    pub pending: Option<String>,
    pub published: bool,
    pub refs: Vec<ImgRef>,
}

#[derive(Clone, Debug)]
pub struct GenArticle {
    pub id: String,
    pub category: usize,
    pub author: usize,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub views: u64,
    /// The default-language document first, then translations.
    pub docs: Vec<GenDoc>,
}

/// A path served by the image host.
#[derive(Clone, Debug)]
pub struct Hosted {
    pub asset: usize,
    pub last_modified: DateTime<Utc>,
    /// The host its `<img>` URLs name: `None` for the site's own
    /// (`127.0.0.1`), else another name of the same server.
    pub other_host: Option<&'static str>,
}

pub struct Model {
    pub articles: Vec<GenArticle>,
    pub assets: Vec<AssetSpec>,
    pub hosted: BTreeMap<String, Hosted>,
    pub expected: Expected,
}

/// The three people who write the sample articles.
pub const AUTHORS: [(u64, &str); 3] = [
    (11, "Maya Chen"),
    (12, "Jonas Weber"),
    (13, "Priya Natarajan"),
];

/// (id, slug, name) of the sample categories.
pub const CATEGORIES: [(u64, &str, &str); 4] = [
    (21, "getting-started", "Getting started"),
    (22, "billing", "Billing"),
    (23, "team-and-permissions", "Team & permissions"),
    (24, "integrations", "Integrations"),
];

/// Which kind of `<img>` target to make next.
enum Pick {
    NewScreenshot(TextChunk),
    NewPhoto,
    Broken,
    Shared,
    Duplicate,
    Inline,
}

/// The first references of every data set follow this script so that even a
/// three-article help center contains every feature once.
const SCRIPT: [(Pick, Form); 7] = [
    (Pick::NewScreenshot(TextChunk::Ztxt), Form::Absolute),
    (Pick::NewPhoto, Form::RootRelative),
    (Pick::Broken, Form::DotRelative),
    (Pick::Shared, Form::ProtocolRelative),
    (Pick::Duplicate, Form::Srcset),
    (Pick::NewScreenshot(TextChunk::Itxt), Form::DataSrc),
    (Pick::Inline, Form::Absolute),
];

struct Gen {
    rng: StdRng,
    assets: Vec<AssetSpec>,
    hosted: BTreeMap<String, Hosted>,
    /// Hosted paths in creation order, for sharing.
    hosted_paths: Vec<String>,
    /// Asset indexes of screenshots, for byte-identical duplicates.
    screenshots: Vec<usize>,
    broken: Vec<String>,
    icons: Vec<usize>,
    inline_uris: HashMap<usize, String>,
    stems: HashMap<String, u32>,
    refs_made: usize,
    /// Planted findings draw from their own generator and name space, so
    /// that everything else is generated exactly as without them.
    plant_rng: StdRng,
    plant_stems: HashMap<String, u32>,
    /// The noise PNG once made (one file, reused).
    heavy_path: Option<String>,
    other_hosts: HashMap<String, &'static str>,
    /// When generation ran: recent `Last-Modified` dates count back from it.
    now: DateTime<Utc>,
    /// Every image URL absolute, for an API whose article JSON has no
    /// public URL to resolve relative ones against (Freshdesk's).
    absolute_only: bool,
}

pub fn generate(opts: &SimOptions, site: &str) -> Model {
    let prof = opts.provider.api().data();
    let mut g = Gen {
        rng: StdRng::seed_from_u64(opts.seed),
        assets: Vec::new(),
        hosted: BTreeMap::new(),
        hosted_paths: Vec::new(),
        screenshots: Vec::new(),
        broken: Vec::new(),
        icons: Vec::new(),
        inline_uris: HashMap::new(),
        stems: HashMap::new(),
        refs_made: 0,
        plant_rng: StdRng::seed_from_u64(opts.seed ^ 0x5eed_0a0d_17ed_0001),
        plant_stems: HashMap::new(),
        heavy_path: None,
        other_hosts: HashMap::new(),
        now: Utc
            .timestamp_opt(Utc::now().timestamp(), 0)
            .single()
            .expect("valid time"),
        absolute_only: prof.absolute_only,
    };
    if let Some(pool) = &opts.screenshot_pool {
        g.pool_assets(pool);
    }
    let mut slugs = HashMap::new();
    let articles: Vec<GenArticle> = (0..opts.articles)
        .map(|i| g.article(i, opts, &prof, site, &mut slugs))
        .collect();
    let mut expected = expected(&articles, &g.hosted, &prof);
    expected.audit = audit_expected(&articles, &g.assets, &g.hosted, g.now);
    Model {
        articles,
        assets: g.assets,
        hosted: g.hosted,
        expected,
    }
}

/// Counts [`Expected`] from the model (see the field docs for each rule).
fn expected(
    articles: &[GenArticle],
    hosted: &BTreeMap<String, Hosted>,
    prof: &DataProfile,
) -> Expected {
    let mut e = Expected {
        articles: articles.len() as u64,
        documents: 0,
        image_refs: 0,
        unique_images: 0,
        duplicate: 0,
        broken_urls: 0,
        distinct_urls: 0,
        authors: 0,
        published: 0,
        audit: AuditExpected::default(),
    };
    let mut assets = BTreeSet::new();
    let mut broken = BTreeSet::new();
    let mut urls = BTreeSet::new();
    let mut authors = BTreeSet::new();
    for a in articles {
        authors.insert(a.author);
        for d in &a.docs {
            e.documents += 1;
            e.published += u64::from(d.published);
            for r in &d.refs {
                e.image_refs += 1;
                match &r.target {
                    Target::Hosted(p) => {
                        urls.insert(p.clone());
                        assets.insert(hosted[p].asset);
                    }
                    Target::Broken(p) => {
                        urls.insert(p.clone());
                        broken.insert(p.clone());
                    }
                    Target::Inline(asset) => {
                        assets.insert(*asset);
                    }
                }
            }
        }
    }
    e.unique_images = (assets.len() + broken.len()) as u64;
    e.duplicate = e.image_refs - e.unique_images;
    e.broken_urls = broken.len() as u64;
    e.distinct_urls = urls.len() as u64;
    e.authors = if prof.exposes_authors {
        authors.len() as u64
    } else {
        0
    };
    e
}

/// Counts [`AuditExpected`] from the model, rule by rule as the audit
/// decides, from what the generator made (asset kinds and sizes, hosts,
/// dates, attributes), never from the HTML.
fn audit_expected(
    articles: &[GenArticle],
    assets: &[AssetSpec],
    hosted: &BTreeMap<String, Hosted>,
    now: DateTime<Utc>,
) -> AuditExpected {
    /// What one distinct image URL is, and what its `<img>` elements say.
    #[derive(Default)]
    struct Use {
        lacks_alt: bool,
        widest_shown: u32,
    }
    const HEAVY_BYTES: u64 = 500 * 1024;
    const OVERSIZE_FACTOR: f64 = 2.0;
    const OLD_AFTER_DAYS: i64 = 365;
    let mut uses: BTreeMap<&Target, Use> = BTreeMap::new();
    for r in articles.iter().flat_map(|a| &a.docs).flat_map(|d| &d.refs) {
        let u = uses.entry(&r.target).or_default();
        u.lacks_alt |= r.lacks_alt();
        u.widest_shown = u.widest_shown.max(r.width.unwrap_or(0));
    }
    let mut e = AuditExpected::default();
    let mut urls_of_asset: BTreeMap<usize, u64> = BTreeMap::new();
    for (target, u) in &uses {
        e.missing_alt += u64::from(u.lacks_alt);
        let asset = match target {
            Target::Broken(_) => {
                e.broken += 1;
                continue;
            }
            Target::Inline(asset) => *asset,
            Target::Hosted(p) => {
                let h = &hosted[p];
                if let Some(host) = h.other_host {
                    e.hotlinked += 1;
                    // Plain http on a name that is not loopback.
                    e.insecure += u64::from(host != "localhost");
                }
                e.old += u64::from((now - h.last_modified).num_days() > OLD_AFTER_DAYS);
                h.asset
            }
        };
        *urls_of_asset.entry(asset).or_default() += 1;
        let spec = &assets[asset];
        let oversize = u.widest_shown > 0
            && f64::from(spec.width()) / f64::from(u.widest_shown) >= OVERSIZE_FACTOR;
        e.heavy += u64::from(spec.min_bytes() > HEAVY_BYTES || oversize);
    }
    e.duplicate = urls_of_asset.values().filter(|n| **n > 1).sum();
    e
}

fn base_date() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 1, 2, 9, 0, 0)
        .single()
        .expect("valid date")
}

impl Gen {
    fn article(
        &mut self,
        i: usize,
        opts: &SimOptions,
        prof: &DataProfile,
        site: &str,
        slugs: &mut HashMap<String, u32>,
    ) -> GenArticle {
        let created_at = base_date()
            + Duration::days(self.rng.gen_range(0..600))
            + Duration::seconds(self.rng.gen_range(0..86_400));
        let updated_at = created_at + Duration::seconds(self.rng.gen_range(3_600..200 * 86_400));
        // Fixed patterns (not random) so small data sets are predictable:
        // every sixth article from the third on is unpublished, ...
        let published = i % 6 != 2;
        let title = text::title(&mut self.rng);
        let slug = unique(slugs, &text::slugify(&title));
        let refs = match &opts.screenshot_pool {
            Some(pool) => self.pool_refs(i, opts.articles, pool),
            None => {
                let n_images = self.image_count(opts.images_per_article);
                let mut refs: Vec<ImgRef> = (0..n_images).map(|_| self.next_ref()).collect();
                refs.extend(self.planted(i));
                refs
            }
        };
        let blocks = self.blocks(&refs, "en");
        let mut main = self.doc(
            "en",
            title.clone(),
            slug,
            blocks,
            refs.clone(),
            published,
            site,
        );
        // ... every seventh from the second on has a pending text-only draft,
        if prof.pending_drafts && published && i % 7 == 1 {
            let note = format!(
                "<p>{}</p>\n",
                html::escape(&text::sentence(&mut self.rng, "en"))
            );
            main.pending = Some(format!("{}{note}", main.html));
        }
        let mut docs = vec![main];
        // ... and every fourth from the first on has a translation.
        if let Some(locale) = prof.translation.filter(|_| i.is_multiple_of(4)) {
            // Help.Center publishes translations of published articles only.
            if published || !prof.pending_drafts {
                docs.push(self.translation(locale, &title, &refs, published, site, slugs));
            }
        }
        GenArticle {
            id: (prof.article_id)(i, opts.seed),
            category: i % CATEGORIES.len(),
            author: i % AUTHORS.len(),
            created_at,
            updated_at,
            views: self.rng.gen_range(0..5_000),
            docs,
        }
    }

    /// The benchmark shape's screenshots, one hosted path each, made before
    /// any article so that references can go round them.
    fn pool_assets(&mut self, pool: &crate::options::ScreenshotPool) {
        for k in 0..pool.distinct {
            let stem = format!("bench-screen-{k}");
            let seed = self.rng.gen();
            let asset = self.push_asset(AssetSpec::DetailedScreenshot {
                stem: stem.clone(),
                width: pool.width,
                height: pool.height,
                seed,
            });
            self.host(format!("/images/bench/{stem}.png"), asset);
        }
    }

    /// Article `i`'s references in the benchmark shape: `refs_per_article`
    /// absolute URLs when it is one of the articles with images (spread
    /// evenly: `i * with % articles < with`), going round the pool.
    fn pool_refs(
        &mut self,
        i: usize,
        articles: usize,
        pool: &crate::options::ScreenshotPool,
    ) -> Vec<ImgRef> {
        let with = pool.articles_with_images.min(articles);
        if pool.distinct == 0 || i * with % articles.max(1) >= with {
            return Vec::new();
        }
        (0..pool.refs_per_article)
            .map(|_| {
                let k = self.refs_made % pool.distinct;
                self.refs_made += 1;
                let stem = format!("bench-screen-{k}");
                ImgRef {
                    target: Target::Hosted(format!("/images/bench/{stem}.png")),
                    form: Form::Absolute,
                    alt: Some(text::alt_for(&stem)),
                    width: None,
                }
            })
            .collect()
    }

    /// Around `avg` images per document (avg-1 ..= avg+1).
    fn image_count(&mut self, avg: usize) -> usize {
        if avg == 0 {
            return 0;
        }
        self.rng.gen_range(avg - 1..=avg + 1)
    }

    /// A translation reuses the source document's images, as translated
    /// articles do, and so adds references but no new images.
    fn translation(
        &mut self,
        locale: &str,
        title: &str,
        refs: &[ImgRef],
        published: bool,
        site: &str,
        slugs: &mut HashMap<String, u32>,
    ) -> GenDoc {
        let t = text::translate_title(title, locale);
        let slug = unique(slugs, &text::slugify(&t));
        let blocks = self.blocks(refs, locale);
        self.doc(locale, t, slug, blocks, refs.to_vec(), published, site)
    }

    #[allow(clippy::too_many_arguments)]
    fn doc(
        &self,
        locale: &str,
        title: String,
        slug: String,
        blocks: Vec<Block>,
        refs: Vec<ImgRef>,
        published: bool,
        site: &str,
    ) -> GenDoc {
        let (path, depth) = if locale == "en" {
            (format!("/kb/{slug}"), 1)
        } else {
            (format!("/kb/{locale}/{slug}"), 2)
        };
        let ctx = UrlCtx {
            site,
            depth,
            inline: &self.inline_uris,
            other_hosts: &self.other_hosts,
        };
        let html = html::render(&blocks, &refs, &ctx);
        GenDoc {
            locale: locale.to_string(),
            title,
            slug,
            path,
            html,
            pending: None,
            published,
            refs,
        }
    }

    /// Intro, then 2-4 sections; images are spread over the sections.
    fn blocks(&mut self, refs: &[ImgRef], locale: &str) -> Vec<Block> {
        let mut blocks = vec![Block::Paragraph(text::sentence(&mut self.rng, locale))];
        let sections = self.rng.gen_range(2..=4);
        for s in 0..sections {
            blocks.push(Block::Heading(text::heading(s, locale)));
            let para = format!(
                "{} {}",
                text::sentence(&mut self.rng, locale),
                text::sentence(&mut self.rng, locale)
            );
            blocks.push(Block::Paragraph(para));
            if self.rng.gen_bool(0.5) {
                blocks.push(Block::Steps(text::steps(&mut self.rng, locale)));
            }
            blocks.extend((s..refs.len()).step_by(sections).map(Block::Image));
            if self.rng.gen_bool(0.25) {
                blocks.push(Block::Table(self.table_rows(locale)));
            }
        }
        blocks
    }

    fn table_rows(&mut self, locale: &str) -> Vec<(String, String)> {
        ["Name", "Visibility", "Owner"]
            .iter()
            .map(|k| (k.to_string(), text::sentence(&mut self.rng, locale)))
            .collect()
    }

    fn next_ref(&mut self) -> ImgRef {
        let n = self.refs_made;
        self.refs_made += 1;
        let (pick, form) = match SCRIPT.get(n) {
            Some((p, f)) => (clone_pick(p), *f),
            None => (self.random_pick(), self.random_form()),
        };
        let form = if self.absolute_only {
            html::absolute(form)
        } else {
            form
        };
        let target = self.target(pick);
        // Images have alt text describing the screen (a re-uploaded
        // duplicate keeps its original's), as in a cared-for help center;
        // a few were missed: after the script, one reference in twenty has
        // `alt=""` and another in twenty no `alt` attribute at all. Inline
        // icons are decorative: `alt=""`.
        let alt = match &target {
            _ if n % 20 == 7 && n >= SCRIPT.len() => Some(String::new()),
            _ if n % 20 == 17 && n >= SCRIPT.len() => None,
            Target::Inline(_) => Some(String::new()),
            Target::Hosted(p) => Some(text::alt_for(self.assets[self.hosted[p].asset].stem())),
            Target::Broken(p) => Some(text::alt_for(stem_of(p))),
        };
        ImgRef {
            target,
            form,
            alt,
            width: None,
        }
    }

    fn random_pick(&mut self) -> Pick {
        let r: f64 = self.rng.gen();
        match r {
            // About one new image per two references overall; a broken
            // link now and then.
            r if r < 0.02 => Pick::Broken,
            r if r < 0.05 => Pick::Inline,
            r if r < 0.45 => Pick::Shared,
            r if r < 0.50 => Pick::Duplicate,
            r if r < 0.62 => Pick::NewPhoto,
            r if r < 0.65 => Pick::NewScreenshot(TextChunk::Ztxt),
            r if r < 0.68 => Pick::NewScreenshot(TextChunk::Itxt),
            _ => Pick::NewScreenshot(TextChunk::Text),
        }
    }

    fn random_form(&mut self) -> Form {
        let forms = [
            Form::Absolute,
            Form::Absolute,
            Form::Absolute,
            Form::RootRelative,
            Form::DotRelative,
            Form::ProtocolRelative,
            Form::Srcset,
            Form::DataSrc,
        ];
        *forms.choose(&mut self.rng).expect("forms")
    }

    fn target(&mut self, pick: Pick) -> Target {
        match pick {
            Pick::NewScreenshot(chunk) => self.new_screenshot(chunk),
            Pick::NewPhoto => self.new_photo(),
            Pick::Broken => self.broken_path(),
            Pick::Shared => match self.hosted_paths.choose(&mut self.rng) {
                Some(p) => Target::Hosted(p.clone()),
                None => self.new_screenshot(TextChunk::Text),
            },
            Pick::Duplicate => self.duplicate(),
            Pick::Inline => self.inline(),
        }
    }

    fn host(&mut self, path: String, asset: usize) -> Target {
        let days = self.rng.gen_range(0..700);
        let seconds = self.rng.gen_range(0..86_400);
        // Most paths were updated recently (1-90 days before generation);
        // every fourth from the third on is stale (2023-2024).
        let last_modified = if self.hosted_paths.len() % 4 != 2 {
            self.now - Duration::days(1 + days % 90) - Duration::seconds(seconds)
        } else {
            base_date() + Duration::days(days) + Duration::seconds(seconds)
        };
        self.hosted.insert(
            path.clone(),
            Hosted {
                asset,
                last_modified,
                other_host: None,
            },
        );
        self.hosted_paths.push(path.clone());
        Target::Hosted(path)
    }

    /// The audit findings planted in article `i` (see [`AuditExpected`]):
    /// absolute URLs, never shared or duplicated by later references.
    fn planted(&mut self, i: usize) -> Vec<ImgRef> {
        let plant = |target: Target, alt: Option<String>, width: Option<u32>| ImgRef {
            target,
            form: Form::Absolute,
            alt,
            width,
        };
        if i >= PLANT_EVERY * PLANT_ROUNDS {
            return Vec::new();
        }
        match i % PLANT_EVERY {
            0 => {
                let path = match &self.heavy_path {
                    Some(p) => p.clone(),
                    None => {
                        let stem = unique(&mut self.plant_stems, "full-resolution-export");
                        let seed = self.plant_rng.gen();
                        let asset = self.push_asset(AssetSpec::Noise {
                            stem: stem.clone(),
                            width: 640,
                            height: 400,
                            seed,
                        });
                        let path = format!("/images/originals/{stem}.png");
                        self.plant_host(&path, asset, false, None);
                        self.heavy_path = Some(path.clone());
                        path
                    }
                };
                let alt = text::alt_for(stem_of(&path));
                vec![plant(Target::Hosted(path), Some(alt), None)]
            }
            1 => {
                let (path, alt) = self.planted_screenshot("wide", 1280, 720, true, None);
                vec![plant(path, Some(alt), Some(320))]
            }
            2 => {
                let (path, _) =
                    self.planted_screenshot("partner", 480, 300, false, Some("localhost"));
                let mut refs = vec![plant(path, None, None)];
                if PLANT_INSECURE {
                    let (path, alt) =
                        self.planted_screenshot("mirror", 480, 300, true, Some("0.0.0.0"));
                    refs.push(plant(path, Some(alt), None));
                }
                refs
            }
            _ => Vec::new(),
        }
    }

    /// A new screenshot under `/images/<dir>/` for [`Self::planted`]: its
    /// target and alt text.
    fn planted_screenshot(
        &mut self,
        dir: &str,
        width: u32,
        height: u32,
        recent: bool,
        other_host: Option<&'static str>,
    ) -> (Target, String) {
        let screen = *text::SCREENS.choose(&mut self.plant_rng).expect("screens");
        let stem = unique(&mut self.plant_stems, &format!("{dir}-{screen}"));
        let seed = self.plant_rng.gen();
        let asset = self.push_asset(AssetSpec::Screenshot {
            stem: stem.clone(),
            width,
            height,
            identity: TextChunk::Text,
            seed,
        });
        let path = format!("/images/{dir}/{stem}.png");
        self.plant_host(&path, asset, recent, other_host);
        (Target::Hosted(path), text::alt_for(&stem))
    }

    fn push_asset(&mut self, spec: AssetSpec) -> usize {
        self.assets.push(spec);
        self.assets.len() - 1
    }

    /// Serves a planted asset at `path`; not offered for sharing.
    fn plant_host(
        &mut self,
        path: &str,
        asset: usize,
        recent: bool,
        other_host: Option<&'static str>,
    ) {
        let days = self.plant_rng.gen_range(0..700);
        let last_modified = if recent {
            self.now - Duration::days(1 + days % 90)
        } else {
            base_date() + Duration::days(days)
        };
        if let Some(host) = other_host {
            self.other_hosts.insert(path.to_string(), host);
        }
        self.hosted.insert(
            path.to_string(),
            Hosted {
                asset,
                last_modified,
                other_host,
            },
        );
    }

    fn new_screenshot(&mut self, identity: TextChunk) -> Target {
        let base = *text::SCREENS.choose(&mut self.rng).expect("screens");
        let stem = unique(&mut self.stems, base);
        let width = self.rng.gen_range(8..=16) * 40;
        let (num, den) = [(5, 8), (9, 16), (3, 4)][self.rng.gen_range(0..3)];
        let spec = AssetSpec::Screenshot {
            stem: stem.clone(),
            width,
            height: (width * num / den).clamp(200, 400),
            identity,
            seed: self.rng.gen(),
        };
        self.assets.push(spec);
        let asset = self.assets.len() - 1;
        self.screenshots.push(asset);
        self.host(format!("/images/{stem}.png"), asset)
    }

    fn new_photo(&mut self) -> Target {
        let base = *text::PHOTOS.choose(&mut self.rng).expect("photos");
        let stem = unique(&mut self.stems, base);
        let (width, height) = [(480, 320), (400, 300), (600, 400)][self.rng.gen_range(0..3)];
        self.assets.push(AssetSpec::Photo {
            stem: stem.clone(),
            width,
            height,
            seed: self.rng.gen(),
        });
        self.host(format!("/images/{stem}.jpg"), self.assets.len() - 1)
    }

    /// A new path serving the exact bytes of an existing screenshot, named
    /// the way an OS names a re-uploaded screenshot.
    fn duplicate(&mut self) -> Target {
        let Some(&asset) = self.screenshots.choose(&mut self.rng) else {
            return self.new_screenshot(TextChunk::Text);
        };
        let base = format!(
            "screenshot-2024-{:02}-{:02}-at-10-{:02}",
            self.rng.gen_range(1..=12),
            self.rng.gen_range(1..=28),
            self.rng.gen_range(0..60)
        );
        let stem = unique(&mut self.stems, &base);
        self.host(format!("/images/{stem}.png"), asset)
    }

    /// A path nobody serves; sometimes an already broken one again.
    fn broken_path(&mut self) -> Target {
        if !self.broken.is_empty() && self.rng.gen_bool(0.3) {
            let p = self.broken.choose(&mut self.rng).expect("non-empty");
            return Target::Broken(p.clone());
        }
        let base = format!(
            "{}-old",
            text::SCREENS.choose(&mut self.rng).expect("screens")
        );
        let stem = unique(&mut self.stems, &base);
        let path = format!("/images/archive/{stem}.png");
        self.broken.push(path.clone());
        Target::Broken(path)
    }

    /// One of at most two tiny icons, inlined as a base64 `data:` URI.
    fn inline(&mut self) -> Target {
        if self.icons.len() == text::ICONS.len() {
            return Target::Inline(*self.icons.choose(&mut self.rng).expect("icons"));
        }
        let spec = AssetSpec::Icon {
            name: text::ICONS[self.icons.len()].to_string(),
            seed: self.rng.gen(),
        };
        let uri = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(spec.render())
        );
        self.assets.push(spec);
        let asset = self.assets.len() - 1;
        self.icons.push(asset);
        self.inline_uris.insert(asset, uri);
        Target::Inline(asset)
    }
}

fn clone_pick(p: &Pick) -> Pick {
    match p {
        Pick::NewScreenshot(c) => Pick::NewScreenshot(*c),
        Pick::NewPhoto => Pick::NewPhoto,
        Pick::Broken => Pick::Broken,
        Pick::Shared => Pick::Shared,
        Pick::Duplicate => Pick::Duplicate,
        Pick::Inline => Pick::Inline,
    }
}

/// `base`, then `base-2`, `base-3`, ... for later uses.
fn unique(seen: &mut HashMap<String, u32>, base: &str) -> String {
    let n = seen.entry(base.to_string()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base.to_string()
    } else {
        format!("{base}-{n}")
    }
}

fn stem_of(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}
