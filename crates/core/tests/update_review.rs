//! Review of a plan as the desktop app drives it: a screenshot dropped on a
//! specific image is matched to it by hand, more screenshots dropped later
//! join the plan in review without losing hand-made matches or deselected
//! changes, and a choice that cannot be honoured is refused with a reason.

mod common;

use std::path::PathBuf;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::error::CoreError;
use shotkeeper_core::matching::{MatchStatus, MatchType};
use shotkeeper_core::report::ImageRow;
use shotkeeper_core::App;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

/// A picture unlike anything in the simulator, saved as PNG.
fn fresh_png(dir: &std::path::Path, name: &str, seed: u8) -> PathBuf {
    let img = DynamicImage::ImageRgba8(RgbaImage::from_fn(120, 80, |x, y| {
        let v = ((x * 5 + y * 11) as u8).wrapping_mul(seed | 1);
        Rgba([v, v ^ seed, 255 - v, 255])
    }));
    let path = dir.join(name);
    img.save_with_format(&path, ImageFormat::Png).unwrap();
    path
}

async fn imported() -> (tempfile::TempDir, App, String, Vec<ImageRow>) {
    let dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpcenter, 12, |_| {}).await;
    let id = common::connect(&app, SimProvider::Helpcenter, &sim).await;
    let job = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let rows = app.image_rows(&job.id).await.unwrap();
    // The simulator's data stays reachable through the import; the server
    // itself is not needed for planning.
    drop(sim);
    (dir, app, job.id, rows)
}

fn usable(rows: &[ImageRow]) -> Vec<&ImageRow> {
    rows.iter()
        .filter(|r| r.status_code == 200 && !r.is_duplicate && r.articles_count > 0)
        .collect()
}

#[tokio::test]
async fn dropped_on_an_image_extended_and_deselections_kept() {
    let (_dir, app, job_id, rows) = imported().await;
    let shots = tempfile::tempdir().unwrap();
    let ok = usable(&rows);
    let (first, second) = (ok[0], ok[1]);

    // A picture that matches nothing, dropped on `first`: matched by hand.
    let a = fresh_png(shots.path(), "brand-new-dialog.png", 9);
    let plan = app
        .plan_update(PlanRequest {
            job_id: job_id.clone(),
            paths: vec![a.clone()],
            drop_target: Some(first.url.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let p = &plan.screenshots[0];
    assert_eq!(
        p.result.match_type,
        MatchType::Manual,
        "{}",
        p.result.reason
    );
    assert_eq!(p.result.status, MatchStatus::Matched);
    assert_eq!(p.result.targets[0].url, first.url);
    assert!(plan
        .articles
        .iter()
        .flat_map(|a| &a.changes)
        .all(|c| c.old_url == first.url && c.selected));

    // A person deselects one change, then drops `b` on `second`.
    let mut edited = plan.clone();
    edited.articles[0].changes[0].selected = false;
    let off_article = edited.articles[0].article_id.clone();
    app.save_plan(&edited).await.unwrap();

    let b = fresh_png(shots.path(), "another-new-panel.png", 23);
    let extended = app
        .plan_update(PlanRequest {
            job_id: job_id.clone(),
            paths: vec![b],
            drop_target: Some(second.url.clone()),
            extend_plan: Some(plan.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_ne!(
        extended.id, plan.id,
        "a new plan; the earlier one is kept as it was"
    );
    assert_eq!(
        extended.screenshots.len(),
        2,
        "earlier screenshot kept, new one added"
    );
    assert_eq!(
        extended.screenshots[0].screenshot.name,
        "brand-new-dialog.png"
    );
    assert_eq!(extended.screenshots[0].result.match_type, MatchType::Manual);
    assert_eq!(extended.screenshots[0].result.targets[0].url, first.url);
    assert_eq!(extended.screenshots[1].result.targets[0].url, second.url);
    let kept_off = extended
        .articles
        .iter()
        .find(|a| a.article_id == off_article)
        .and_then(|a| a.changes.iter().find(|c| c.old_url == first.url))
        .expect("the deselected change is still in the plan");
    assert!(!kept_off.selected, "a deselected change stays deselected");
    assert!(extended
        .articles
        .iter()
        .flat_map(|a| &a.changes)
        .any(|c| c.old_url == second.url && c.selected));

    // Dropping `a` again (now on `second`) matches it again instead of keeping both.
    let again = app
        .plan_update(PlanRequest {
            job_id: job_id.clone(),
            paths: vec![a],
            drop_target: Some(second.url.clone()),
            extend_plan: Some(extended.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(again.screenshots.len(), 2);
    let a_again = again
        .screenshots
        .iter()
        .find(|p| p.screenshot.name == "brand-new-dialog.png")
        .unwrap();
    assert_eq!(a_again.result.targets[0].url, second.url);
}

#[tokio::test]
async fn impossible_choices_are_refused_with_a_reason() {
    let (_dir, app, job_id, rows) = imported().await;
    let shots = tempfile::tempdir().unwrap();
    let ok = usable(&rows);
    let two = vec![
        fresh_png(shots.path(), "one.png", 3),
        fresh_png(shots.path(), "two.png", 5),
    ];
    let err = app
        .plan_update(PlanRequest {
            job_id: job_id.clone(),
            paths: two,
            drop_target: Some(ok[0].url.clone()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Invalid(_)), "{err:?}");
    assert!(
        err.to_string().contains("drop exactly one screenshot"),
        "{err}"
    );

    let err = app
        .plan_update(PlanRequest {
            job_id: job_id.clone(),
            paths: vec![fresh_png(shots.path(), "three.png", 7)],
            drop_target: Some("http://127.0.0.1:9/not-in-this-import.png".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not-in-this-import.png"), "{err}");

    // The demo's own help-center integration is not a place to upload to.
    let plan = app
        .plan_update(PlanRequest {
            job_id: job_id.clone(),
            paths: vec![fresh_png(shots.path(), "four.png", 11)],
            ..Default::default()
        })
        .await
        .unwrap();
    let mut edited = plan.clone();
    edited.storage_integration_id = Some(plan.integration_id.clone());
    let err = app.save_plan(&edited).await.unwrap_err();
    assert!(
        err.to_string().contains("not an S3/R2 integration"),
        "{err}"
    );
}
