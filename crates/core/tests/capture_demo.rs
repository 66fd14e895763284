//! The demo product end to end: the simulator's demo web app captured with
//! the shipped `demo/shots.toml` by a real headless Chromium (Debian's
//! `chromium`, installed by scripts/setup.sh), matched against the demo
//! help center it documents (the Help.Center simulator with the desktop's
//! 40 articles) in a real SQLite file, applied, re-imported; then the app's
//! UI changes and the new captures find their images by `metadata`.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::capture::{
    capture, find_chromium, parse_shots_at, select, CaptureOptions, CaptureProgress, CaptureReport,
    Chromium, ShotsFile,
};
use shotkeeper_core::imaging::png_text_chunks;
use shotkeeper_core::matching::{MatchStatus, MatchType};
use shotkeeper_core::report::ImageRow;
use shotkeeper_core::update::ArticleStatus;
use shotkeeper_core::App;
use shotkeeper_sim::{Sim, SimOptions, SimProvider, UiVersion, DEMO_SHOTS};
use tokio_util::sync::CancellationToken;

/// Articles of the demo help center the desktop and `shotkeeper demo` start
/// (src-tauri's DEMO_ARTICLES, the CLI's `--articles` default).
const DEMO_ARTICLES: usize = 40;

/// Colours of the demo app (crates/sim/src/demo_app.rs): the top bar, and
/// the page's background, by UI version and theme.
const BAR_V1: [u8; 3] = [0x25, 0x63, 0xeb];
const BAR_V1_DARK: [u8; 3] = [0x1e, 0x40, 0xaf];
const BAR_V2: [u8; 3] = [0x0f, 0x76, 0x6e];
const PAGE_LIGHT: [u8; 3] = [0xf8, 0xfa, 0xfc];
const PAGE_DARK: [u8; 3] = [0x0f, 0x17, 0x2a];

async fn demo_help_center() -> Sim {
    // As src-tauri's start_demo starts it, on a free port.
    let mut opts = SimOptions::new(SimProvider::Helpcenter);
    opts.articles = DEMO_ARTICLES;
    opts.rate_limit_per_minute = Some(0);
    shotkeeper_sim::start(opts).await.expect("start simulator")
}

async fn shoot(chromium: &Chromium, file: &ShotsFile, out: &Path) -> CaptureReport {
    let quiet: CaptureProgress = Arc::new(|_| {});
    let report = capture(
        chromium,
        &select(file, &[]).unwrap(),
        &CaptureOptions::new(out),
        quiet,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let failures: Vec<String> = report
        .outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err().map(|e| format!("{}: {e}", o.id)))
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    report
}

fn rgb_at(path: &Path, x: u32, y: u32) -> [u8; 3] {
    let img = image::open(path).unwrap().to_rgba8();
    let p = img.get_pixel(x, y).0;
    [p[0], p[1], p[2]]
}

fn dimensions(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap()
}

/// The help center's image the scenario `id` is a screenshot of: the one
/// named `id.png`.
fn image_named<'a>(rows: &'a [ImageRow], id: &str) -> Option<&'a ImageRow> {
    let name = format!("{id}.png");
    rows.iter().find(|r| r.name == name && r.status_code == 200)
}

/// Help.Center's sample data leaves colleagues' pending drafts on some
/// articles, which Shotkeeper rightly refuses to publish over: settle them
/// (published as they are live), as their authors would.
fn settle_drafts(sim: &Sim, articles: &[(String, Option<String>)]) {
    for (id, locale) in articles {
        let live = sim.article_html(id, locale.as_deref()).unwrap();
        sim.set_article_html(id, locale.as_deref(), &live);
    }
}

