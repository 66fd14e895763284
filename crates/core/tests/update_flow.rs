//! Replacing screenshots end to end against the Help.Center simulator (which
//! has its own image upload): three new screenshots that match by metadata,
//! perceptual hash and name; apply; read the articles back from the
//! simulator; roll one back; and a write refused halfway loses nothing.

mod common;

use shotkeeper_core::update::revisions::RevisionStatus;
use shotkeeper_core::update::revisions::RollbackMode;
use shotkeeper_core::update::ArticleStatus;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::imaging::{self, ImageLimits};
use shotkeeper_core::matching::{MatchStatus, MatchType};
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::report::ImageRow;
use shotkeeper_core::App;
use shotkeeper_sim::{Sim, SimProvider};
use tokio_util::sync::CancellationToken;

struct Fixture {
    _dir: tempfile::TempDir,
    shots: tempfile::TempDir,
    app: App,
    sim: Sim,
    job_id: String,
    rows: Vec<ImageRow>,
}

async fn imported() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpcenter, 24, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpcenter, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let rows = app.image_rows(&view.id).await.unwrap();
    Fixture {
        _dir: dir,
        shots: tempfile::tempdir().unwrap(),
        app,
        sim,
        job_id: view.id,
        rows,
    }
}

async fn download(url: &str) -> Vec<u8> {
    reqwest::get(url)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

fn png_bytes(img: &DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

fn save(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A fresh UI-like picture unlike anything in the simulator.
fn fresh_picture(w: u32, h: u32, seed: u8) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |x, y| {
        let v = ((x * 7 + y * 13) as u8).wrapping_mul(seed | 1);
        Rgba([v, 255 - v, (x as u8) ^ seed, 255])
    }))
}

fn identifying(meta: &BTreeMap<String, String>) -> bool {
    meta.keys().any(|k| k == "screen")
}

/// Three screenshots: one per tier. Returns their paths and the URL each should replace.
async fn three_screenshots(f: &Fixture) -> Vec<(PathBuf, String, MatchType)> {
    let ok: Vec<&ImageRow> = f
        .rows
        .iter()
        .filter(|r| r.status_code == 200 && !r.is_duplicate)
        .collect();
    let mut used = HashSet::new();

    // 1. metadata: same identifying text chunks, different pixels.
    let by_meta = ok
        .iter()
        .find(|r| r.kind == "png" && identifying(&r.metadata))
        .expect("a PNG with metadata");
    let screen = by_meta.metadata["screen"].clone();
    let twins = ok
        .iter()
        .filter(|r| r.metadata.get("screen") == Some(&screen))
        .count();
    let mut pairs = BTreeMap::new();
    pairs.insert("screen".to_owned(), screen);
    if let Some(app) = by_meta.metadata.get("app") {
        pairs.insert("app".to_owned(), app.clone());
    }
    let meta_png = imaging::write_png_text(
        &png_bytes(&fresh_picture(by_meta.width, by_meta.height, 3)),
        &pairs,
    )
    .unwrap();
    let p1 = save(f.shots.path(), "new-settings.png", &meta_png);
    used.insert(by_meta.url.clone());
    assert!(twins >= 1);

    // 2. perceptual: an existing picture with a small change, no identifying metadata.
    let mut near = None;
    for r in ok
        .iter()
        .filter(|r| !used.contains(&r.url) && !identifying(&r.metadata) && r.width >= 64)
    {
        let bytes = download(&r.url).await;
        let mut img = image::load_from_memory(&bytes).unwrap().to_rgba8();
        for y in 4..12 {
            for x in 4..24 {
                img.put_pixel(x, y, Rgba([255, 0, 0, 255]));
            }
        }
        let changed = png_bytes(&DynamicImage::ImageRgba8(img));
        let a = imaging::analyse(&changed, &ImageLimits::default());
        let original = imaging::analyse(&bytes, &ImageLimits::default());
        let d = imaging::phash_distance(
            a.phash.as_deref().unwrap(),
            original.phash.as_deref().unwrap(),
        )
        .unwrap();
        if d <= 6 && d > 0 {
            near = Some((r.url.clone(), changed));
            break;
        }
    }
    let (near_url, near_bytes) =
        near.expect("an image without identifying metadata to edit slightly");
    let p2 = save(f.shots.path(), "edited-capture.png", &near_bytes);
    used.insert(near_url.clone());

    // 3. name: a different picture saved under an existing, unambiguous file name.
    let by_name = ok
        .iter()
        .find(|r| {
            !used.contains(&r.url)
                && ok
                    .iter()
                    .filter(|o| o.name.eq_ignore_ascii_case(&r.name))
                    .count()
                    == 1
        })
        .expect("a uniquely named image");
    let p3 = save(
        f.shots.path(),
        &by_name.name,
        &png_bytes(&fresh_picture(97, 41, 77)),
    );

    vec![
        (p1, by_meta.url.clone(), MatchType::Metadata),
        (p2, near_url, MatchType::Perceptual),
        (p3, by_name.url.clone(), MatchType::Name),
    ]
}

