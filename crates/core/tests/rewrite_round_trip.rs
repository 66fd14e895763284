//! Every article shape help centers hold, through every provider: an article
//! holding a `<picture>` with a 2x source, a srcset with a 2x variant,
//! lightbox links (one to the same file, one to another), lazy-loading
//! `data-src`/`data-srcset`, an uppercase single-quoted tag, an unquoted
//! value and an entity-encoded query is imported, one screenshot replaces
//! its image (uploaded to a real S3-compatible server), and the article read
//! back from the simulator has exactly the places that show that image
//! changed and every other byte as it was. Then someone edits the article in
//! the help center, and the rollback puts back exactly those places.

mod common;
mod s3_server;

use shotkeeper_core::update::revisions::RollbackMode;
use shotkeeper_core::update::ArticleStatus;
use std::sync::Arc;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use s3_server::S3Server;
use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::App;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

/// The fixture around image `t` (another file `v` is its 2x variant, `o`
/// the full-size file a lightbox opens); `n` stands where `t` must end up
/// replaced (`n == t` gives the article before the update).
fn fixture(t: &str, n: &str, v: &str, o: &str) -> String {
    format!(
        "<p>Every shape a help center holds &amp; more</p>\n\
         <picture><source srcset=\"{n} 1x, {v} 2x\"><img src=\"{n}\" alt=\"Billing\"></picture>\n\
         <img src=\"{n}\" srcset=\"{n} 1x,{v}   2x\" width=\"640\">\n\
         <a href=\"{n}\"><img src=\"{n}\" alt=\"Zoom\"></a>\n\
         <a href=\"{o}\"><img src=\"{n}\" alt=\"Opens another file\"></a>\n\
         <img class=\"lazyload\" data-src=\"{n}\" data-srcset=\"{n} 1x, {v} 2x\">\n\
         <IMG SRC='{n}' ALT='Upper case'>\n\
         <img src={n} alt=unquoted>\n\
         <img src=\"{nq}\" alt=\"encoded query\">\n\
         <p>The file itself: <a href=\"{t}\">download</a></p>\n",
        nq = if n == t {
            format!("{t}?w=640&amp;h=400")
        } else {
            n.to_string()
        },
    )
}

async fn shapes_round_trip(p: SimProvider) {
    let server = S3Server::start();
    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let app = common::open_app(dir.path()).await;
    let sim = common::start_sim(p, 12, |_| {}).await;
    let hc = common::connect(&app, p, &sim).await;
    let s3 = server.connect(&app, "shapes").await;

    // An image of the site, uniquely named, and a default-language document.
    let first = import(&app, &hc).await;
    let rows = app.image_rows(&first).await.unwrap();
    let target = common::uniquely_named(&rows, |r| r.url.ends_with(".png"));
    let t = target.url.clone();
    let v = t.replace(".png", "@2x.png");
    let o = t.replace(".png", "-full.png");
    let doc = app
        .article_rows(&first)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.status == "completed")
        .expect("an imported document");
    let sim_locale = doc.locale.clone().filter(|l| l != "en");
    let before = fixture(&t, &t, &v, &o);
    sim.set_article_html(&doc.external_article_id, sim_locale.as_deref(), &before);
    assert_eq!(
        sim.article_html(&doc.external_article_id, sim_locale.as_deref()),
        Some(before.clone()),
        "the fixture is planted"
    );

    // Import again, drop a new screenshot with the image's name, apply.
    let job = import(&app, &hc).await;
    let path = shots.path().join(&target.name);
    std::fs::write(&path, new_png()).unwrap();
    let plan = app
        .plan_update(PlanRequest {
            job_id: job.clone(),
            paths: vec![path],
            storage_integration_id: Some(s3.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let planned = plan
        .articles
        .iter()
        .find(|a| a.external_id == doc.external_article_id && a.locale == doc.locale)
        .expect("the fixture article is in the plan");
    // Review shows what stays: the 2x variants and the other file's link.
    let kept: Vec<&str> = planned
        .places
        .iter()
        .filter(|pl| !pl.changes)
        .map(|pl| pl.url.as_str())
        .collect();
    assert_eq!(kept, [v.as_str(), v.as_str(), o.as_str(), v.as_str()]);
    assert_eq!(planned.places.iter().filter(|pl| pl.changes).count(), 12);

    let result = app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    let outcome = result
        .articles
        .iter()
        .find(|a| a.article_id == planned.article_id)
        .expect("the fixture article was applied");
    assert_eq!(outcome.status, ArticleStatus::Updated, "{outcome:?}");
    let n = outcome
        .replacements
        .get(&t)
        .expect("the image was replaced")
        .clone();
    assert!(n.starts_with(&server.public_base_url()), "{n}");
    let after = sim
        .article_html(&doc.external_article_id, sim_locale.as_deref())
        .unwrap();
    assert_eq!(after, fixture(&t, &n, &v, &o));
    // The update result describes the article image that was replaced.
    let shot = &result.screenshots[0];
    assert_eq!(
        (shot.name.as_str(), shot.hash.as_str()),
        (target.name.as_str(), target.hash.as_str())
    );

    // Someone edits the article; the rollback keeps the edit and puts back
    // exactly the replaced places.
    let edited = format!("<p>Edited in the help center</p>\n{after}");
    sim.set_article_html(&doc.external_article_id, sim_locale.as_deref(), &edited);
    let rollback = app
        .rollback(outcome.revision_id.as_deref().unwrap(), false)
        .await
        .unwrap();
    assert_eq!(rollback.mode, RollbackMode::Images);
    assert_eq!(
        sim.article_html(&doc.external_article_id, sim_locale.as_deref()),
        Some(format!("<p>Edited in the help center</p>\n{before}"))
    );
    sim.shutdown().await;
}

async fn import(app: &App, hc: &str) -> String {
    app.run_import(hc, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap()
        .id
}

/// A picture unlike anything in the simulator, in an unusual aspect ratio
/// so that only its name can match.
fn new_png() -> Vec<u8> {
    let img = DynamicImage::ImageRgba8(RgbaImage::from_fn(97, 41, |x, y| {
        Rgba([(x * 3) as u8, (y * 5) as u8, 77, 255])
    }));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, ImageFormat::Png).unwrap();
    png.into_inner()
}

#[tokio::test]
async fn helpjuice_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Helpjuice).await;
}

#[tokio::test]
async fn helpcenterio_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Helpcenterio).await;
}

#[tokio::test]
async fn helpcenter_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Helpcenter).await;
}

#[tokio::test]
async fn helpscout_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Helpscout).await;
}

#[tokio::test]
async fn knowledgeowl_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Knowledgeowl).await;
}

#[tokio::test]
async fn zendesk_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Zendesk).await;
}

#[tokio::test]
async fn intercom_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Intercom).await;
}

#[tokio::test]
async fn freshdesk_rewrites_every_shape_exactly() {
    shapes_round_trip(SimProvider::Freshdesk).await;
}