/// The simulator's locale for a planned article (`None` = its default).
fn sim_locale(locale: &Option<String>) -> Option<String> {
    locale.clone().filter(|l| l != "en")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_app_captured_matches_and_updates_the_demo_help_center_then_by_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = demo_help_center().await;
    let integration = common::connect(&app, SimProvider::Helpcenter, &sim).await;
    let first_import = app
        .run_import(
            &integration,
            None,
            common::no_progress(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let rows = app.image_rows(&first_import.id).await.unwrap();

    // The shipped file is the repository's demo/shots.toml, and every one of
    // its screens is an image of the demo help center.
    let repo_file = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/shots.toml"),
    )
    .unwrap();
    assert_eq!(DEMO_SHOTS, repo_file);
    let file = parse_shots_at(DEMO_SHOTS, "demo/shots.toml", Some(&sim.app_base())).unwrap();
    assert!(file.scenarios.len() >= 8);
    let missing: Vec<&str> = file
        .scenarios
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| image_named(&rows, id).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "scenarios of demo/shots.toml with no image of that name in the demo help center: {missing:?}"
    );

    // Capture the app as it is.
    let exe = find_chromium(None).expect("Chromium is installed by scripts/setup.sh");
    let chromium = Chromium::launch(&exe).await.expect("Chromium starts");
    let before = tempfile::tempdir().unwrap();
    let first = shoot(&chromium, &file, before.path()).await;
    let png = |dir: &Path, id: &str| dir.join(format!("{id}.png"));

    // Known pixels: the blue top bar and the light page; the dark theme; the
    // modal captured as its own box (460 px wide) with 16 px around it.
    let dashboard = png(before.path(), "dashboard-overview");
    assert_eq!(dimensions(&dashboard), (960, 600));
    assert_eq!(rgb_at(&dashboard, 956, 4), BAR_V1);
    assert_eq!(rgb_at(&dashboard, 956, 596), PAGE_LIGHT);
    let profile = png(before.path(), "profile-settings");
    assert_eq!(rgb_at(&profile, 956, 4), BAR_V1_DARK, "dark theme");
    assert_eq!(rgb_at(&profile, 956, 596), PAGE_DARK, "dark theme");
    let roles = png(before.path(), "user-roles");
    assert_eq!(dimensions(&roles).0, 460 + 2 * 16);
    let chunks = png_text_chunks(&std::fs::read(&roles).unwrap()).unwrap();
    assert_eq!(
        chunks.get("screenshot-id").map(String::as_str),
        Some("user-roles")
    );
    assert_eq!(
        chunks.get("Source").map(String::as_str),
        Some(format!("{}team", sim.app_base()).as_str())
    );

    // The first time, the help center's images carry no screenshot-id: each
    // capture finds the image of its name (or one that looks like it).
    let plan = app
        .plan_update(PlanRequest {
            job_id: first_import.id.clone(),
            paths: first.files(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(plan.screenshots.len(), file.scenarios.len());
    for p in &plan.screenshots {
        let id = p.screenshot.name.trim_end_matches(".png");
        let old = image_named(&rows, id).unwrap();
        assert_eq!(
            p.result.status,
            MatchStatus::Matched,
            "{id}: {}",
            p.result.reason
        );
        assert!(
            matches!(p.result.match_type, MatchType::Name | MatchType::Perceptual),
            "{id}: {:?} {}",
            p.result.match_type,
            p.result.reason
        );
        let urls: Vec<&str> = p.result.targets.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(urls, [old.url.as_str()], "{id}: {}", p.result.reason);
    }
    let planned: Vec<(String, Option<String>)> = plan
        .articles
        .iter()
        .map(|a| (a.external_id.clone(), sim_locale(&a.locale)))
        .collect();
    settle_drafts(&sim, &planned);
    let applied = app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(applied.summary.failed, 0, "{:?}", applied.articles);
    // The summary counts screenshots; every planned article is listed below.
    assert_eq!(applied.summary.success, file.scenarios.len() as u64);
    assert_eq!(applied.articles.len(), plan.articles.len());
    // Where each old image went: its upload, one per screenshot.
    let mut uploaded: BTreeMap<String, String> = BTreeMap::new();
    for a in &applied.articles {
        assert_eq!(a.status, ArticleStatus::Updated, "{a:?}");
        let html = sim
            .article_html(&a.external_id, sim_locale(&a.locale).as_deref())
            .unwrap();
        for (old, new) in &a.replacements {
            assert!(html.contains(new.as_str()), "{new} in {}", a.external_id);
            uploaded.insert(old.clone(), new.clone());
        }
    }
    assert_eq!(
        uploaded.values().collect::<HashSet<_>>().len(),
        file.scenarios.len()
    );

    // Re-import: the uploads kept their screenshot-id.
    let second_import = app
        .run_import(
            &integration,
            None,
            common::no_progress(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let rows_after = app.image_rows(&second_import.id).await.unwrap();
    for s in &file.scenarios {
        let old = image_named(&rows, &s.id).unwrap();
        let new_url = &uploaded[&old.url];
        let row = rows_after
            .iter()
            .find(|r| &r.url == new_url)
            .unwrap_or_else(|| panic!("{new_url} ({}) in the new import", s.id));
        assert_eq!(
            row.metadata.get("screenshot-id"),
            Some(&s.id),
            "{new_url} kept its text chunk"
        );
    }

    // The product changes: a redesign with the same element ids.
    sim.set_ui_version(UiVersion::V2);
    let after = tempfile::tempdir().unwrap();
    let second = shoot(&chromium, &file, after.path()).await;
    chromium.close().await;
    let redesigned = png(after.path(), "dashboard-overview");
    assert_eq!(rgb_at(&redesigned, 956, 4), BAR_V2, "the UI changed");
    assert_ne!(
        std::fs::read(&redesigned).unwrap(),
        std::fs::read(&dashboard).unwrap()
    );

    // Now every capture finds its image by its id, whatever it looks like.
    let plan2 = app
        .plan_update(PlanRequest {
            job_id: second_import.id.clone(),
            paths: second.files(),
            ..Default::default()
        })
        .await
        .unwrap();
    for p in &plan2.screenshots {
        let id = p.screenshot.name.trim_end_matches(".png");
        let old = image_named(&rows, id).unwrap();
        assert_eq!(
            p.result.match_type,
            MatchType::Metadata,
            "{id}: {}",
            p.result.reason
        );
        assert_eq!(p.result.status, MatchStatus::Matched, "{id}");
        let urls: Vec<&str> = p.result.targets.iter().map(|t| t.url.as_str()).collect();
        assert_eq!(urls, [uploaded[&old.url].as_str()], "{id}");
    }
    let planned2: Vec<(String, Option<String>)> = plan2
        .articles
        .iter()
        .map(|a| (a.external_id.clone(), sim_locale(&a.locale)))
        .collect();
    settle_drafts(&sim, &planned2);
    let before_html: BTreeMap<(String, Option<String>), String> = planned2
        .iter()
        .map(|k| (k.clone(), sim.article_html(&k.0, k.1.as_deref()).unwrap()))
        .collect();
    let applied2 = app
        .apply_plan(&plan2.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(applied2.summary.failed, 0, "{:?}", applied2.articles);
    assert_eq!(applied2.summary.success, file.scenarios.len() as u64);
    assert_eq!(applied2.articles.len(), planned2.len());

    // Every other byte of each article is kept: its HTML is what it was
    // with the image URLs swapped, nothing else.
    for a in &applied2.articles {
        assert_eq!(a.status, ArticleStatus::Updated, "{a:?}");
        let key = (a.external_id.clone(), sim_locale(&a.locale));
        let mut expected = before_html[&key].clone();
        assert!(!a.replacements.is_empty());
        for (old, new) in &a.replacements {
            assert!(expected.contains(old.as_str()), "{old} in {key:?}");
            expected = expected.replace(old.as_str(), new);
        }
        let html = sim.article_html(&key.0, key.1.as_deref()).unwrap();
        assert_eq!(html, expected, "{key:?}");
        for new in a.replacements.values() {
            let served = reqwest::get(new.as_str()).await.unwrap();
            assert_eq!(served.status(), 200, "{new}");
            let bytes = served.bytes().await.unwrap();
            let chunks = png_text_chunks(&bytes).unwrap();
            assert!(chunks.contains_key("screenshot-id"), "{new}");
        }
    }
    sim.shutdown().await;
}