#[tokio::test]
async fn three_screenshots_matched_applied_read_back_and_rolled_back() {
    let f = imported().await;
    let shots = three_screenshots(&f).await;
    let plan = f
        .app
        .plan_update(PlanRequest {
            job_id: f.job_id.clone(),
            paths: shots.iter().map(|s| s.0.clone()).collect(),
            ..Default::default()
        })
        .await
        .unwrap();

    for (path, url, tier) in &shots {
        let name = path.file_name().unwrap().to_string_lossy();
        let p = plan
            .screenshots
            .iter()
            .find(|p| p.screenshot.name == name)
            .unwrap();
        assert_eq!(
            p.result.status,
            MatchStatus::Matched,
            "{name}: {}",
            p.result.reason
        );
        assert_eq!(p.result.match_type, *tier, "{name}: {}", p.result.reason);
        assert!(
            p.result.targets.iter().any(|t| &t.url == url),
            "{name} targets {url}"
        );
        if *tier == MatchType::Perceptual {
            assert!(p.result.distance.is_some_and(|d| d > 0));
        }
    }
    let old_urls: HashSet<String> = plan
        .articles
        .iter()
        .flat_map(|a| a.changes.iter().map(|c| c.old_url.clone()))
        .collect();
    // The sample data has colleagues' pending drafts on some articles, which
    // Shotkeeper rightly refuses to publish (see the next test): settle them.
    for a in &plan.articles {
        let live = f
            .sim
            .article_html(&a.external_id, a.locale.as_deref())
            .unwrap();
        f.sim
            .set_article_html(&a.external_id, a.locale.as_deref(), &live);
    }
    assert!(plan.articles_to_update() >= 3);

    // Before: every planned article holds its old URLs.
    let before: Vec<(String, Option<String>, String)> = plan
        .articles
        .iter()
        .map(|a| {
            (
                a.external_id.clone(),
                a.locale.clone(),
                f.sim
                    .article_html(&a.external_id, a.locale.as_deref())
                    .unwrap(),
            )
        })
        .collect();

    // A dry run changes nothing.
    let dry = f
        .app
        .apply_plan(&plan.id, true, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert!(dry
        .articles
        .iter()
        .all(|a| a.status == ArticleStatus::WouldUpdate));
    for (id, loc, html) in &before {
        assert_eq!(&f.sim.article_html(id, loc.as_deref()).unwrap(), html);
    }

    let result = f
        .app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(result.summary.total, 3);
    assert_eq!(result.summary.success, 3, "{:?}", result.articles);
    assert_eq!(result.summary.failed, 0);
    let types: HashSet<&str> = result
        .screenshots
        .iter()
        .map(|s| s.match_type.as_str())
        .collect();
    assert_eq!(types, ["metadata", "hash", "name"].into_iter().collect());

    // After: read back from the help center: new URLs in, old ones out, the
    // new images served by the help center's image host.
    for a in &result.articles {
        assert_eq!(a.status, ArticleStatus::Updated, "{a:?}");
        let html = f
            .sim
            .article_html(&a.external_id, a.locale.as_deref())
            .unwrap();
        for (old, new) in &a.replacements {
            assert!(html.contains(new.as_str()), "new URL in {}", a.external_id);
            assert!(
                !html.contains(old.as_str()) || !old_urls.contains(old),
                "old URL gone"
            );
            let served = reqwest::get(new).await.unwrap();
            assert_eq!(served.status(), 200);
        }
    }
    // Uploads happen once per screenshot, however many articles use it.
    let new_urls: HashSet<&String> = result
        .articles
        .iter()
        .flat_map(|a| a.replacements.values())
        .collect();
    assert_eq!(new_urls.len(), 3);

    // Roll one article back: its previous content returns byte for byte.
    let first = &result.articles[0];
    let original = &before
        .iter()
        .find(|b| b.0 == first.external_id && b.1 == first.locale)
        .unwrap()
        .2;
    let rb = f
        .app
        .rollback(first.revision_id.as_deref().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(rb.mode, RollbackMode::Exact);
    assert_eq!(
        &f.sim
            .article_html(&first.external_id, first.locale.as_deref())
            .unwrap(),
        original
    );
    let revs = f
        .app
        .revisions(
            None,
            &shotkeeper_core::providers::ArticleRef::with_locale(
                first.external_id.clone(),
                first.locale.clone(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0].rollback_of.as_deref(), first.revision_id.as_deref());
    assert_eq!(revs[1].status, RevisionStatus::RolledBack);
    f.sim.shutdown().await;
}

#[tokio::test]
async fn an_edit_after_the_import_is_kept_and_a_refused_write_loses_nothing() {
    let f = imported().await;
    let shots = three_screenshots(&f).await;
    let plan = f
        .app
        .plan_update(PlanRequest {
            job_id: f.job_id.clone(),
            paths: vec![shots[0].0.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    let targets: Vec<_> = plan
        .articles
        .iter()
        .filter(|a| a.locale.is_none())
        .collect();
    assert!(!targets.is_empty());

    // Someone edits the first article in the help center after the import.
    let edited = &targets[0];
    let live = f.sim.article_html(&edited.external_id, None).unwrap();
    let with_edit = format!("<p>Edited after the import.</p>{live}");
    f.sim
        .set_article_html(&edited.external_id, None, &with_edit);

    // And someone leaves a pending draft on another: Help.Center must not
    // publish their draft, so that write is refused before anything changes.
    let mut refused = None;
    let published: HashSet<String> = f
        .app
        .article_rows(&f.job_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.is_published)
        .map(|r| r.id)
        .collect();
    if let Some(other) = plan.articles.iter().find(|a| {
        a.locale.is_none() && a.article_id != edited.article_id && published.contains(&a.article_id)
    }) {
        let url = format!(
            "{}/centers/{}/articles/{}/draft",
            f.sim.api_base, f.sim.settings["center_id"], other.external_id
        );
        let live_other = f.sim.article_html(&other.external_id, None).unwrap();
        let r = reqwest::Client::new()
            .patch(url)
            .bearer_auth(&f.sim.token)
            .json(
                &serde_json::json!({ "html": format!("{live_other}<p>draft by a colleague</p>") }),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        refused = Some((other.external_id.clone(), live_other));
    }

    let result = f
        .app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    let html = f.sim.article_html(&edited.external_id, None).unwrap();
    assert!(
        html.starts_with("<p>Edited after the import.</p>"),
        "the later edit is kept"
    );
    let out = result
        .articles
        .iter()
        .find(|a| a.article_id == edited.article_id)
        .unwrap();
    assert_eq!(out.status, ArticleStatus::Updated);
    assert!(out
        .replacements
        .values()
        .all(|new| html.contains(new.as_str())));

    if let Some((ext, live_other)) = refused {
        let o = result
            .articles
            .iter()
            .find(|a| a.external_id == ext && a.locale.is_none())
            .unwrap();
        assert_eq!(o.status, ArticleStatus::Failed, "{o:?}");
        assert!(
            o.error
                .as_deref()
                .unwrap_or("")
                .to_lowercase()
                .contains("draft"),
            "{o:?}"
        );
        // Untouched live content, and the revision holding it was stored.
        assert_eq!(f.sim.article_html(&ext, None).unwrap(), live_other);
        let revs = f
            .app
            .revisions(
                None,
                &shotkeeper_core::providers::ArticleRef::new(ext.clone()),
            )
            .await
            .unwrap();
        assert_eq!(revs[0].status, RevisionStatus::Failed);
        assert_eq!(revs[0].content_before, live_other);
        assert!(result.summary.failed >= 1);
    }
    f.sim.shutdown().await;
}

#[tokio::test]
async fn update_and_revisions_without_a_locale_address_the_default_language_document() {
    // KnowledgeOwl names the language of every document (`en`, `de`), as
    // HelpCenter.io does; `update ID` without `@en` still finds the article.
    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Knowledgeowl, 8, |_| {}).await;
    let id = common::connect(&app, SimProvider::Knowledgeowl, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let data = shotkeeper_core::db::views::job_data(app.pool(), &view.id)
        .await
        .unwrap();
    let unique = |name: &str| {
        data.images
            .values()
            .filter(|i| i.name.eq_ignore_ascii_case(name))
            .count()
            == 1
    };
    let (article, name) = data
        .articles
        .iter()
        .filter(|a| a.locale.as_deref() == Some("en"))
        .find_map(|a| {
            data.refs
                .iter()
                .filter(|r| r.article_id == a.id)
                .filter_map(|r| data.images.get(&r.url))
                .find(|i| !i.is_broken() && unique(&i.name))
                .map(|i| (a.external_id.clone(), i.name.clone()))
        })
        .expect("an English document with a uniquely named image");
    let path = save(shots.path(), &name, &png_bytes(&fresh_picture(90, 40, 7)));
    let before = sim.article_html(&article, None).unwrap();
    let plain = ArticleRef::new(article.clone());
    let result = app
        .update_article(&id, &plain, vec![path], Vec::new(), None, false)
        .await
        .expect("found without a locale");
    assert_eq!(result.summary.failed, 0, "{:?}", result.articles);
    assert_eq!(result.summary.success, 1, "{:?}", result.articles);
    let after = sim.article_html(&article, None).unwrap();
    assert_ne!(after, before, "the English document was updated");
    let revisions = app.revisions(Some(&id), &plain).await.unwrap();
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].locale.as_deref(), Some("en"));
    sim.shutdown().await;
}
