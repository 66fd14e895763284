//! Replacing screenshots through S3 storage end to end: a help center
//! without an image upload of its own (the Helpjuice simulator) and a real
//! S3-compatible server (`s3s-fs`, see `s3_server`):
//! import, plan two new screenshots with the S3 integration as destination,
//! apply, read the articles back from the help center, GET the objects back
//! from the server, and roll one article back byte for byte.
//!
//! The server is a prerequisite, not optional: without it this test fails
//! and says how to install it.

mod common;
mod s3_server;

use shotkeeper_core::update::revisions::RollbackMode;
use shotkeeper_core::update::ArticleStatus;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use s3_server::{S3Server, BUCKET, SECRET_KEY};
use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::imaging;
use shotkeeper_core::matching::{MatchStatus, MatchType};
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::storage::{Storage, StorageSettings};
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

const PREFIX: &str = "help/screens";

fn png_bytes(img: &DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A fresh UI-like picture unlike anything in the simulator.
fn fresh_picture(w: u32, h: u32, seed: u8) -> DynamicImage {
    DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |x, y| {
        let v = ((x * 5 + y * 11) as u8).wrapping_mul(seed | 1);
        Rgba([v, (x as u8) ^ seed, 255 - v, 255])
    }))
}

#[tokio::test]
async fn two_screenshots_uploaded_to_s3_applied_read_back_and_rolled_back() {
    let server = S3Server::start();
    let dir = tempfile::tempdir().unwrap();
    let shots_dir = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(SimProvider::Helpjuice, 24, |_| {}).await;
    let hc = common::connect(&app, SimProvider::Helpjuice, &sim).await;

    let s3 = server.connect(&app, PREFIX).await;

    let job = app
        .run_import(&hc, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let rows = app.image_rows(&job.id).await.unwrap();

    // Two screenshots of the site's own images, each carrying the
    // identifying text pairs of one (metadata match), with new pixels.
    let targets: Vec<_> = rows
        .iter()
        .filter(|r| {
            r.status_code == 200
                && !r.is_duplicate
                && r.kind == "png"
                && r.url.starts_with(&sim.site_base)
                && r.metadata.contains_key("screen")
        })
        .take(2)
        .collect();
    assert_eq!(targets.len(), 2, "two PNG screenshots to replace");
    let mut files = Vec::new();
    for (i, r) in targets.iter().enumerate() {
        let mut pairs = BTreeMap::new();
        pairs.insert("screen".to_owned(), r.metadata["screen"].clone());
        if let Some(app_name) = r.metadata.get("app") {
            pairs.insert("app".to_owned(), app_name.clone());
        }
        let bytes = imaging::write_png_text(
            &png_bytes(&fresh_picture(r.width, r.height, 40 + i as u8)),
            &pairs,
        )
        .unwrap();
        let path = shots_dir.path().join(format!("new-{i}.png"));
        std::fs::write(&path, &bytes).unwrap();
        files.push((path, bytes, r.url.clone()));
    }

    let plan = app
        .plan_update(PlanRequest {
            job_id: job.id.clone(),
            paths: files.iter().map(|f| f.0.clone()).collect(),
            // Nobody chose: Helpjuice has no upload of its own, so core
            // sends the images to the one S3 integration.
            storage_integration_id: None,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(plan.storage_integration_id.as_deref(), Some(s3.as_str()));
    for (path, _, url) in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let p = plan
            .screenshots
            .iter()
            .find(|p| p.screenshot.name == name)
            .unwrap();
        assert_eq!(p.result.status, MatchStatus::Matched, "{}", p.result.reason);
        assert_eq!(p.result.match_type, MatchType::Metadata);
        assert!(p.result.targets.iter().any(|t| &t.url == url), "{name}");
    }
    assert!(plan.articles_to_update() >= 2);
    let before: Vec<(String, Option<String>, String)> = plan
        .articles
        .iter()
        .map(|a| {
            let html = sim
                .article_html(&a.external_id, a.locale.as_deref())
                .unwrap();
            (a.external_id.clone(), a.locale.clone(), html)
        })
        .collect();

    let result = app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(result.summary.failed, 0, "{:?}", result.articles);
    assert_eq!(result.summary.success, result.summary.total);
    assert_eq!(result.summary.total as usize, plan.articles_to_update());

    // Read back from the help center: every replacement points under the
    // public base URL, and the objects there are the screenshot files.
    let storage = Storage::new(
        StorageSettings::from_settings(
            ProviderKind::S3,
            None,
            &server.integration_settings(PREFIX),
        )
        .unwrap(),
        SECRET_KEY,
    )
    .unwrap();
    let base = format!("{}/{PREFIX}/", server.public_base_url());
    let mut new_urls = HashSet::new();
    for a in &result.articles {
        assert_eq!(a.status, ArticleStatus::Updated, "{a:?}");
        let html = sim
            .article_html(&a.external_id, a.locale.as_deref())
            .unwrap();
        assert!(!a.replacements.is_empty());
        for (old, new) in &a.replacements {
            assert!(new.starts_with(&base), "{new} under {base}");
            assert!(html.contains(new.as_str()), "{new} in {}", a.external_id);
            assert!(!html.contains(old.as_str()), "{old} gone");
            new_urls.insert(new.clone());
        }
    }
    assert_eq!(new_urls.len(), 2, "one object per screenshot");
    for (_, bytes, old_url) in &files {
        let new = result
            .articles
            .iter()
            .find_map(|a| a.replacements.get(old_url))
            .expect("the screenshot replaced its image");
        let key = new
            .strip_prefix(&format!("{}/", server.public_base_url()))
            .unwrap();
        let stored = storage.get_object(key).await.unwrap();
        assert_eq!(&stored.bytes, bytes, "{key}");
        assert_eq!(stored.content_type.as_deref(), Some("image/png"));
        let on_disk = std::fs::read(server.dir.path().join(BUCKET).join(key)).unwrap();
        assert_eq!(&on_disk, bytes);
    }

    // Roll one article back: its previous content returns byte for byte.
    let first = &result.articles[0];
    let original = &before
        .iter()
        .find(|b| b.0 == first.external_id && b.1 == first.locale)
        .unwrap()
        .2;
    let rb = app
        .rollback(first.revision_id.as_deref().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(rb.mode, RollbackMode::Exact);
    assert_eq!(
        &sim.article_html(&first.external_id, first.locale.as_deref())
            .unwrap(),
        original
    );
    sim.shutdown().await;
}
