//! Help Scout Docs client against the Help Scout simulator, and a full
//! import whose counts equal the simulator's known answers.

mod common;
mod provider_common;

use provider_common::*;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::ArticleRef;
use shotkeeper_core::{App, CoreError};
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

const P: SimProvider = SimProvider::Helpscout;
const K: ProviderKind = ProviderKind::Helpscout;

/// The smallest PNG signature the simulator's upload accepts.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn lists_every_collection_over_several_pages_without_bodies() {
    // 4 collections of ~113 articles at 100 per page: 2 pages each.
    let sim = sim(P, |o| {
        o.articles = 450;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 8);
    assert_eq!(sim.api_requests(), 9, "one collections call, then 8 pages");
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(
        sim.expected.documents, sim.expected.articles,
        "no translations"
    );
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    assert!(published < sim.expected.documents, "drafts are listed too");
    for d in &docs {
        assert_eq!(d.html, None, "list items carry no text");
        assert_eq!(d.article.locale, None);
        assert!(d.url.starts_with(&sim.site_base), "{}", d.url);
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let draft = docs.iter().find(|d| !d.is_published).unwrap();
    let id = draft.article.id.clone();

    let got = hc.get_article(&draft.article).await.unwrap();
    assert_eq!(got.html, sim.article_html(&id, None));
    assert!(!got.is_published);
    let new_html = edited(got.html.as_deref().unwrap(), "updated");
    hc.update_article_html(&draft.article, &new_html)
        .await
        .unwrap();
    assert_eq!(
        sim.article_html(&id, None).as_deref(),
        Some(new_html.as_str())
    );
    let again = hc.get_article(&draft.article).await.unwrap();
    assert_eq!(again.html.as_deref(), Some(new_html.as_str()));
    assert_eq!(again.title, got.title);
    assert!(!again.is_published, "the update changed only the body");

    let e = hc
        .get_article(&ArticleRef::with_locale(id, Some("de".into())))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = hc
        .get_article(&ArticleRef::new("000000000000000000000000"))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn uploads_through_article_assets() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    assert!(hc.supports_upload());
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    let up = hc
        .upload_image(&docs[0].article, "new shot.png", "image/png", PNG.to_vec())
        .await
        .unwrap();
    assert!(
        up.url.starts_with(&format!("{}/uploads/", sim.site_base)),
        "{}",
        up.url
    );
    let body = reqwest::get(&up.url).await.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], PNG);
    // An unknown article is refused by the provider.
    let e = hc
        .upload_image(&ArticleRef::new("nope"), "a.png", "image/png", PNG.to_vec())
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn verify_and_bad_key() {
    let sim = sim(P, |_| {}).await;
    let msg = client(&sim, K).verify().await.unwrap();
    assert!(msg.contains("Help Scout"), "{msg}");
    assert_eq!(sim.api_requests(), 1);
    let e = client_with_token(&sim, K, "wrong-key")
        .verify()
        .await
        .unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 401, .. }),
        "{e:?}"
    );
    assert!(!e.to_string().contains("wrong-key"));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_429_burst_is_retried() {
    let sim = sim(P, |o| o.faults.burst_429 = 2).await;
    let (docs, pages) = list_all(client(&sim, K).as_ref()).await.unwrap();
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(
        sim.api_requests(),
        2 + 1 + pages as u64,
        "two 429s, the collections, then the pages"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_simulators_own_rate_limit_is_waited_out() {
    let sim = sim(P, |o| o.rate_limit_per_minute = Some(30)).await;
    let hc = client(&sim, K);
    let t = std::time::Instant::now();
    for _ in 0..32 {
        hc.verify().await.unwrap();
    }
    assert!(
        sim.api_requests() > 32,
        "some requests were refused and retried"
    );
    assert!(t.elapsed() >= std::time::Duration::from_millis(900));
    sim.shutdown().await;
}

#[tokio::test]
async fn import_counts_equal_the_known_answers() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = common::start_sim(P, 30, |_| {}).await;
    let id = common::connect(&app, P, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .expect("import");
    let e = &sim.expected;
    let a = &view.total.articles;
    assert_eq!(a.discovered, e.documents);
    assert_eq!(a.success, e.documents);
    assert_eq!((a.failed, a.skipped, a.pending), (0, 0, 0));
    assert_eq!(view.total.images.total, e.image_refs);
    assert_eq!(view.total.images.unique, e.unique_images);
    assert_eq!(view.total.images.duplicate, e.duplicate);
    assert_eq!(view.total.authors, e.authors);
    assert_eq!(sim.image_requests(), e.distinct_urls);
    let broken = app.broken_images(&view.id).await.unwrap();
    assert_eq!(broken.len() as u64, e.broken_urls);
    sim.shutdown().await;
}

/// Import, then replace one uniquely named image with a new picture of the
/// same name: the plan uploads it through the provider's own upload and
/// writes the new URL back into every document that used the old one.
#[tokio::test]
async fn import_then_update_round_trip() {
    use std::sync::Arc;

    use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
    use shotkeeper_core::app_update::PlanRequest;

    let dir = tempfile::tempdir().unwrap();
    let shots = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = common::start_sim(P, 12, |_| {}).await;
    let id = common::connect(&app, P, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();
    let rows = app.image_rows(&view.id).await.unwrap();
    let ok: Vec<_> = rows
        .iter()
        .filter(|r| r.status_code == 200 && !r.is_duplicate)
        .collect();
    let target = ok
        .iter()
        .find(|r| {
            ok.iter()
                .filter(|o| o.name.eq_ignore_ascii_case(&r.name))
                .count()
                == 1
        })
        .expect("a uniquely named image");
    let img = DynamicImage::ImageRgba8(RgbaImage::from_fn(97, 41, |x, y| {
        Rgba([(x * 3) as u8, (y * 5) as u8, 77, 255])
    }));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, ImageFormat::Png).unwrap();
    let path = shots.path().join(&target.name);
    std::fs::write(&path, png.into_inner()).unwrap();

    let plan = app
        .plan_update(PlanRequest {
            job_id: view.id.clone(),
            paths: vec![path],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(plan.articles_to_update() >= 1);
    let result = app
        .apply_plan(&plan.id, false, Arc::new(|_| {}), CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(result.summary.failed, 0, "{:?}", result.articles);
    assert!(result.summary.success >= 1);
    for a in &plan.articles {
        let sim_locale = a.locale.as_deref().filter(|l| *l != "en");
        let html = sim.article_html(&a.external_id, sim_locale).unwrap();
        assert!(
            html.contains(&format!("{}/uploads/", sim.site_base)),
            "{} {:?} holds the uploaded image",
            a.external_id,
            a.locale
        );
    }
    sim.shutdown().await;
}
